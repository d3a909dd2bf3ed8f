"""SPEC v1.2 §3 for goals, every expected value worked by hand in the comments: the phased
plan, the at-risk band, budgets, formula goals, the deadline, ALIGN and DISCONNECT, the
outlook paced by plan, figures from the values as read, like-for-like quarters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import OCT, YEAR, book, kpi

from kpireport.cli import cli
from kpireport.computing.metrics import attainment, period, status, variance
from kpireport.computing.report import build_report
from kpireport.formula import parse_formula
from kpireport.model import Aggregation, Direction, Kgi, Month, Thresholds, Workbook
from kpireport.presenting.finished import FinishedPack, finish

MAR_2027 = dt.date(2027, 3, 31)
BACK_LOADED = {m: 50.0 if m < OCT else 150.0 for m in YEAR}  # Apr-Sep 50, Oct-Mar 150: 1,200


def goal(target: float = 1200.0, **fields: object) -> Kgi:
    base: dict[str, object] = {"unit": "currency", "deadline": MAR_2027, "measured_by": "K1"}
    return Kgi("G1", "Revenue goal", target, **{**base, **fields})  # type: ignore[arg-type]


def pack(workbook: Workbook, month: Month = OCT, *, quarterly: bool = False) -> FinishedPack:
    return finish(build_report(workbook, month, quarterly=quarterly), today=dt.date(2026, 11, 24))


def revenue(**fields: object) -> object:
    return kpi("K1", name="Revenue", unit="currency", **fields)


# -- the phased plan ---------------------------------------------------------------------------


def test_a_goal_on_its_back_loaded_plan_is_on_track_everywhere_on_the_pack() -> None:
    """Plan Apr-Sep 50, Oct-Mar 150 (1,200); done exactly that to October: 6 x 50 + 150 = 450.
    Plan to date 450 / 1,200 = 37.5%, progress 450 / 1,200 = 37.5%: on track, although
    214 of 365 days (58.6%) have gone."""
    workbook = book(
        [revenue()],
        targets={"K1": BACK_LOADED},
        actuals={"K1": {m: BACK_LOADED[m] for m in YEAR if m <= OCT}},
        kgis=[goal(formula=parse_formula("[K1]"))],
    )
    finished = pack(workbook)
    data = finished.data["kgis"][0]
    assert (data["progress"], data["expected_progress"], data["expected_basis"]) == (0.375, 0.375, "plan")
    assert (data["state"], data["on_track"]) == ("on_track", True)
    # Landing: the plan's Nov-Mar 5 x 150 at the pace to date (450/450 = 1) = 750, so 1,200;
    # the plain run rate 450 / 7 x 5 = 321.43 more, 771.43 (64.3%).
    assert data["outlook"] == 1200.0
    assert data["projected"] == pytest.approx(771.428571428571)
    # The pace: 750 over 5 months is 150 a month, the plan's own 150: nothing to speed up.
    assert data["required_pace"]["per_month"] == 150.0
    assert data["required_pace"]["planned_per_month"] == 150.0
    view = finished.view
    card = view.kgis[0]
    assert card.state == "On track"
    # against the goal's own 1,200 (a KPI table's full year is against the KPI's plan): it says so
    assert card.landing == "Against the goal: At run rate ¥771 (64.3%) · Outlook ¥1,200 (100.0%)"
    assert view.paces == ()  # neither the goal's KPI nor any other must speed up
    assert view.bridges[0].sentence.startswith("Over these months, every driver is on plan or ahead of it")
    assert view.summary.kgis[0].state == "On track"
    assert [f.code for f in finished.findings if f.code in {"DISCONNECT", "ALIGN"}] == []


@pytest.mark.parametrize(
    ("october", "state"),
    [
        # Flat plan 100 a month: 700 of 1,200 to October, expected 58.3333333333333%. The band
        # starts at 0.9 x that = 52.5%, i.e. 630 done: Apr-Sep 6 x 90 = 540 plus October.
        (100.0, "at_risk"),  # 640: 53.3%, under the plan's 58.3% but within the band
        (90.0, "at_risk"),  # 630: 52.5%, exactly the band's edge
        (89.0, "off_track"),  # 629: 52.4%
    ],
)
def test_at_risk_within_amber_at_of_the_plan(october: float, state: str) -> None:
    actuals = {m: 90.0 for m in YEAR if m < OCT} | {OCT: october}
    workbook = book([revenue()], actuals={"K1": actuals}, kgis=[goal()])
    data = pack(workbook).data["kgis"][0]
    assert data["state"] == state
    assert data["on_track"] is False


def test_on_plan_exactly_is_on_track() -> None:
    # 7 x 100 = 700 of 1,200 against the plan's 700 of 1,200.
    data = pack(book([revenue()], kgis=[goal()])).data["kgis"][0]
    assert (data["progress"], data["expected_progress"], data["state"]) == (0.583333333333333, 0.583333333333333,
                                                                            "on_track")  # fmt: skip


def test_a_plan_missing_a_month_falls_back_to_the_time_elapsed() -> None:
    targets = {m: 100.0 for m in YEAR if m != Month(2027, 3)}
    data = pack(book([revenue()], targets={"K1": targets}, kgis=[goal()])).data["kgis"][0]
    # 2026-04-01 to the end of October: 214 days of the 365 to 2027-03-31.
    assert data["expected_basis"] == "time"
    assert data["expected_progress"] == pytest.approx(214 / 365)


def test_a_two_year_goal_follows_its_plan_across_both_years() -> None:
    """Start 2025-04, deadline 2027-03: FY2025's plan 12 x 50 = 600, FY2026's 12 x 100 = 1,200.
    Done 600 + 7 x 100 = 1,300 to October 2026 against a plan to date of the same 1,300."""
    fy2025 = [Month(2025, 4).shift(i) for i in range(12)]
    targets = dict.fromkeys(fy2025, 50.0) | dict.fromkeys(YEAR, 100.0)
    actuals = dict.fromkeys(fy2025, 50.0) | {m: 100.0 for m in YEAR if m <= OCT}
    workbook = book([revenue()], targets={"K1": targets}, actuals={"K1": actuals},
                    kgis=[goal(1800.0, start=Month(2025, 4))])  # fmt: skip
    data = pack(workbook).data["kgis"][0]
    assert data["actual"] == 1300.0
    assert data["expected_progress"] == pytest.approx(1300 / 1800)
    assert (data["expected_basis"], data["state"]) == ("plan", "on_track")


# -- budgets, formula goals, the deadline -------------------------------------------------------


@pytest.mark.parametrize(
    ("monthly_spend", "state"),
    [
        (100.0, "on_track"),  # 700 spent: 58.3%, the plan's 58.3%
        (105.0, "at_risk"),  # 735: 61.25%, within 58.3% / 0.9 = 64.8%
        (120.0, "off_track"),  # 840: 70.0%, beyond it
    ],
)
def test_a_lower_sum_kpi_makes_a_budget_judged_cumulatively(monthly_spend: float, state: str) -> None:
    spend = kpi("K1", name="Opex", unit="currency", direction=Direction.LOWER)
    workbook = book([spend], actuals={"K1": {m: monthly_spend for m in YEAR if m <= OCT}}, kgis=[goal()])
    data = pack(workbook).data["kgis"][0]
    assert data["actual"] == monthly_spend * 7
    assert data["progress"] == pytest.approx(monthly_spend * 7 / 1200)
    assert data["state"] == state


def test_a_formula_goal_without_a_measuring_kpi_is_measured_by_its_formula() -> None:
    """Deals x deal size: plan 10 x 5 = 50 a month, 600 a year (the goal). Actuals 10 x 5 to
    September and 8 x 5 in October: 6 x 50 + 40 = 340 done against a plan to date of 350.
    Progress 340 / 600 = 56.7%, expected 350 / 600 = 58.3%, band 52.5%: at risk."""
    deals, size = kpi("D", name="Deals"), kpi("S", name="Deal size", unit="currency", aggregation=Aggregation.AVERAGE)
    workbook = book(
        [deals, size],
        targets={"D": dict.fromkeys(YEAR, 10.0), "S": dict.fromkeys(YEAR, 5.0)},
        actuals={"D": {m: 10.0 if m < OCT else 8.0 for m in YEAR if m <= OCT}, "S": {m: 5.0 for m in YEAR if m <= OCT}},
        kgis=[goal(600.0, measured_by=None, formula=parse_formula("[D] * [S]"))],
    )
    data = pack(workbook).data["kgis"][0]
    assert data["actual"] == 340.0
    assert data["progress"] == pytest.approx(340 / 600)
    assert data["expected_progress"] == pytest.approx(350 / 600)
    assert (data["expected_basis"], data["state"]) == ("plan", "at_risk")


def test_a_goal_is_judged_as_of_its_deadline() -> None:
    """Deadline 2026-06-30, plan 100 a month April to June (300); 30 done each month, on
    through October. In October's pack it is judged as of June: 90 of 300, 30%, missed."""
    workbook = book(
        [revenue()],
        targets={"K1": {m: 100.0 for m in YEAR if m <= Month(2026, 6)}},
        actuals={"K1": {m: 30.0 for m in YEAR if m <= OCT}},
        kgis=[goal(300.0, deadline=dt.date(2026, 6, 30))],
    )
    data = pack(workbook).data["kgis"][0]
    assert (data["actual"], data["progress"], data["expected_progress"]) == (90.0, 0.3, 1.0)
    assert (data["state"], data["outlook"]) == ("off_track", 90.0)


