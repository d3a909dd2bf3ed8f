"""SPEC v1.2 §3b by hand: which KPIs are material (at exactly `materiality` too), the order of
the key messages, every ref resolving to a figure printed in its sentence, the controller's
words replacing the drafted ones, `build --final`, and hostile text staying text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import OCT, YEAR, Rows, book, kpi

from kpireport.cli import cli
from kpireport.computing.commentary import is_material
from kpireport.computing.report import build_report
from kpireport.model import CommentaryRow, Direction, Kgi, Month, Workbook
from kpireport.presenting.finished import FinishedPack, finish

MAR_2027 = dt.date(2027, 3, 31)


def pack(workbook: Workbook) -> FinishedPack:
    return finish(build_report(workbook, OCT), today=dt.date(2026, 11, 24))


def october(values: dict[str, float]) -> dict[str, dict[Month, float]]:
    """Every KPI on its flat 100 target to September, then ``values`` in October."""
    return {k: {m: 100.0 for m in YEAR if m < OCT} | {OCT: v} for k, v in values.items()}


# -- materiality ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("october_actual", "material"),
    [
        (95.0, True),  # variance -5 of 100: exactly 5%, material (amber, not red)
        (95.5, False),  # -4.5: under 5%; YTD -4.5 of 700 is 0.6%
        (105.0, True),  # +5: favourable variances are material too
        (104.0, False),
        (85.0, True),  # red (85%) and -15%
    ],
)
def test_a_kpi_is_material_from_exactly_its_materiality(october_actual: float, material: bool) -> None:
    report = build_report(book([kpi("K1")], actuals=october({"K1": october_actual})), OCT)
    assert is_material(report.kpis[0], 0.05) is material
    subjects = [s["subject"] for s in pack(book([kpi("K1")], actuals=october({"K1": october_actual}))).data[
        "commentary"]["subjects"]]  # fmt: skip
    assert ("K1" in subjects) is material


def test_red_is_material_whatever_the_variance() -> None:
    # A lower KPI at 0.025 against 0.02: attainment 0.8, red; its variance 0.005 is 25% of the
    # target, under a materiality of 50%: only its being red makes it material.
    churn = kpi("K1", name="Churn", unit="percent", direction=Direction.LOWER)
    workbook = book([churn], targets={"K1": dict.fromkeys(YEAR, 0.02)}, actuals={"K1": {OCT: 0.025}})
    result = build_report(workbook, OCT).kpis[0]
    assert result.month.status == "red"
    assert is_material(result, 0.5)


def test_an_unfavourable_variance_on_a_target_of_zero_is_material_and_ranks_first() -> None:
    # K1's target is 0 and its actual 5 where less is better: no attainment, an unfavourable
    # variance of 5; K4 is 20% short. K1 comes first among the variances.
    defects = kpi("K1", name="Defects", direction=Direction.LOWER)
    workbook = book(
        [defects, kpi("K4")],
        targets={"K1": dict.fromkeys(YEAR, 0.0)},
        actuals={"K1": {m: 0.0 for m in YEAR if m < OCT} | {OCT: 5.0}, **october({"K4": 80.0})},
    )
    messages = [m["text"] for m in pack(workbook).data["commentary"]["key_messages"]]
    variances = [m for m in messages if " was " in m]
    assert variances[0].startswith("Defects was 5 in Oct 2026 against a target of 0, 5 worse than target")


# -- the key messages ---------------------------------------------------------------------------


def _goals_book() -> Workbook:
    """G-OFF measured by K1 (90 a month: 630 of 1,200 against a plan of 700, 52.5%... off at
    89 in October: 629); G-RISK by K2 (640: 53.3%, at risk); G-OK by K3 (700, on plan).
    K4 is 80 in October: -20%, the largest unfavourable variance; K5 is 112: +12%, favourable."""
    goals = [
        Kgi("G-OK", "Goal on plan", 1200.0, deadline=MAR_2027, measured_by="K3"),
        Kgi("G-RISK", "Goal at risk", 1200.0, deadline=MAR_2027, measured_by="K2"),
        Kgi("G-OFF", "Goal off track", 1200.0, deadline=MAR_2027, measured_by="K1"),
    ]
    kpis = [kpi("K1", kgi="G-OFF"), kpi("K2", kgi="G-RISK"), kpi("K3", kgi="G-OK"), kpi("K4"), kpi("K5")]
    actuals = {
        "K1": {m: 90.0 for m in YEAR if m < OCT} | {OCT: 89.0},
        "K2": {m: 90.0 for m in YEAR if m < OCT} | {OCT: 100.0},
        **october({"K3": 100.0, "K4": 80.0, "K5": 112.0}),
    }
    return book(kpis, actuals=actuals, kgis=goals)


def test_the_key_messages_come_in_the_spec_order() -> None:
    messages = [m["text"] for m in pack(_goals_book()).data["commentary"]["key_messages"]]
    # 1-2: the off-track goal, then the at-risk one (not the one on plan).
    assert messages[0].startswith("Goal off track is off track")
    assert messages[1].startswith("Goal at risk is at risk")
    assert not any(m.startswith("Goal on plan") for m in messages)
    # 3: the KPIs red three months running ask for a decision: K1 and K2 at 90 are amber, so
    # nothing is red long enough, and no goal is off track with green KPIs: no decision message.
    # 3-5: the unfavourable variances by share: K4 -20%; K1 -11% this month (89 of 100; its
    # YTD 629 of 700 is -10.1%); K2 -8.6% YTD (640 of 700; October's 100 is on target).
    assert messages[2].startswith("Deals closed K4 was 80 in Oct 2026")
    assert messages[3].startswith("Deals closed K1 was 89 in Oct 2026")
    assert messages[4].startswith("Deals closed K2 was 640 year to date")
    assert len(messages) == 5
    assert not any("Deals closed K5" in m for m in messages)  # no place left for the favourable one


def test_the_favourable_variance_takes_a_place_only_when_one_is_left() -> None:
    # One unfavourable (K4 -20%) and one favourable (K5 +12%) material variance, no goal with
    # a measuring KPI: the shortfall, then the favourable one.
    workbook = book([kpi("K4"), kpi("K5")], actuals=october({"K4": 80.0, "K5": 112.0}))
    messages = [m["text"] for m in pack(workbook).data["commentary"]["key_messages"]]
    assert [m.split(" was ")[0] for m in messages] == ["Deals closed K4", "Deals closed K5"]


def _resolve(data: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def test_every_ref_resolves_to_a_figure_printed_in_its_sentence() -> None:
    finished = pack(_goals_book())
    data = finished.data
    texts = [*data["commentary"]["key_messages"], *data["commentary"]["subjects"]]
    assert texts
    for item in texts:
        assert item["source"] == "drafted"
        for ref in item["refs"]:
            value = _resolve(data, ref)
            if ref.startswith("/findings/"):
                continue  # a decision names its finding, not a figure
            assert isinstance(value, (int, float)), ref
            # The figures of these KPIs are counts of 100 or so, and ratios: printed in full.
            shown = {f"{abs(value):,.0f}", f"{value * 100:.1f}%", f"{abs(value):g}"}
            assert any(s in item["text"] for s in shown), (ref, value, item["text"])


def test_japanese_commentary_reads_as_japanese() -> None:
    workbook = dataclasses.replace(
        book([kpi("K4", name="受注件数")], actuals=october({"K4": 80.0})), settings=book([]).settings
    )
    workbook = dataclasses.replace(workbook, settings=dataclasses.replace(workbook.settings, locale="ja"))
    [message] = pack(workbook).data["commentary"]["key_messages"]
    # 80 against 100: 20 below, a shortfall, attainment 80.0%.
    assert message["text"] == "受注件数は2026年10月の実績80、目標100を20下回り未達です（達成率80.0%）。"


# -- the controller's words ----------------------------------------------------------------------


def test_the_controllers_words_replace_the_drafted_ones() -> None:
    workbook = dataclasses.replace(
        book([kpi("K4"), kpi("K5")], actuals=october({"K4": 80.0, "K5": 112.0})),
        commentary=(
            CommentaryRow("K4", OCT, "Two deals moved to November; both are signed."),
            CommentaryRow("*", OCT, "October was a quiet month."),
            CommentaryRow("*", OCT, "Nothing needs a decision."),
            CommentaryRow("K5", OCT, "Nur auf Deutsch.", lang="ja"),  # another language's pack only
            CommentaryRow("K5", Month(2026, 9), "September's words."),  # another month
        ),
    )
    commentary = pack(workbook).data["commentary"]
    assert commentary["key_messages"] == [
        {"text": "October was a quiet month.", "refs": [], "source": "controller"},
        {"text": "Nothing needs a decision.", "refs": [], "source": "controller"},
    ]
    by_subject = {s["subject"]: s for s in commentary["subjects"]}
    assert by_subject["K4"] == {
        "subject": "K4", "text": "Two deals moved to November; both are signed.", "refs": [], "source": "controller",
    }  # fmt: skip
    assert by_subject["K5"]["source"] == "drafted"


def _commentary_sheet(rows: list[list[object]]) -> Any:
    def change(sheets: dict[str, Rows]) -> None:
        sheets["Commentary"] = [["subject", "month", "text"], *rows]

    return change


def test_build_final_refuses_while_a_material_subject_has_only_drafted_text(make_workbook: Any, tmp_path: Path) -> None:
    # June: K1 120 against 100 is +20%, material; the controller wrote the key messages.
    path = make_workbook(_commentary_sheet([["*", "2026-06", "June went to plan."]]))
    result = CliRunner().invoke(cli, ["build", str(path), "-o", str(tmp_path / "out"), "--format", "json", "--final"])
    assert result.exit_code == 1
    assert "only drafted commentary for K1 (New revenue)" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    signed = make_workbook(
        _commentary_sheet([["*", "2026-06", "June went to plan."], ["K1", "2026-06", "A strong June."]]), "signed.xlsx"
    )
    result = CliRunner().invoke(cli, ["build", str(signed), "-o", str(tmp_path / "out"), "--format", "json", "--final"])
    assert result.exit_code == 0, result.output


def test_build_final_refuses_drafted_key_messages_alone(make_workbook: Any, tmp_path: Path) -> None:
    path = make_workbook(_commentary_sheet([["K1", "2026-06", "A strong June."]]))
    result = CliRunner().invoke(cli, ["build", str(path), "-o", str(tmp_path / "out"), "--format", "json", "--final"])
    assert result.exit_code == 1
    assert "only drafted commentary for the key messages (*)." in result.output


def test_an_unknown_commentary_subject_names_its_cell(make_workbook: Any) -> None:
    path = make_workbook(_commentary_sheet([["K9", "2026-06", "Who is K9?"]]))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert "Commentary!A2" in result.output and "'K9' is not a KPI or KGI id" in result.output


def test_draft_prints_the_key_messages_and_the_comments(make_workbook: Any) -> None:
    result = CliRunner().invoke(cli, ["draft", str(make_workbook())])
    assert result.exit_code == 0, result.output
    # K1: 120 against 100 in June, +20 (120.0%); the YTD 320 of 300 is +6.7%: the month is larger.
    assert "New revenue was ¥120 in Jun 2026 against a target of ¥100, ¥20 better than target (120.0% attainment)." in (
        result.output
    )
    assert "[Drafted]" in result.output


# -- hostile text ---------------------------------------------------------------------------------


def test_hostile_controller_text_stays_text_everywhere(tmp_path: Path) -> None:
    from pptx import Presentation

    from kpireport.presenting.deck import render_pptx
    from kpireport.presenting.metrics_workbook import render_xlsx
    from kpireport.presenting.pack_html import render_html

    hostile = '</script><img src=x onerror="alert(1)">=HYPERLINK("http://evil.invalid")\x1b[2J' + "x" * 30_000
    workbook = dataclasses.replace(
        book([kpi("K4")], actuals=october({"K4": 80.0})),
        commentary=(CommentaryRow("K4", OCT, hostile), CommentaryRow("*", OCT, hostile)),
    )
    finished = pack(workbook)
    view = finished.view
    html = render_html(finished.interactive_view(), interactive=True)
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;/script&gt;&lt;img" in html
    assert "x" * 2_100 not in html  # clipped for display (2,000 characters)
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(view)))["Commentary"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert any(str(c.value).startswith("</script>") for c in cells)
    deck = Presentation(io.BytesIO(render_pptx(view)))
    assert any(
        "=HYPERLINK(" in shape.text_frame.text for s in deck.slides for shape in s.shapes if shape.has_text_frame
    )
    # The JSON keeps the words whole but for the clip; the JSON itself is valid.
    json.dumps(finished.data)


# -- draft --write -----------------------------------------------------------------------------


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_draft_write_adds_a_commentary_sheet_that_makes_the_pack_final(make_workbook: Any, tmp_path: Path) -> None:
    source = make_workbook()  # no Commentary sheet; June: K1 +20% is material
    before = _sha(source)
    copy = tmp_path / "edit.xlsx"
    result = CliRunner().invoke(cli, ["draft", str(source), "--write", str(copy)])
    assert result.exit_code == 0, result.output
    assert _sha(source) == before  # the input is never modified
    sheet = openpyxl.load_workbook(copy)["Commentary"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["subject", "month", "text", "lang"]
    subjects = [row[0] for row in rows[1:]]
    # Every drafted key message (*) and the material K1, for June, in English.
    assert "K1" in subjects and subjects[0] == "*"
    assert {row[1] for row in rows[1:]} == {"2026-06"} and {row[3] for row in rows[1:]} == {"en"}
    k1 = next(row[2] for row in rows[1:] if row[0] == "K1")
    assert k1.startswith("New revenue was ¥120 in Jun 2026 against a target of ¥100")
    assert f"Wrote {copy}: {len(rows) - 1} drafted rows added" in result.output
    # Read back, the rows are the controller's: the copy builds with --final.
    built = CliRunner().invoke(cli, ["build", str(copy), "-o", str(tmp_path / "out"), "--format", "json", "--final"])
    assert built.exit_code == 0, built.output
    [data] = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").glob("*.json")]
    assert {s["source"] for s in data["commentary"]["subjects"]} == {"controller"}


def test_draft_write_never_changes_a_row_the_sheet_has(make_workbook: Any, tmp_path: Path) -> None:
    source = make_workbook(_commentary_sheet([["*", "2026-06", "June went to plan."], ["K1", "2026-05", "May."]]))
    copy = tmp_path / "edit.xlsx"
    result = CliRunner().invoke(cli, ["draft", str(source), "--write", str(copy)])
    assert result.exit_code == 0, result.output
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(copy)["Commentary"].iter_rows()]
    # The sheet's three columns kept as they were, and one row added: K1 for June (the key
    # messages have a row for June; May's K1 row is another month's).
    assert rows[:3] == [["subject", "month", "text"], ["*", "2026-06", "June went to plan."], ["K1", "2026-05", "May."]]
    assert [row[:2] for row in rows[3:]] == [["K1", "2026-06"]]


def test_a_goals_key_message_says_where_the_last_pack_had_it_land(tmp_path: Path) -> None:
    """SPEC §3b: "how that landing moved since the last pack". The goal G-OFF lands at
    629 + 5 x 100 x (629/700) = 1,078.29 this month (a count: shown 1,078); the previous pack
    said 1,150."""
    from kpireport.computing.changes import Changes
    from kpireport.computing.report import with_changes

    report = build_report(_goals_book(), OCT)
    previous = Changes("2026-09", (), (), (), {}, outlooks={"G-OFF": 1150.0})
    finished = finish(with_changes(report, previous), today=dt.date(2026, 11, 24))
    first = finished.data["commentary"]["key_messages"][0]["text"]
    assert first == (
        "Goal off track is off track and lands at 1,078 against its target of 1,200, from 1,150 in the last pack."
    )


@pytest.mark.parametrize(
    ("monthly_target", "en", "ja"),
    [
        # 12 months × 110 = 1,320 against the goal's 1,200: 10.0% over (a warning beyond 2%)
        (110.0, "(10.0% over)", "（10.0%超過）"),
        # 12 × 95 = 1,140: 5.0% short
        (95.0, "(5.0% short)", "（5.0%不足）"),
    ],
)
def test_a_kpi_plan_that_does_not_add_up_to_its_goal_is_a_decision(monthly_target: float, en: str, ja: str) -> None:
    goal = Kgi("G-PLAN", "New customers", 1200.0, deadline=MAR_2027, measured_by="K1")
    messages = {}
    for locale in ("en", "ja"):
        plan = dict.fromkeys(YEAR, monthly_target)
        actual = {m: monthly_target for m in YEAR if m <= OCT}
        kpis = [kpi("K1", kgi="G-PLAN")]
        workbook = book(kpis, targets={"K1": plan}, actuals={"K1": actual}, kgis=[goal], locale=locale)
        texts = [m["text"] for m in pack(workbook).data["commentary"]["key_messages"]]
        messages[locale] = next(t for t in texts if t.startswith(("Decisions needed", "判断が必要")))
    expected = f"Decisions needed: the KPI plan under New customers, which does not add up to the goal {en}."
    assert messages["en"] == expected
    assert messages["ja"] == f"判断が必要な事項：New customersのKPI計画の合計とKGI目標の差{ja}。"
