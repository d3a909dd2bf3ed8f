"""A month's report: catch-up pace, the quarterly review, and what the pack shows of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import OCT, SAMPLE_EN, SAMPLE_JA, YEAR, book, kpi

from kpireport.build import BuildOptions, build_pack
from kpireport.computing.metrics import required_pace
from kpireport.computing.report import build_report
from kpireport.model import Aggregation, Kgi, Kind, Month
from kpireport.presenting.finished import finish


def test_required_pace_for_a_sum_kpi_and_its_kgi() -> None:
    kgi = Kgi("G1", "Revenue", 1500.0, deadline=dt.date(2027, 3, 31), measured_by="K1")
    report = build_report(book([kpi("K1")], kgis=[kgi]), OCT)
    data = finish(report, with_view=False).data
    # 7 months of 100: 700 done, 800 to go over Nov-Mar.
    assert data["kgis"][0]["required_pace"] == {
        "months_remaining": 5,
        "remaining": 800.0,
        "per_month": 160.0,
        "average_so_far": 100.0,
        "planned_per_month": 100.0,  # Nov-Mar's targets, 100 each
    }
    # The KPI's own full-year target is 1,200: 500 to go.
    assert data["kpis"][0]["required_pace"]["per_month"] == pytest.approx(100.0)


def test_no_pace_for_average_kpis_or_kgis_without_deadline() -> None:
    kgi = Kgi("G1", "NPS", 40.0, measured_by="K1")
    data = finish(
        build_report(book([kpi("K1", aggregation=Aggregation.AVERAGE)], kgis=[kgi]), OCT), with_view=False
    ).data
    assert data["kpis"][0]["required_pace"] is None
    assert data["kgis"][0]["required_pace"] is None


@pytest.mark.parametrize(
    ("target", "actual", "done", "left", "expected"),
    [(1200, 700, 7, 5, 100.0), (1200, 1300, 7, 5, 0.0), (1200, None, 0, 12, 100.0), (1200, 700, 7, 0, None)],
)
def test_required_pace(target: float, actual: float | None, done: int, left: int, expected: float | None) -> None:
    pace = required_pace(target, actual, done, [None] * left)
    assert pace is not None and pace.per_month == expected


def test_quarterly_review_at_quarter_end_only_unless_asked() -> None:
    workbook = book([kpi("K1"), kpi("O1", kind=Kind.OKR)], actuals={"O1": {m: 80.0 for m in YEAR if m <= OCT}})
    assert build_report(workbook, OCT).quarterly is None
    september = build_report(workbook, Month(2026, 9))
    assert september.quarterly is not None
    k1, o1 = september.quarterly
    assert [str(m) for m, _ in k1.months] == ["2026-07", "2026-08", "2026-09"]
    assert (k1.previous, k1.change, k1.okr_score) == (300.0, 0.0, None)
    assert o1.okr_score == pytest.approx(0.8)
    forced = build_report(workbook, OCT, quarterly=True)
    assert forced.quarterly is not None and str(forced.quarterly[0].months[0][0]) == "2026-10"


def _html(sample: Path, tmp_path: Path, **options: object) -> str:
    result = build_pack(sample, BuildOptions(out_dir=tmp_path, formats=("html",), **options))  # type: ignore[arg-type]
    return result.outputs[0].read_text(encoding="utf-8")


def test_mid_quarter_pack_has_no_quarterly_review(tmp_path: Path) -> None:
    html = _html(SAMPLE_EN, tmp_path)
    assert 'id="quarterly"' not in html
    for section in ('id="tree"', 'id="scorecard"', 'id="actions"', "Catch-up pace", "Needs ¥"):
        assert section in html, section
    assert "Call every account renewing next quarter" in html  # an action with its owner
    assert html.count('class="tree"') == 2  # one tree per KGI


def test_quarter_end_pack_has_the_quarterly_review_in_japanese(tmp_path: Path) -> None:
    html = _html(SAMPLE_JA, tmp_path, month=Month(2026, 9))
    assert 'id="quarterly"' in html
    for text in (
        "四半期レビュー",
        "2026年7月〜2026年9月",
        "前四半期同期比",
        "KGI→KPI ツリー",
        "バランス・スコアカード",
        "アクション一覧",
    ):
        assert text in html, text