def test_at_its_deadline_a_goal_is_met_or_missed_never_at_risk() -> None:
    # June: 3 x 95 = 285 of 300, 95%: within the band, but the deadline has come.
    workbook = book(
        [revenue()],
        targets={"K1": {m: 100.0 for m in YEAR if m <= Month(2026, 6)}},
        actuals={"K1": {m: 95.0 for m in YEAR if m <= Month(2026, 6)}},
        kgis=[goal(300.0, deadline=dt.date(2026, 6, 30))],
    )
    assert pack(workbook, Month(2026, 6)).data["kgis"][0]["state"] == "off_track"


def test_a_level_goal_at_risk_by_its_attainment() -> None:
    # NPS 37 against 40: 92.5%, between amber_at 0.9 and green_at 1.0.
    nps = kpi("K1", name="NPS", aggregation=Aggregation.AVERAGE)
    workbook = book([nps], actuals={"K1": {m: 37.0 for m in YEAR if m <= OCT}}, kgis=[goal(40.0, unit="number")])
    data = pack(workbook).data["kgis"][0]
    assert (data["progress"], data["expected_progress"], data["state"]) == (0.925, None, "at_risk")


# -- ALIGN and DISCONNECT -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "severity"),
    [
        (dict.fromkeys(YEAR, 102.0), "info"),  # 1,224 against 1,200: 2.0% over, a note
        (dict.fromkeys(YEAR, 102.0) | {Month(2027, 3): 103.0}, "warning"),  # 1,225: 2.08%
    ],
)
def test_align_when_the_kpi_plan_and_the_goal_disagree(targets: dict[Month, float], severity: str) -> None:
    finished = pack(book([revenue()], targets={"K1": targets}, kgis=[goal()]))
    [align] = [f for f in finished.findings if f.code == "ALIGN"]
    assert (align.severity, align.kgi) == (severity, "G1")
    assert "asks ¥1,200" in align.message and "add up to ¥1,22" in align.message


