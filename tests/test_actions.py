"""SPEC v1.2 §2 and §3c by hand: the Actions sheet as read (English and Japanese, every bad
cell named), each action's figures in the report month, the OVERDUE and NO-ACTION findings and
the JSON's ``actions``. Every expected value is worked out in the comment beside it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from conftest import OCT, YEAR, Rows, book, kpi

from kpireport.computing.actions import evaluate_action, quarter_effect
from kpireport.computing.report import build_report
from kpireport.errors import WorkbookError
from kpireport.formatting import Formatter
from kpireport.formula import parse_formula
from kpireport.model import Action, ActionStatus, Aggregation, CellRef, Direction, Kgi, Month, Workbook
from kpireport.presenting.pack_json import to_json
from kpireport.reading.workbook import read_workbook

Make = Callable[..., Path]
HEADER = ["id", "target", "action", "owner", "email", "opened", "due", "status", "expected", "closed"]
JUN, JUL, AUG, SEP, NOV, DEC = (Month(2026, m) for m in (6, 7, 8, 9, 11, 12))
SCHEMA = json.loads((Path(__file__).parent.parent / "kpireport/data/kpireport-v1.schema.json").read_text())


def with_actions(*rows: list[object]) -> Callable[[dict[str, Rows]], None]:
    def change(sheets: dict[str, Rows]) -> None:
        sheets["Actions"] = [list(HEADER), *[list(r) for r in rows]]

    return change


# -- reading ------------------------------------------------------------------------------------


def test_reads_the_actions_sheet(make_workbook: Make) -> None:
    path = make_workbook(
        with_actions(
            ["A1", "K1", "Call lapsed customers", "Ann", "ann@example.com", "2026-05", dt.date(2026, 6, 30)],
            ["A2", "G1", "Price review", "Cy", None, dt.date(2026, 6, 1), "2026/07/10", "Done", "23%", "2026-07-02"],
        )
    )
    first, second = read_workbook(path).actions or ()
    assert first == Action(
        "A1", "K1", "Call lapsed customers", "Ann", "ann@example.com", Month(2026, 5), dt.date(2026, 6, 30),
        ActionStatus.OPEN, None, None, CellRef("Actions", "A2"), CellRef("Actions", "E2"),
    )  # fmt: skip
    # A KGI id is a target; a date cell is a month; "23%" typed as text is 0.23; dates as text.
    assert (second.target, second.opened, second.due, second.status, second.expected, second.closed) == (
        "G1", Month(2026, 6), dt.date(2026, 7, 10), ActionStatus.DONE, 0.23, dt.date(2026, 7, 2),
    )  # fmt: skip


def test_no_actions_sheet_is_none_and_an_empty_one_is_no_action(make_workbook: Make) -> None:
    assert read_workbook(make_workbook()).actions is None
    assert read_workbook(make_workbook(with_actions(), name="empty.xlsx")).actions == ()


def test_japanese_headers_and_statuses(make_workbook: Make) -> None:
    def japanese(sheets: dict[str, Rows]) -> None:
        sheets["アクション"] = [
            ["ID", "対象", "アクション", "責任者", "メール", "開始月", "期限", "状況", "期待値", "完了日"],
            ["A1", "K1", "休眠顧客への架電", "田中", "tanaka@example.com", "2026年5月", "2026年6月30日", "未完了"],
            ["A2", "K2", "停止", "鈴木", None, "2026年5月", "２０２６年６月１５日", "完了", 45, "2026年6月20日"],
            ["A3", "G1", "価格改定の見直し", "佐藤", None, "2026年6月", "2026-07-10", "中止", None, "2026-06-25"],
        ]  # fmt: skip

    actions = read_workbook(make_workbook(japanese)).actions or ()
    assert [(a.status, a.due, a.closed) for a in actions] == [
        (ActionStatus.OPEN, dt.date(2026, 6, 30), None),
        (ActionStatus.DONE, dt.date(2026, 6, 15), dt.date(2026, 6, 20)),
        (ActionStatus.DROPPED, dt.date(2026, 7, 10), dt.date(2026, 6, 25)),
    ]
    assert actions[0].opened == Month(2026, 5)


def _row(**cells: object) -> list[object]:
    base: dict[str, object] = {
        "id": "A1", "target": "K1", "action": "Call lapsed customers", "owner": "Ann", "email": None,
        "opened": "2026-05", "due": dt.date(2026, 6, 30), "status": None, "expected": None, "closed": None,
    }  # fmt: skip
    return [{**base, **cells}[key] for key in HEADER]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (_row(target="K9"), "Actions!B2: 'K9' is neither a KPI id on the KPI sheet nor a KGI id"),
        (_row(target=None), "Actions!B2: action 'A1' has no target"),
        (_row(due="someday"), "Actions!G2: 'someday' is not a date; type a date such as 2026-10-31."),
        (_row(due="2026-02-30"), "Actions!G2: '2026-02-30' is not a date"),
        (_row(due=None), "Actions!G2: action 'A1' has no due date"),
        (_row(due="1850-01-01"), "Actions!G2: the year 1850 is outside 1900-2199"),
        (_row(opened="soon"), "Actions!F2: 'soon' is not a month"),
        (_row(status="finished"), "Actions!H2: 'finished' is not an action status; use one of: open (未完了)"),
        (_row(expected="lots"), "Actions!I2: 'lots' is not a number"),
        (_row(closed="2026-13-01", status="done"), "Actions!J2: '2026-13-01' is not a date"),
        (_row(closed=dt.date(2026, 6, 1)), "Actions!J2: action 'A1' is open but has a closed date"),
        (_row(status="done", closed=dt.date(2026, 4, 1)), "Actions!J2: action 'A1' closed on 2026-04-01, before"),
        (_row(id=None), "Actions!A2: this action row has no id"),
        (_row(action=None), "Actions!C2: action 'A1' says nothing"),
    ],
)
def test_a_bad_cell_is_named(make_workbook: Make, row: list[object], expected: str) -> None:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(make_workbook(with_actions(row)))
    assert expected in str(caught.value)


def test_a_repeated_id_and_a_missing_column_are_named(make_workbook: Make) -> None:
    with pytest.raises(WorkbookError, match=r"Actions!A3: action id 'A1' is used twice \(first at Actions!A2\)"):
        read_workbook(make_workbook(with_actions(_row(), _row())))

    def no_due(sheets: dict[str, Rows]) -> None:
        sheets["Actions"] = [["id", "target", "action"], ["A1", "K1", "Call"]]

    with pytest.raises(WorkbookError, match=r"Actions: column 'due' \(期限\) is missing"):
        read_workbook(make_workbook(no_due, name="no-due.xlsx"))


# -- metrics --------------------------------------------------------------------------------------

SALES = kpi("K1", name="New deals won")


def act(**fields: object) -> Action:
    base: dict[str, object] = {"id": "A1", "target": "K1", "action": "Call", "opened": JUL}
    base["due"] = dt.date(2026, 10, 31)
    return Action(**{**base, **fields})  # type: ignore[arg-type]


def judged(action: Action, workbook: Workbook | None = None, month: Month = OCT):  # type: ignore[no-untyped-def]
    return evaluate_action(action, workbook or book([SALES]), month)


@pytest.mark.parametrize(
    ("due", "month", "overdue", "due_soon"),
    [
        (dt.date(2026, 10, 31), OCT, True, False),  # due on the last day of the month: overdue in it
        (dt.date(2026, 10, 1), OCT, True, False),
        (dt.date(2026, 11, 1), OCT, False, True),  # the first day of m+1: due soon, not overdue
        (dt.date(2026, 11, 30), OCT, False, True),
        (dt.date(2026, 12, 1), OCT, False, False),
        (dt.date(2027, 1, 15), DEC, False, True),  # due soon across the year end: Dec → Jan
        (dt.date(2026, 12, 31), DEC, True, False),
        (dt.date(2027, 2, 1), DEC, False, False),
    ],
)
def test_overdue_and_due_soon(due: dt.date, month: Month, overdue: bool, due_soon: bool) -> None:
    result = judged(act(due=due), month=month)
    assert (result.overdue, result.due_soon) == (overdue, due_soon)


def test_only_an_open_action_is_overdue_or_due_soon() -> None:
    done = judged(act(status=ActionStatus.DONE, closed=dt.date(2026, 10, 5)))
    dropped = judged(act(status=ActionStatus.DROPPED, due=dt.date(2026, 11, 3), closed=dt.date(2026, 10, 5)))
    assert (done.overdue, done.due_soon, dropped.overdue, dropped.due_soon) == (False, False, False, False)


def test_an_action_closed_after_the_month_is_open_in_its_pack() -> None:
    action = act(status=ActionStatus.DONE, due=dt.date(2026, 9, 30), closed=dt.date(2026, 11, 2))
    in_october = judged(action)
    # Closed 2 Nov, after October: open (and overdue: due 30 Sep) in October's pack.
    assert (in_october.status, in_october.overdue, in_october.ended) == (ActionStatus.OPEN, True, None)
    in_november = judged(action, month=NOV)
    assert (in_november.status, in_november.overdue, in_november.ended) == (
        ActionStatus.DONE, False, dt.date(2026, 11, 2),
    )  # fmt: skip


def test_a_done_action_without_closed_ends_by_its_due_date() -> None:
    result = judged(act(status=ActionStatus.DONE, due=dt.date(2026, 11, 15)))
    # No closed date: nobody knows when it ended, so it is done; its due date places it in time.
    assert (result.status, result.ended, result.overdue, result.due_soon) == (
        ActionStatus.DONE, dt.date(2026, 11, 15), False, False,
    )  # fmt: skip


def test_baseline_latest_and_moved_on_a_kpi() -> None:
    workbook = book([SALES], actuals={"K1": {JUN: 84.0, JUL: 90.0, OCT: 112.0}})
    result = judged(act(opened=JUL), workbook)
    # Baseline: June (the month before July), 84 against 100 = 0.84; latest October 112 = 1.12.
    assert (result.baseline.month, result.baseline.actual, result.baseline.attainment) == (JUN, 84.0, 0.84)  # type: ignore[union-attr]
    assert (result.latest.month, result.latest.actual, result.latest.attainment) == (OCT, 112.0, 1.12)  # type: ignore[union-attr]
    assert result.moved == "improved"  # 1.12 − 0.84 = +28 points


def test_a_lower_is_better_kpi_improving() -> None:
    cost = kpi("K2", name="Cost per lead", unit="currency", direction=Direction.LOWER)
    workbook = book([cost], targets={"K2": dict.fromkeys(YEAR, 50.0)}, actuals={"K2": {JUN: 55.0, OCT: 45.0}})
    result = judged(act(target="K2", opened=JUL, expected=46.0, due=dt.date(2026, 9, 30)), workbook)
    # Lower is better: attainment = target ÷ actual. June 50/55 = 0.909090909090909 (15 digits),
    # October 50/45 = 1.11111111111111: improved although the actual fell.
    assert result.baseline is not None and result.latest is not None
    assert (result.baseline.attainment, result.latest.attainment) == (0.909090909090909, 1.11111111111111)
    assert result.moved == "improved"
    # Expected 46 by September; October's 45 is at most 46: reached.
    assert result.reached is True


def test_a_percent_kpi_and_its_flat_point() -> None:
    rate = kpi("K3", name="Win rate", unit="percent", aggregation=Aggregation.AVERAGE)
    targets = {"K3": dict.fromkeys(YEAR, 0.25)}
    workbook = book([rate], targets=targets, actuals={"K3": {JUL: 0.21, OCT: 0.233}})
    result = judged(act(target="K3", opened=AUG, expected=0.23, due=dt.date(2026, 9, 30)), workbook)
    # July 0.21 / 0.25 = 0.84, October 0.233 / 0.25 = 0.932: +9.2 points, improved;
    # October's 23.3% meets the expected 23.0%.
    assert result.baseline is not None and result.latest is not None
    assert (result.baseline.attainment, result.latest.attainment, result.moved, result.reached) == (
        0.84, 0.932, "improved", True,
    )  # fmt: skip
    # 0.21 → 0.2112: attainment 0.84 → 0.8448, +0.48 points: less than one point is flat.
    flat = book([rate], targets=targets, actuals={"K3": {JUL: 0.21, OCT: 0.2112}})
    assert judged(act(target="K3", opened=AUG), flat).moved == "flat"
    # 0.21 → 0.2125: 0.84 → 0.85, exactly one point: not less than one point, so improved.
    edge = book([rate], targets=targets, actuals={"K3": {JUL: 0.21, OCT: 0.2125}})
    assert judged(act(target="K3", opened=AUG), edge).moved == "improved"


def test_moved_by_the_actual_where_a_month_has_no_attainment() -> None:
    targets = {"K1": {m: 100.0 for m in YEAR if m != JUN}}
    workbook = book([SALES], targets=targets, actuals={"K1": {JUN: 90.0, OCT: 80.0}})
    result = judged(act(opened=JUL), workbook)
    # June has no target, so no attainment: judged by the actual, 90 → 80, worse for a higher KPI.
    assert result.baseline is not None and result.baseline.attainment is None
    assert result.moved == "worsened"


@pytest.mark.parametrize(
    ("month", "expected", "reached"),
    [
        (SEP, 95.0, None),  # before the due month (October): not judged yet
        (OCT, 95.0, True),  # the due month: October's 100 ≥ 95
        (OCT, 105.0, False),  # 100 < 105
        (NOV, 105.0, True),  # after it: November's 110 ≥ 105
        (OCT, None, None),  # nothing expected
    ],
)
def test_reached_before_and_after_the_due_month(month: Month, expected: float | None, reached: bool | None) -> None:
    workbook = book([SALES], actuals={"K1": {JUN: 80.0, SEP: 90.0, OCT: 100.0, NOV: 110.0}})
    assert judged(act(expected=expected), workbook, month).reached is reached


def test_an_action_on_a_kgi_is_judged_through_its_measuring_kpi() -> None:
    goal = Kgi("G1", "Revenue", 1200.0, deadline=dt.date(2027, 3, 31), measured_by="K1")
    workbook = book([SALES], kgis=[goal], actuals={"K1": {JUN: 80.0, OCT: 95.0}})
    result = judged(act(target="G1", opened=JUL, expected=90.0), workbook)
    # K1 measures G1: June 80/100 = 0.8 → October 95/100 = 0.95, improved; 95 ≥ 90 reached.
    assert (result.kpi, result.kgi) == ("K1", "G1")
    assert result.baseline is not None and result.latest is not None
    assert (result.baseline.actual, result.latest.attainment, result.moved, result.reached) == (
        80.0, 0.95, "improved", True,
    )  # fmt: skip


def test_an_action_on_a_formula_kgi_is_judged_by_the_formula_of_the_month() -> None:
    deals, size = kpi("K1"), kpi("K2", name="Deal size", aggregation=Aggregation.AVERAGE)
    goal = Kgi("G1", "Revenue", 1200.0, formula=parse_formula("[K1] * [K2]"))
    targets = {"K1": dict.fromkeys(YEAR, 10.0), "K2": dict.fromkeys(YEAR, 5.0)}
    actuals = {"K1": {JUN: 8.0, OCT: 12.0}, "K2": {JUN: 5.0, OCT: 4.5}}
    workbook = book([deals, size], kgis=[goal], targets=targets, actuals=actuals)
    result = judged(act(target="G1", opened=JUL), workbook)
    # Plan 10 × 5 = 50 a month. June 8 × 5 = 40 → 0.8; October 12 × 4.5 = 54 → 1.08.
    assert result.kpi is None and result.kgi == "G1"
    assert result.baseline is not None and result.latest is not None
    assert (result.baseline.actual, result.baseline.attainment) == (40.0, 0.8)
    assert (result.latest.actual, result.latest.attainment, result.moved) == (54.0, 1.08, "improved")


def test_an_action_on_a_kgi_with_nothing_to_measure_has_no_figures() -> None:
    goal = Kgi("G1", "Be loved", None)
    result = judged(act(target="G1", expected=5.0, due=dt.date(2026, 9, 30)), book([SALES], kgis=[goal]))
    assert (result.baseline, result.latest, result.moved, result.reached) == (None, None, None, None)


def test_without_opened_there_is_no_baseline() -> None:
    result = judged(act(opened=None))
    assert (result.baseline, result.moved) == (None, None)
    assert result.latest is not None


def test_the_quarters_done_actions_whose_kpi_improved() -> None:
    workbook = book([SALES], actuals={"K1": {JUN: 80.0, AUG: 120.0, OCT: 100.0}})
    actions = (
        act(id="A1", opened=JUL, status=ActionStatus.DONE, closed=dt.date(2026, 10, 10)),  # 0.8 → 1.0: improved
        act(id="A2", opened=SEP, status=ActionStatus.DONE, due=dt.date(2026, 10, 20)),  # 1.2 → 1.0: worsened
        act(id="A3", opened=JUL, status=ActionStatus.DONE, closed=dt.date(2026, 9, 30)),  # last quarter: out
        act(id="A4", opened=JUL, status=ActionStatus.DROPPED, closed=dt.date(2026, 10, 2)),  # dropped: out
        act(id="A5", opened=JUL),  # open: out
    )
    results = [evaluate_action(a, workbook, OCT) for a in actions]
    effect = quarter_effect(results, workbook.settings, OCT)
    # Fiscal Q3 (April year) starts in October: A1 and A2 are done in it, one improved: 1 of 2.
    assert (effect.done, effect.judged, effect.improved, effect.share) == (2, 2, 1, 0.5)


# -- findings and JSON ------------------------------------------------------------------------------


def tracked(workbook: Workbook, *actions: Action) -> Workbook:
    return dataclasses.replace(workbook, actions=actions)


def codes(workbook: Workbook, month: Month = OCT) -> list[tuple[str, str, str | None, str | None]]:
    report = build_report(workbook, month)
    return [(f.code, f.key, f.kpi, f.kgi) for f in report.findings if f.code in ("OVERDUE", "NO-ACTION")]


RED = {"K1": {m: 100.0 for m in YEAR if m < OCT} | {OCT: 50.0}}  # 50/100 = 0.5 in October: red, one month
ALWAYS_RED = {"K1": {m: 50.0 for m in YEAR if m <= OCT}}  # red since April: REVIEW


def test_overdue_is_a_warning_per_overdue_action() -> None:
    workbook = tracked(book([SALES]), act(id="A1", due=dt.date(2026, 10, 31)), act(id="A2", due=dt.date(2026, 11, 5)))
    assert codes(workbook) == [("OVERDUE", "overdue", "K1", None)]


def test_no_action_for_a_red_kpi_nobody_acts_on() -> None:
    red = book([SALES], actuals=RED)
    assert codes(tracked(red)) == [("NO-ACTION", "no_action_red", "K1", None)]
    # An open action on the KPI, or on its KGI, is someone acting; a done one is not.
    assert codes(tracked(red, act(due=dt.date(2026, 11, 30)))) == []
    assert codes(tracked(red, act(target="G1", due=dt.date(2026, 11, 30)))) == []
    done = act(status=ActionStatus.DONE, closed=dt.date(2026, 10, 3))
    assert codes(tracked(red, done)) == [("NO-ACTION", "no_action_red", "K1", None)]
    # A workbook without an Actions sheet tracks no actions: it is not asked who acts.
    assert codes(red) == []


def test_no_action_for_a_kpi_under_review() -> None:
    assert codes(tracked(book([SALES], actuals=ALWAYS_RED))) == [("NO-ACTION", "no_action_review", "K1", None)]


def test_no_action_for_an_off_track_kgi() -> None:
    goal = Kgi("G1", "Revenue", 1200.0, deadline=dt.date(2027, 3, 31), measured_by="K1")
    other = kpi("K2", name="Calls", kgi="G2")
    # K1 sums 70 a month, April to October: 490 of 1,200 = 40.8% against 214/365 = 58.6% of the
    # time: off track. Each month 70/100 is red too.
    workbook = book([SALES, other], kgis=[goal], actuals={"K1": {m: 70.0 for m in YEAR if m <= OCT}})
    found = codes(tracked(workbook, act(target="K2", due=dt.date(2026, 11, 30))))
    assert ("NO-ACTION", "no_action_kgi", None, "G1") in found
    # An open action on one of its KPIs is someone acting on the goal (and on that KPI).
    assert codes(tracked(workbook, act(target="K1", due=dt.date(2026, 11, 30)))) == []


def test_the_findings_in_words() -> None:
    workbook = tracked(book([SALES], actuals=RED), act(action="Call lapsed customers", owner="Ann"))
    report = build_report(workbook, OCT)
    data = to_json(report, Formatter("en", "JPY"))
    messages = {f["code"]: f["message"] for f in data["findings"]}
    assert messages["OVERDUE"] == (
        "Action A1 “Call lapsed customers” on New deals won (Ann) was due Oct 31, 2026 and is still open."
    )
    japanese = to_json(report, Formatter("ja", "JPY"))
    overdue = next(f for f in japanese["findings"] if f["code"] == "OVERDUE")
    assert "期限 2026年10月31日 を過ぎても未完了" in overdue["message"]


def test_actions_in_the_json() -> None:
    rate = kpi("K3", name="Win rate", unit="percent", aggregation=Aggregation.AVERAGE)
    workbook = book([rate], targets={"K3": dict.fromkeys(YEAR, 0.25)}, actuals={"K3": {JUL: 0.21, OCT: 0.233}})
    later = dt.date(2026, 11, 2)
    workbook = tracked(
        workbook,
        act(id="A1", target="K3", owner="A. Tanaka", opened=AUG, due=dt.date(2026, 9, 30), status=ActionStatus.DONE,
            expected=0.23, closed=dt.date(2026, 9, 28)),
        act(id="A2", target="K3", opened=AUG, due=dt.date(2026, 10, 15), status=ActionStatus.DONE, closed=later),
        act(id="A3", target="K3", opened=NOV, due=dt.date(2026, 12, 15)),
    )  # fmt: skip
    data = to_json(build_report(workbook, OCT), Formatter("en", "JPY"))
    jsonschema.validate(data, SCHEMA)
    first, second = data["actions"]  # A3 opens in November: not in October's pack
    assert first == {
        "id": "A1", "target": "K3", "action": "Call", "owner": "A. Tanaka", "opened": "2026-08", "due": "2026-09-30",
        "status": "done", "overdue": False, "due_soon": False, "closed": "2026-09-28",
        "baseline": {"month": "2026-07", "actual": 0.21, "attainment": 0.84},
        "latest": {"month": "2026-10", "actual": 0.233, "attainment": 0.932},
        "moved": "improved", "expected": 0.23, "reached": True,
    }  # fmt: skip
    # Closed 2 November: open and overdue in October's pack, and no closed date shown yet.
    assert (second["status"], second["overdue"], second["closed"]) == ("open", True, None)
