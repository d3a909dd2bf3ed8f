"""SPEC §3, one rule at a time, on plain values."""

from __future__ import annotations

import datetime as dt

import pytest

from kpireport.computing.goals import evaluate_kgi, time_elapsed
from kpireport.computing.metrics import (
    aggregate,
    attainment,
    evaluate_kpi,
    month_over_month,
    red_streak,
    rollup,
    status,
)
from kpireport.model import (
    OKR_THRESHOLDS,
    Aggregation,
    Direction,
    Kgi,
    Kind,
    Kpi,
    Month,
    Settings,
    Thresholds,
)

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
DEFAULT = Thresholds()
APRIL_FY = Settings(company="X", fiscal_year_start=4)


def m(text: str) -> Month:
    return Month.parse(text)


@pytest.mark.parametrize(
    ("target", "actual", "direction", "expected"),
    [
        (100, 110, HIGHER, 1.1),
        (100, 80, HIGHER, 0.8),
        (50, 40, LOWER, 1.25),  # lower is better: target / actual
        (50, 60, LOWER, 50 / 60),
        (0, 10, HIGHER, None),  # target 0: undefined
        (0, 0, LOWER, None),
        (50, 0, LOWER, None),  # actual 0 on a lower KPI: undefined
        (100, 0, HIGHER, 0.0),
        (-5, 3, HIGHER, None),
        (100, None, HIGHER, None),
        (None, 100, HIGHER, None),
    ],
)
def test_attainment(target: float | None, actual: float | None, direction: Direction, expected: float | None) -> None:
    assert attainment(target, actual, direction) == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("target", "actual", "direction", "thresholds", "expected"),
    [
        (100, 100, HIGHER, DEFAULT, "green"),
        (100, 95, HIGHER, DEFAULT, "amber"),
        (100, 90, HIGHER, DEFAULT, "amber"),  # boundary: >= amber_at
        (100, 89.9, HIGHER, DEFAULT, "red"),
        (100, None, HIGHER, DEFAULT, "no_data"),
        (50, 55, LOWER, DEFAULT, "amber"),  # 50/55 = 0.909
        (50, 60, LOWER, DEFAULT, "red"),
        (0, 0, HIGHER, DEFAULT, "green"),  # attainment null: actual meets target
        (0, -1, HIGHER, DEFAULT, "red"),
        (0, 0, LOWER, DEFAULT, "green"),
        (0, 3, LOWER, DEFAULT, "red"),
        (5, 0, LOWER, DEFAULT, "green"),  # actual 0 beats a lower target
        (None, 10, HIGHER, DEFAULT, "no_data"),  # nothing to judge against
        (100, 70, HIGHER, OKR_THRESHOLDS, "green"),  # okr: 70% is good
        (100, 40, HIGHER, OKR_THRESHOLDS, "amber"),
        (100, 39, HIGHER, OKR_THRESHOLDS, "red"),
        (100, 95, HIGHER, Thresholds(0.95, 0.8), "green"),
    ],
)
def test_status(
    target: float | None, actual: float | None, direction: Direction, thresholds: Thresholds, expected: str
) -> None:
    assert status(target, actual, direction, thresholds) == expected


def test_month_over_month_higher_and_lower() -> None:
    actuals = {m("2026-05"): 80.0, m("2026-06"): 100.0}
    up = month_over_month(actuals, m("2026-06"), HIGHER)
    assert (up.previous, up.delta, up.delta_pct, up.trend) == (80.0, 20.0, 0.25, "improving")
    assert month_over_month(actuals, m("2026-06"), LOWER).trend == "worsening"


def test_month_over_month_missing_zero_and_negative_previous() -> None:
    assert month_over_month({m("2026-06"): 5.0}, m("2026-06"), HIGHER).delta is None
    zero = month_over_month({m("2026-05"): 0.0, m("2026-06"): 5.0}, m("2026-06"), HIGHER)
    assert zero.delta == 5.0 and zero.delta_pct is None and zero.trend == "improving"
    negative = month_over_month({m("2026-05"): -10.0, m("2026-06"): -5.0}, m("2026-06"), HIGHER)
    assert negative.delta_pct == pytest.approx(0.5)
    flat = month_over_month({m("2026-05"): 3.0, m("2026-06"): 3.0}, m("2026-06"), LOWER)
    assert flat.trend == "flat"


def test_month_over_month_in_percent_points_is_the_fraction_difference() -> None:
    result = month_over_month({m("2026-05"): 0.25, m("2026-06"): 0.27}, m("2026-06"), HIGHER)
    assert result.delta == pytest.approx(0.02)


def test_fiscal_year_and_quarter_starting_in_april() -> None:
    assert APRIL_FY.fiscal_year_of(m("2027-02")) == m("2026-04")
    assert APRIL_FY.fiscal_year_of(m("2026-04")) == m("2026-04")
    assert APRIL_FY.fiscal_year_of(m("2026-03")) == m("2025-04")
    assert APRIL_FY.fiscal_quarter_of(m("2026-06")) == m("2026-04")
    assert APRIL_FY.fiscal_quarter_of(m("2026-07")) == m("2026-07")
    assert APRIL_FY.fiscal_quarter_of(m("2027-01")) == m("2027-01")
    assert APRIL_FY.fiscal_quarter_of(m("2027-03")) == m("2027-01")
    calendar = Settings(company="X")
    assert calendar.fiscal_quarter_of(m("2026-12")) == m("2026-10")


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [(Aggregation.SUM, 60.0), (Aggregation.AVERAGE, 20.0), (Aggregation.LAST, 30.0)],
)
def test_aggregate(aggregation: Aggregation, expected: float) -> None:
    assert aggregate([10.0, 20.0, 30.0], aggregation) == expected
    assert aggregate([], aggregation) is None