def test_no_align_when_the_plan_adds_up_to_the_goal() -> None:
    assert not [f for f in pack(book([revenue()], kgis=[goal()])).findings if f.code == "ALIGN"]


@pytest.mark.parametrize(("october", "fires"), [(90.0, False), (89.0, True)])
def test_disconnect_only_for_an_off_track_goal(october: float, fires: bool) -> None:
    """K1 carries the goal (at risk at 630, off track at 629, as above); K2-K4 are green, and
    K1's October (90 or 89 of 100) is amber or red: 3 of 4 green, the 75% DISCONNECT asks."""
    actuals = {m: 90.0 for m in YEAR if m < OCT} | {OCT: october}
    workbook = book([revenue(), kpi("K2"), kpi("K3"), kpi("K4")], actuals={"K1": actuals}, kgis=[goal()])
    codes = [f.code for f in pack(workbook).findings]
    assert ("DISCONNECT" in codes) is fires


# -- the outlook and the pace --------------------------------------------------------------------


def test_an_empty_forecast_month_is_its_target_at_the_pace_to_date() -> None:
    """Plan 100 a month; 90 a month done to October: YTD 630 of 700, pace 0.9. The Forecast
    sheet says 200 for November; December-March are 4 x 100 x 0.9 = 360. Outlook 630 + 200 +
    360 = 1,190 of the 1,200 plan."""
    workbook = dataclasses.replace(
        book([revenue()], actuals={"K1": {m: 90.0 for m in YEAR if m <= OCT}}),
        forecasts={"K1": {Month(2026, 11): 200.0}},
    )
    forecast = pack(workbook).data["kpis"][0]["forecast"]
    assert forecast["outlook"] == pytest.approx(1190.0)
    assert forecast["outlook_attainment"] == pytest.approx(1190 / 1200)
    assert forecast["projected"] == pytest.approx(90.0 * 12)  # the plain run rate


def test_a_kpi_behind_its_plan_must_speed_up_and_one_on_plan_need_not() -> None:
    """K1 back-loaded and on plan: 750 to go over 5 months is 150, its plan's 150. K2 flat 100
    and 80 done a month: 1,200 - 560 = 640 over 5 months is 128 against the plan's 100."""
    workbook = book(
        [revenue(), kpi("K2", name="Leads")],
        targets={"K1": BACK_LOADED},
        actuals={"K1": {m: BACK_LOADED[m] for m in YEAR if m <= OCT}, "K2": {m: 80.0 for m in YEAR if m <= OCT}},
    )
    view = pack(workbook).view
    assert [(row.name, row.per_month) for row in view.paces] == [("Leads", "128")]


