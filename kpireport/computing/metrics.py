"""SPEC §3 as pure functions: plain values in, plain values out, no I/O.

Every computed figure is kept to 15 significant digits, as Excel keeps numbers, before it is
compared or written (SPEC v1.1 §3): 18% against a 20% target is attainment 0.9 exactly, not
0.8999999999999999, so float noise never moves a KPI across a threshold. Display rounding
belongs to presentation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from kpireport.model import (
    EMPTY_SERIES,
    OKR_THRESHOLDS,
    Aggregation,
    Direction,
    Kind,
    Kpi,
    Month,
    Series,
    Settings,
    Status,
    Thresholds,
)

Trend = Literal["improving", "worsening", "flat"]
MONTHS_IN_YEAR = 12
SIGNIFICANT_DIGITS = 15
WHOLE_LIMIT = 1e15
NOISE = 1e-15
"""A difference smaller than this share of its larger operand is float noise, shown as 0."""


def finite_sum(values: Iterable[float]) -> float | None:
    """The exact sum of ``values``; None where it is beyond what a float holds (a month's plan
    of 1e15 paced by actual ÷ a target of 5e-324, a formula's months of 1e308 each) or holds
    inf − inf: no figure, as :func:`excel_round` gives, rather than a crash or Infinity."""
    try:
        total = math.fsum(values)
    except (OverflowError, ValueError):  # fsum's intermediate overflow, and inf − inf
        return None
    return total if math.isfinite(total) else None


def excel_round(value: float | None) -> float | None:
    """``value`` to 15 significant digits; None where it is missing or not a finite number
    (a ratio of a huge and a tiny figure overflows: no figure, rather than Infinity)."""
    if value is None or not math.isfinite(value):
        return None
    # A whole number below 1e15 already has at most 15 digits: most figures (counts, money) are,
    # and formatting each costs a pack of 1,000 KPIs a second.
    if -WHOLE_LIMIT < value < WHOLE_LIMIT and float(value).is_integer():
        return float(value)
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


@dataclass(frozen=True)
class Period:
    """Target against actual over a month, a quarter-to-date or a year-to-date."""

    target: float | None
    actual: float | None
    attainment: float | None
    status: Status
    months_with_actual: int = 0
    variance: float | None = None
    """actual − target; ``favorable`` when it is on the good side of the KPI's direction."""
    favorable: bool | None = None
    prior: float | None = None
    """The same figure one year earlier (same months, same aggregation), where the workbook has it."""
    yoy_pct: float | None = None
    yoy_delta: float | None = None
    """actual − prior: how a percent KPI's change on last year is shown (in points)."""


@dataclass(frozen=True)
class MonthOverMonth:
    previous: float | None
    delta: float | None
    delta_pct: float | None
    trend: Trend | None


@dataclass(frozen=True)
class Forecast:
    projected: float
    full_year_target: float
    attainment: float | None
    outlook: float | None = None
    """YTD actual plus the team's latest estimate (Forecast sheet) for the months to come,
    the run rate for a month it leaves empty."""
    outlook_attainment: float | None = None


@dataclass(frozen=True)
class YearSeries:
    """The fiscal year month by month, for charts and the JSON ``series``: targets, actuals
    up to the report month, last year's actuals, the Forecast sheet's estimates, and the
    outlook for each month after the report month (an estimate, else the run rate)."""

    months: tuple[Month, ...]
    target: tuple[float | None, ...]
    actual: tuple[float | None, ...]
    prior: tuple[float | None, ...]
    forecast: tuple[float | None, ...]
    outlook: tuple[float | None, ...]
    attainment: tuple[float | None, ...] = ()
    """Each month's attainment, where it has a target and an actual."""


@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    month: Period
    mom: MonthOverMonth
    qtd: Period
    ytd: Period
    forecast: Forecast | None
    red_streak: int
    series: YearSeries
    counts: bool = False
    """Whether the KPI counts whole things (see :func:`counts_whole`): its run rates and
    paces are shown whole, never 642.9 customers."""


def attainment(target: float | None, actual: float | None, direction: Direction) -> float | None:
    """actual/target for higher-is-better, target/actual for lower; null where undefined."""
    if target is None or actual is None or target <= 0:
        return None
    if direction is Direction.LOWER:
        return excel_round(target / actual) if actual > 0 else None
    return excel_round(actual / target)


def status(
    target: float | None,
    actual: float | None,
    direction: Direction,
    thresholds: Thresholds,
) -> Status:
    """Traffic light from attainment; where attainment is undefined, whether the target is met.

    With no target at all there is nothing to judge against, so the status is ``no_data``.
    """
    if actual is None:
        return "no_data"
    ratio = attainment(target, actual, direction)
    if ratio is None:
        if target is None:
            return "no_data"
        return "green" if direction.meets(actual, target) else "red"
    if ratio >= thresholds.green_at:
        return "green"
    if ratio >= thresholds.amber_at:
        return "amber"
    return "red"


def thresholds_for(kpi: Kpi, settings: Settings) -> Thresholds:
    return OKR_THRESHOLDS if kpi.kind is Kind.OKR else settings.thresholds


def variance(target: float | None, actual: float | None, direction: Direction) -> tuple[float | None, bool | None]:
    """actual − target, and whether that is on the good side of the direction (meeting the
    target exactly is)."""
    if target is None or actual is None:
        return None, None
    gap = difference(actual, target)
    if gap is None:
        return None, None
    return gap, direction.favours(gap)


def difference(now: float | None, before: float | None) -> float | None:
    """now − before, to 15 significant digits; 0 where it is smaller than 1e-15 of the larger
    of the two, as Excel shows it (0.1 + 0.2 against 0.3 is no difference, not 5.55e-17)."""
    if now is None or before is None:
        return None
    gap = now - before
    if abs(gap) < NOISE * max(abs(now), abs(before)):
        return 0.0
    return excel_round(gap)


def change_pct(now: float | None, before: float | None) -> float | None:
    """(now − before) / |before|; null where either is missing or before is zero."""
    if now is None or not before:
        return None
    return excel_round((now - before) / abs(before))


def period(
    target: float | None,
    actual: float | None,
    direction: Direction,
    thresholds: Thresholds,
    months_with_actual: int = 0,
    prior: float | None = None,
) -> Period:
    """Figures computed from the values as read; only the results are rounded (SPEC §3)."""
    gap, favorable = variance(target, actual, direction)
    return Period(
        target=excel_round(target),
        actual=excel_round(actual),
        attainment=attainment(target, actual, direction),
        status=status(target, actual, direction, thresholds),
        months_with_actual=months_with_actual,
        variance=gap,
        favorable=favorable,
        prior=excel_round(prior),
        yoy_pct=change_pct(actual, prior),
        yoy_delta=difference(actual, prior),
    )


def aggregate(values: Sequence[float], aggregation: Aggregation) -> float | None:
    """Sum, mean or last of ``values`` (in month order); null for no values."""
    if not values:
        return None
    if aggregation is Aggregation.AVERAGE:
        return math.fsum(values) / len(values)
    if aggregation is Aggregation.LAST:
        return values[-1]
    return math.fsum(values)


def trend(delta: float | None, direction: Direction) -> Trend | None:
    if delta is None:
        return None
    if delta == 0:
        return "flat"
    return "improving" if direction.improves(delta) else "worsening"


def month_over_month(actuals: Series, month: Month, direction: Direction) -> MonthOverMonth:
    current = actuals.get(month)
    previous = actuals.get(month.shift(-1))
    delta = difference(current, previous)
    return MonthOverMonth(excel_round(previous), delta, change_pct(current, previous), trend(delta, direction))


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` to ``last`` inclusive."""
    return [first.shift(i) for i in range(last.months_since(first) + 1)]


def rollup(
    targets: Series,
    actuals: Series,
    months: Iterable[Month],
    aggregation: Aggregation,
    direction: Direction,
    thresholds: Thresholds,
) -> Period:
    """The KPI's aggregation of actuals against the same aggregation of targets, over the
    months that have both: a month with an actual but no target would inflate attainment."""
    both = [m for m in months if m in actuals and m in targets]
    actual = aggregate([actuals[m] for m in both], aggregation)
    target = aggregate([targets[m] for m in both], aggregation)
    # Last year's figure over the same months; only where the workbook has every one of them,
    # so a partial year is never compared with a full one (and a missing year is never zero).
    a_year_before = [m.shift(-MONTHS_IN_YEAR) for m in both]
    prior = (
        aggregate([actuals[m] for m in a_year_before], aggregation)
        if a_year_before and all(m in actuals for m in a_year_before)
        else None
    )
    return period(target, actual, direction, thresholds, len(both), prior)


def fiscal_year_months(year_start: Month) -> list[Month]:
    return months_between(year_start, year_start.shift(MONTHS_IN_YEAR - 1))


def run_rate(ytd: Period) -> float | None:
    """The year-to-date monthly average of a ``sum`` KPI."""
    return ytd.actual / ytd.months_with_actual if ytd.actual is not None and ytd.months_with_actual else None


def plan_pace(actual: float | None, target: float | None) -> float | None:
    """The attainment so far as a factor on the plan (actual ÷ target), where the target is above 0."""
    return actual / target if actual is not None and target is not None and target > 0 else None


def monthly_outlook(
    estimates: Series, targets: Series, pace: float | None, rate: float | None, months: Iterable[Month]
) -> list[float | None]:
    """Each month's expected value (SPEC §3 outlook): the team's estimate where the Forecast
    sheet has one; else the month's target carried forward at the pace against plan so far
    (``pace``, in either direction); else the run rate."""
    out: list[float | None] = []
    for m in months:
        value = estimates.get(m)
        if value is None and pace is not None and m in targets:
            value = targets[m] * pace
        out.append(rate if value is None else value)
    return out


def forecast(
    targets: Series, estimates: Series, ytd: Period, year_start: Month, month: Month, direction: Direction
) -> Forecast | None:
    """Full-year projection of a ``sum`` KPI at its year-to-date monthly run rate, and the
    outlook with the Forecast sheet's estimates; none unless every month of the fiscal year has
    a target (a partial plan has no full-year target)."""
    year = fiscal_year_months(year_start)
    year_targets = [targets.get(m) for m in year]
    rate = run_rate(ytd)
    if ytd.actual is None or rate is None or any(t is None for t in year_targets):
        return None
    full_year_target = excel_round(math.fsum(t for t in year_targets if t is not None))
    projected = excel_round(rate * MONTHS_IN_YEAR)
    pace = plan_pace(ytd.actual, ytd.target)
    to_come = monthly_outlook(estimates, targets, pace, rate, [m for m in year if m > month])
    still = finite_sum(v for v in to_come if v is not None)
    outlook = excel_round(ytd.actual + still) if still is not None else None
    assert projected is not None and full_year_target is not None
    return Forecast(
        projected,
        full_year_target,
        attainment(full_year_target, projected, direction),
        outlook,
        attainment(full_year_target, outlook, direction),
    )


def red_streak(targets: Series, actuals: Series, month: Month, direction: Direction, thresholds: Thresholds) -> int:
    """Consecutive months ending at ``month`` whose monthly status is red."""
    streak = 0
    current = month
    while status(targets.get(current), actuals.get(current), direction, thresholds) == "red":
        streak += 1
        current = current.shift(-1)
    return streak


def year_series(
    kpi: Kpi, targets: Series, actuals: Series, estimates: Series, ytd: Period, year_start: Month, month: Month
) -> YearSeries:
    months = fiscal_year_months(year_start)
    later = [m for m in months if m > month]
    # Only a sum KPI has a plan or a run rate to fill a month; a rate or a level has its estimates only.
    if kpi.aggregation is Aggregation.SUM:
        filled = monthly_outlook(estimates, targets, plan_pace(ytd.actual, ytd.target), run_rate(ytd), later)
    else:
        filled = [estimates.get(m) for m in later]
    outlook = dict(zip(later, filled, strict=True))
    target = tuple(targets.get(m) for m in months)
    actual = tuple(actuals.get(m) if m <= month else None for m in months)
    return YearSeries(
        months=tuple(months),
        target=target,
        actual=actual,
        prior=tuple(actuals.get(m.shift(-MONTHS_IN_YEAR)) for m in months),
        forecast=tuple(estimates.get(m) for m in months),
        outlook=tuple(excel_round(outlook.get(m)) for m in months),
        attainment=tuple(attainment(t, a, kpi.direction) for t, a in zip(target, actual, strict=True)),
    )


def evaluate_kpi(
    kpi: Kpi, targets: Series, actuals: Series, settings: Settings, month: Month, estimates: Series = EMPTY_SERIES
) -> KpiResult:
    thresholds = thresholds_for(kpi, settings)
    year_start = settings.fiscal_year_of(month)
    quarter_start = settings.fiscal_quarter_of(month)
    ytd = rollup(targets, actuals, months_between(year_start, month), kpi.aggregation, kpi.direction, thresholds)
    this_month = period(
        targets.get(month),
        actuals.get(month),
        kpi.direction,
        thresholds,
        int(month in actuals),
        actuals.get(month.shift(-MONTHS_IN_YEAR)),
    )
    return KpiResult(
        kpi=kpi,
        month=this_month,
        mom=month_over_month(actuals, month, kpi.direction),
        qtd=rollup(targets, actuals, months_between(quarter_start, month), kpi.aggregation, kpi.direction, thresholds),
        ytd=ytd,
        forecast=(
            forecast(targets, estimates, ytd, year_start, month, kpi.direction)
            if kpi.aggregation is Aggregation.SUM
            else None
        ),
        red_streak=red_streak(targets, actuals, month, kpi.direction, thresholds),
        series=year_series(kpi, targets, actuals, estimates, ytd, year_start, month),
        counts=counts_whole(kpi, targets, actuals),
    )


def counts_whole(kpi: Kpi, targets: Series, actuals: Series) -> bool:
    """A KPI that counts whole things: summed over months, not money or a rate, and every
    target and actual read is a whole number (customers, leads, renewals). A count's run
    rate of 642.9 is a board's 643 customers; money and rates keep their decimals."""
    if kpi.aggregation is not Aggregation.SUM or kpi.unit in ("percent", "currency"):
        return False
    values = [*targets.values(), *actuals.values()]
    return bool(values) and all(float(v).is_integer() for v in values)


@dataclass(frozen=True)
class Pace:
    """What it takes to reach a target by its deadline, against the plan and the pace so far."""

    months_remaining: int
    remaining: float | None
    per_month: float | None
    average_so_far: float | None
    planned_per_month: float | None = None
    """The average of the remaining months' targets, where each has one."""

    @property
    def reference(self) -> float | None:
        """What the pace needed is held against: the remaining plan, else the pace so far."""
        return self.planned_per_month if self.planned_per_month is not None else self.average_so_far


def required_pace(
    target: float | None, actual: float | None, months_with_actual: int, remaining_plan: Sequence[float | None]
) -> Pace | None:
    """The monthly amount still needed over the remaining months (one entry of
    ``remaining_plan`` a month: its target, or None); null without a target.

    Already past the target, the pace needed is zero, never negative."""
    if target is None:
        return None
    months_remaining = len(remaining_plan)
    done = actual or 0.0
    remaining = excel_round(target - done)
    assert remaining is not None
    per_month = excel_round(max(remaining, 0.0) / months_remaining) if months_remaining > 0 else None
    average = excel_round(done / months_with_actual) if months_with_actual else None
    planned = [p for p in remaining_plan if p is not None]
    total = finite_sum(planned) if planned and len(planned) == months_remaining else None
    plan = excel_round(total / len(planned)) if total is not None else None
    return Pace(months_remaining, remaining, per_month, average, plan)


def must_speed_up(pace: Pace | None, direction: Direction) -> bool:
    """SPEC §3 pace: whether the pace the rest of the period needs is better than its remaining
    plan (its pace so far where it has no plan for those months)."""
    if pace is None or pace.per_month is None or pace.reference is None or pace.reference <= 0:
        return False
    return direction.improves(pace.per_month - pace.reference)


def kpi_pace(result: KpiResult, targets: Series, settings: Settings, month: Month) -> Pace | None:
    """A ``sum`` KPI's pace to its full-year target by the fiscal year's end."""
    if result.forecast is None:
        return None
    year_end = settings.fiscal_year_of(month).shift(MONTHS_IN_YEAR - 1)
    to_come = months_between(month.shift(1), year_end) if year_end > month else []
    return required_pace(
        result.forecast.full_year_target,
        result.ytd.actual,
        result.ytd.months_with_actual,
        [targets.get(m) for m in to_come],
    )


@dataclass(frozen=True)
class QuarterRow:
    """One KPI in the quarterly review: the quarter's months side by side, and the change on
    the previous quarter."""

    result: KpiResult
    months: tuple[tuple[Month, Period], ...]
    previous: float | None
    change: float | None
    change_pct: float | None
    okr_score: float | None
    previous_months: int = 0
    """How many months of the previous quarter ``previous`` covers (as many as this one so far)."""


def closes_quarter(settings: Settings, month: Month) -> bool:
    return settings.fiscal_quarter_of(month).shift(2) == month


def quarter_row(result: KpiResult, targets: Series, actuals: Series, settings: Settings, month: Month) -> QuarterRow:
    kpi = result.kpi
    thresholds = thresholds_for(kpi, settings)
    start = settings.fiscal_quarter_of(month)
    months = tuple(
        (m, period(targets.get(m), actuals.get(m), kpi.direction, thresholds, int(m in actuals)))
        for m in months_between(start, start.shift(2))
    )
    # Like for like (SPEC v1.2): the quarter so far against as many months from the start of
    # the previous quarter (October alone against July alone, not against July to September).
    elapsed = month.months_since(start)
    before = rollup(
        targets, actuals, months_between(start.shift(-3), start.shift(elapsed - 3)), kpi.aggregation, kpi.direction,
        thresholds,
    )  # fmt: skip
    now = result.qtd.actual
    change = difference(now, before.actual)
    relative = change_pct(now, before.actual)
    score = None
    if kpi.kind is Kind.OKR and result.qtd.attainment is not None:
        score = min(1.0, max(0.0, result.qtd.attainment))
    return QuarterRow(result, months, before.actual, change, relative, score, before.months_with_actual)
