"""Every review rule: one model that triggers it and one that does not, and the Japanese text."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from conftest import OCT, YEAR, book, kpi

from kpireport.computing.report import build_report
from kpireport.model import Aggregation, CellIssue, CellRef, Direction, Kgi, Kind, Month, Perspective, Workbook
from kpireport.presenting.finished import finish
from kpireport.presenting.wording import WordedFinding


def findings(workbook: Workbook, code: str | None = None) -> list[WordedFinding]:
    """The findings as the pack words them (its sentences, in the workbook's language)."""
    found = finish(build_report(workbook, OCT), with_view=False).findings
    return [f for f in found if code is None or f.code == code]


def test_a_clean_workbook_has_no_findings() -> None:
    deals, win_rate = kpi("K1"), kpi("K2", name="Win rate", unit="percent", aggregation=Aggregation.AVERAGE)
    assert findings(book([deals, win_rate])) == []


@pytest.mark.parametrize(
    ("name", "flagged"),
    [
        ("Brand awareness up", True),
        ("Improve customer satisfaction", True),
        ("認知度アップ", True),
        ("顧客満足度の向上", True),
        ("Branded searches at 120% of last year", False),
        ("Win rate", False),
        ("アップセル率", False),
        ("指名検索数を前年比120%にする", False),
    ],
)
def test_smart_s_vague_names(name: str, flagged: bool) -> None:
    [*found] = findings(book([kpi("K1", name=name)]), "SMART-S")
    assert bool(found) is flagged
    if flagged:
        assert "branded searches at 120% of last year" in found[0].suggestion


def test_smart_s_without_unit() -> None:
    [found] = findings(book([kpi("K1", unit="")]), "SMART-S")
    assert (found.severity, found.kpi, found.message) == ("warning", "K1", "KPI “Deals closed K1” has no unit.")


def test_smart_m_formula_without_value_is_a_warning_and_text_an_error() -> None:
    where = CellRef("Actuals", "H2")
    issues = (
        CellIssue("formula_without_value", "K1", OCT, where, "SUM(B2:G2)"),
        CellIssue("not_a_number", "K1", Month(2026, 9), CellRef("Actuals", "G2"), "n/a"),
    )
    found = findings(book([kpi("K1")], issues=issues), "SMART-M")
    assert [(f.severity, str(f.where)) for f in found] == [("error", "Actuals!G2"), ("warning", "Actuals!H2")]
    assert not findings(book([kpi("K1")]), "SMART-M")


def test_smart_a_target_far_beyond_recent_best() -> None:
    stretched = {"K1": {**dict.fromkeys(YEAR, 100.0), OCT: 160.0}}
    [found] = findings(book([kpi("K1")], targets=stretched), "SMART-A")
    assert "more than 1.5×" in found.message
    assert not findings(book([kpi("K1")], targets={"K1": {**dict.fromkeys(YEAR, 100.0), OCT: 149.0}}), "SMART-A")
    assert not findings(book([kpi("K1", kind=Kind.OKR)], targets=stretched), "SMART-A")
    lower = {"K1": {**dict.fromkeys(YEAR, 100.0), OCT: 60.0}}
    assert findings(book([kpi("K1", direction=Direction.LOWER)], targets=lower), "SMART-A")


def test_smart_r_missing_or_unknown_kgi() -> None:
    found = findings(book([kpi("K1", kgi=None), kpi("K2", kgi="G9")]), "SMART-R")
    assert [(f.kpi, f.severity) for f in found] == [("K1", "error"), ("K2", "error")]
    assert "G9" in found[1].message


def test_smart_t_no_deadline_and_months_without_target() -> None:
    gaps = {"K1": dict.fromkeys(YEAR[:10], 100.0)}
    found = findings(book([kpi("K1")], targets=gaps, kgis=[Kgi("G1", "Revenue", 1200.0)]), "SMART-T")
    assert [(f.kgi, f.kpi) for f in found] == [("G1", None), (None, "K1")]
    assert "2027-02, 2027-03" in found[1].message


def test_focus_more_than_five_kpis_in_a_department() -> None:
    assert not findings(book([kpi(f"K{i}") for i in range(5)]), "FOCUS")
    [found] = findings(book([kpi(f"K{i}") for i in range(6)]), "FOCUS")
    assert "Sales" in found.message and "6" in found.message
    okrs = [kpi(f"K{i}") for i in range(5)] + [kpi("O1", kind=Kind.OKR)]
    assert not findings(book(okrs), "FOCUS")


def test_balance_only_when_perspectives_are_used() -> None:
    assert not findings(book([kpi("K1")]), "BALANCE")
    found = findings(book([kpi("K1", perspective=Perspective.FINANCIAL)]), "BALANCE")
    assert [f.severity for f in found] == ["info"] * 3
    all_four = [kpi(f"K{i}", perspective=p) for i, p in enumerate(Perspective)]
    assert not findings(book(all_four), "BALANCE")


def test_review_red_three_months_running() -> None:
    red = {"K1": {m: (100.0 if m < Month(2026, 3 + 5) else 50.0) for m in YEAR if m <= OCT}}  # Aug-Oct red
    [found] = findings(book([kpi("K1")], actuals=red), "REVIEW")
    assert "3 months running" in found.message
    two = {"K1": {m: (100.0 if m < Month(2026, 9) else 50.0) for m in YEAR if m <= OCT}}
    assert not findings(book([kpi("K1")], actuals=two), "REVIEW")


def test_disconnect_kgi_off_track_while_its_kpis_are_green() -> None:
    kgi = Kgi("G1", "Revenue", 10_000.0, deadline=dt.date(2027, 3, 31), measured_by="K1")
    [found] = findings(book([kpi("K1"), kpi("K2")], kgis=[kgi]), "DISCONNECT")
    assert (found.kgi, found.severity) == ("G1", "warning")
    on_track = Kgi("G1", "Revenue", 1100.0, deadline=dt.date(2027, 3, 31), measured_by="K1")  # 700 / 1100 > 214 / 365
    assert not findings(book([kpi("K1"), kpi("K2")], kgis=[on_track]), "DISCONNECT")
    mostly_red = {"K2": {m: 10.0 for m in YEAR if m <= OCT}, "K3": {m: 10.0 for m in YEAR if m <= OCT}}
    assert not findings(book([kpi("K1"), kpi("K2"), kpi("K3")], kgis=[kgi], actuals=mostly_red), "DISCONNECT")


@pytest.mark.parametrize(
    ("name", "direction", "flagged"),
    [
        ("Cost per lead (CPA)", Direction.HIGHER, True),
        ("Customer churn", Direction.HIGHER, True),
        ("解約率", Direction.HIGHER, True),
        ("獲得単価", Direction.HIGHER, True),
        ("顧客単価", Direction.HIGHER, False),
        ("Cost per lead (CPA)", Direction.LOWER, False),
        ("Deals won", Direction.HIGHER, False),
    ],
)
def test_direction(name: str, direction: Direction, flagged: bool) -> None:
    assert bool(findings(book([kpi("K1", name=name, direction=direction)]), "DIRECTION")) is flagged


def test_the_name_rules_read_the_name_as_the_pack_shows_it() -> None:
    # The pack shows a name's first 200 characters (README, Limits); a word past them is not
    # read, and a 50 MB name costs no search of 50 MB (a long name is a SMART-S finding itself,
    # quoting its first 40 characters).
    padding = "Deals " * 40  # 240 characters
    assert not findings(book([kpi("K1", name=padding + "cost")]), "DIRECTION")
    assert findings(book([kpi("K1", name="Cost " + padding)]), "DIRECTION")
    assert [f.message for f in findings(book([kpi("K1", name=padding + "awareness")]), "SMART-S")] == [
        "The name “Deals Deals Deals Deals Deals Deals Deal…” is 249 characters long; the pack shows the first 200."
    ]


def test_japanese_messages_and_suggestions() -> None:
    [vague] = findings(book([kpi("K1", name="認知度アップ")], locale="ja"), "SMART-S")
    assert vague.message == "KPI「認知度アップ」は願望であり、測定できる指標になっていません。"
    assert "指名検索数を前年比120%にする" in vague.suggestion
    [focus] = findings(book([kpi(f"K{i}", department="営業") for i in range(6)], locale="ja"), "FOCUS")
    assert focus.message.startswith("部署「営業」の KPI が 6 個あります")


def test_findings_come_errors_first() -> None:
    found = findings(book([kpi("K1", kgi=None, unit="")]))
    assert [f.severity for f in found] == sorted((f.severity for f in found), key=["error", "warning", "info"].index)
    assert dataclasses.asdict(found[0])["code"] == "SMART-R"