# -- figures from the values as read ------------------------------------------------------------


def test_a_churn_typed_as_a_formula_is_judged_from_its_full_value(make_workbook: Any, tmp_path: Path) -> None:
    """=0.05/0.9 against a 5% target, lower is better: 0.05 / (0.05/0.9) = 0.9, amber. Read
    rounded to 15 digits first (0.0555555555555556), it would be 0.899999999999999, red."""
    churn = 0.05 / 0.9
    assert attainment(0.05, churn, Direction.LOWER) == 0.9
    assert status(0.05, churn, Direction.LOWER, Thresholds()) == "amber"

    def typed(sheets: dict[str, Any]) -> None:
        sheets["KPI"][2] = ["K2", "Churn", "Sales", "G1", None, "percent", "lower", "average", "kpi", "Bob"]
        sheets["Targets"][2] = ["K2", *([0.05] * 12)]
        sheets["Actuals"][2] = ["K2", churn, churn, churn]  # the cell's full value, as Excel saves it

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(make_workbook(typed)), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    [data] = [json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")]
    month = next(k for k in data["kpis"] if k["id"] == "K2")["month"]
    assert (month["attainment"], month["status"]) == (0.9, "amber")


def test_a_difference_within_float_noise_is_zero_and_favourable() -> None:
    # 0.1 + 0.2 against 0.3 is 5.55e-17 apart in binary: Excel shows 0.
    assert variance(0.3, 0.1 + 0.2, Direction.HIGHER) == (0.0, True)
    assert variance(0.3, 0.1 + 0.2, Direction.LOWER) == (0.0, True)
    assert period(0.3, 0.1 + 0.2, Direction.HIGHER, Thresholds()).status == "green"


def test_every_json_number_has_at_most_fifteen_significant_digits() -> None:
    # 29/30 is 0.9666666666666667 as a double: the JSON says 0.966666666666667.
    actuals = {m: 29 / 30 for m in YEAR if m <= OCT}
    data = pack(book([kpi("K1", unit="percent")], actuals={"K1": actuals})).data
    kpi_data = data["kpis"][0]
    assert kpi_data["mom"]["previous"] == 0.966666666666667
    assert kpi_data["series"]["actual"][0] == 0.966666666666667
    text = json.dumps(data)
    assert "0.9666666666666667" not in text


# -- the quarterly review -------------------------------------------------------------------------


def test_the_quarter_so_far_is_compared_like_for_like() -> None:
    """October opens the April year's third quarter: October's 90 against July's 100 (not
    July-September's 300): -10, -10%."""
    actuals = {m: 100.0 for m in YEAR if m < OCT} | {OCT: 90.0}
    data = pack(book([revenue()], actuals={"K1": actuals}), quarterly=True).data
    quarter = data["quarterly"]
    assert quarter["quarter"] == "2026-Q3"
    assert quarter["months"] == ["2026-10", "2026-11", "2026-12"]
    [row] = quarter["kpis"]
    assert row["kpi"] == "K1"
    assert row["vs_last_quarter"] == {"previous": 100.0, "delta": -10.0, "delta_pct": -0.1}
    assert (row["qtd"]["actual"], row["qtd"]["target"]) == (90.0, 100.0)


def test_without_the_review_the_json_says_so() -> None:
    assert pack(book([revenue()])).data["quarterly"] is None


def test_the_quarterly_review_reaches_the_deck_and_the_metrics_workbook() -> None:
    import io

    import openpyxl
    from pptx import Presentation

    from kpireport.presenting.deck import render_pptx
    from kpireport.presenting.metrics_workbook import render_xlsx

    actuals = {m: 100.0 for m in YEAR if m < OCT} | {OCT: 90.0}
    view = pack(book([revenue()], actuals={"K1": actuals}), quarterly=True).view
    deck = Presentation(io.BytesIO(render_pptx(view)))
    [slide] = [s for s in deck.slides if any(sh.has_text_frame and sh.text_frame.text.startswith("Quarterly review")
                                               for sh in s.shapes)]  # fmt: skip
    [table] = [sh.table for sh in slide.shapes if sh.has_table]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0][:4] == ["KPI", "Oct 2026", "Nov 2026", "Dec 2026"]
    # October's ¥90 against July's ¥100: −¥10, −10.0%.
    assert cells[1][0] == "Revenue" and cells[1][1] == "¥90" and cells[1][-1] == "−¥10 −10.0%"
    book_ = openpyxl.load_workbook(io.BytesIO(render_xlsx(view)))
    sheet = book_["Quarterly review"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["id"] == "K1" and row["Oct 2026"] == 90 and row["Nov 2026"] is None
    assert row["vs last quarter, same months"] == -10 and row["vs last quarter, same months %"] == -0.1