def test_rollup_uses_only_months_with_an_actual() -> None:
    targets = {m("2026-04"): 100.0, m("2026-05"): 100.0, m("2026-06"): 100.0}
    actuals = {m("2026-04"): 90.0, m("2026-06"): 120.0}  # May missing: not zero
    months = [m("2026-04"), m("2026-05"), m("2026-06")]
    total = rollup(targets, actuals, months, Aggregation.SUM, HIGHER, DEFAULT)
    assert (total.target, total.actual, total.attainment, total.status) == (200.0, 210.0, 1.05, "green")
    average = rollup(targets, actuals, months, Aggregation.AVERAGE, HIGHER, DEFAULT)
    assert (average.target, average.actual) == (100.0, 105.0)
    last = rollup({**targets, m("2026-06"): 130.0}, actuals, months, Aggregation.LAST, HIGHER, DEFAULT)
    assert (last.target, last.actual, last.status) == (130.0, 120.0, "amber")
    empty = rollup(targets, {}, months, Aggregation.SUM, HIGHER, DEFAULT)
    assert (empty.target, empty.actual, empty.status) == (None, None, "no_data")


def test_forecast_projects_the_run_rate_over_twelve_months() -> None:
    kpi = Kpi(id="K1", name="Revenue", department="Sales")
    targets = {m("2026-04").shift(i): 100.0 for i in range(12)}
    actuals = {m("2026-04"): 90.0, m("2026-05"): 120.0, m("2026-06"): 90.0}
    result = evaluate_kpi(kpi, targets, actuals, APRIL_FY, m("2026-06")).forecast
    assert result is not None
    # (90 + 120 + 90) / 3 months × 12 = 1,200 against 12 × 100.
    assert (result.projected, result.full_year_target, result.attainment) == (1200.0, 1200.0, 1.0)
    assert evaluate_kpi(kpi, targets, {}, APRIL_FY, m("2026-06")).forecast is None


def test_forecast_is_null_unless_all_twelve_targets_exist() -> None:
    kpi = Kpi(id="K1", name="Revenue", department="Sales")
    april_to_june = {m("2026-04"): 100.0, m("2026-05"): 100.0, m("2026-06"): 100.0}
    actuals = {m("2026-04"): 100.0, m("2026-05"): 100.0, m("2026-06"): 100.0}
    assert evaluate_kpi(kpi, april_to_june, actuals, APRIL_FY, m("2026-06")).forecast is None


def test_red_streak_counts_back_from_the_report_month() -> None:
    targets = {m("2026-04").shift(i): 100.0 for i in range(6)}
    actuals = {m("2026-04"): 50.0, m("2026-05"): 95.0, m("2026-06"): 50.0, m("2026-07"): 60.0, m("2026-08"): 70.0}
    assert red_streak(targets, actuals, m("2026-08"), HIGHER, DEFAULT) == 3
    assert red_streak(targets, actuals, m("2026-05"), HIGHER, DEFAULT) == 0
    assert red_streak(targets, actuals, m("2026-09"), HIGHER, DEFAULT) == 0  # no data is not red


def test_expected_progress_is_the_share_of_days_elapsed() -> None:
    deadline = dt.date(2027, 3, 31)
    # 2026-04-01 .. end of 2026-10 = 214 days of 365.
    assert time_elapsed(m("2026-04"), deadline, m("2026-10")) == pytest.approx(214 / 365)
    assert time_elapsed(m("2026-04"), deadline, m("2027-03")) == pytest.approx(1.0)
    assert time_elapsed(m("2026-04"), None, m("2026-10")) is None
    assert time_elapsed(m("2026-04"), dt.date(2026, 6, 30), m("2026-10")) == 1.0


def test_kgi_progress_from_the_measuring_kpi_ytd() -> None:
    kpi = Kpi(id="K1", name="Revenue", department="Sales", kgi="G1")
    actuals = {m("2026-04"): 100.0, m("2026-05"): 100.0, m("2026-06"): 100.0}
    kgi = evaluate_kgi(
        Kgi("G1", "Revenue", 1200.0, deadline=dt.date(2027, 3, 31), measured_by="K1"),
        kpi,
        {},  # no plan: expected progress by the time elapsed
        actuals,
        APRIL_FY,
        m("2026-06"),
    )
    assert kgi.actual == 300.0
    assert kgi.progress == 0.25
    assert kgi.expected_progress == pytest.approx(91 / 365)
    assert kgi.on_track is True
    unmeasured = evaluate_kgi(Kgi("G2", "Other", 10.0), None, {}, {}, APRIL_FY, m("2026-06"))
    assert (unmeasured.actual, unmeasured.progress, unmeasured.on_track) == (None, None, None)


def test_evaluate_kpi_quarter_boundary_and_forecast_only_for_sum() -> None:
    kpi = Kpi(id="K", name="NPS", department="CS", aggregation=Aggregation.AVERAGE, kind=Kind.OKR)
    targets = {m("2026-04").shift(i): 10.0 for i in range(12)}
    actuals = {m("2026-06"): 8.0, m("2026-07"): 6.0}
    result = evaluate_kpi(kpi, targets, actuals, APRIL_FY, m("2026-07"))
    assert result.forecast is None
    assert (result.qtd.actual, result.qtd.months_with_actual) == (6.0, 1)  # July opens Q2
    assert result.ytd.actual == 7.0
    assert result.month.status == "amber"  # okr: 0.6 >= 0.4
    assert result.series.months[0] == m("2026-04") and len(result.series.months) == 12
