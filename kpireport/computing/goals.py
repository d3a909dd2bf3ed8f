"""SPEC §3 for goals (KGIs): where each stands against its phased plan, its state, where it
lands, and the pace it still needs. Pure functions over the model.

A goal is judged as of its deadline: from the deadline's month on it is met or missed, and a
report month after that month is read as the deadline's month itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from kpireport.computing.drivers import kgi_months
from kpireport.computing.metrics import (
    Pace,
    attainment,
    excel_round,
    finite_sum,
    monthly_outlook,
    months_between,
    plan_pace,
    required_pace,
    thresholds_for,
)
from kpireport.model import EMPTY_SERIES, Aggregation, Direction, Kgi, Kpi, Month, Series, Settings, Thresholds

GoalState = Literal["on_track", "at_risk", "off_track"]
Basis = Literal["plan", "time"]


@dataclass(frozen=True)
class KgiResult:
    kgi: Kgi
    actual: float | None
    progress: float | None
    expected_progress: float | None
    state: GoalState | None
    start: Month | None = None
    """First month of the KGI's period (its ``start``, else the fiscal year's first month)."""
    level: bool = False
    """A level goal (NPS 40, churn ≤ 2%) is judged by its latest value, not accumulated."""
    months_with_actual: int = 0
    projected: float | None = None
    """Where the goal lands at the plain run rate of the months so far."""
    outlook: float | None = None
    """Where it lands with the Forecast sheet's estimates, and the plan paced by the attainment
    to date for the months it leaves empty."""
    projected_progress: float | None = None
    outlook_progress: float | None = None
    expected_basis: Basis | None = None
    as_of: Month | None = None
    """The month the goal is judged at: the report month, or its deadline's month when the
    report month is later."""
    direction: Direction = Direction.HIGHER
    pace: Pace | None = None
    """What the rest of the goal's period needs each month (a cumulative goal with a deadline)."""

    @property
    def on_track(self) -> bool | None:
        return None if self.state is None else self.state == "on_track"


def time_elapsed(start: Month, deadline: dt.date | None, month: Month) -> float | None:
    """Share of the time from the first day of ``start`` to the end of the deadline day that
    has elapsed at the end of ``month``, in days, clamped to [0, 1]."""
    if deadline is None:
        return None
    first = start.first_day
    total = (deadline + dt.timedelta(days=1) - first).days
    if total <= 0:
        return 1.0
    elapsed = (month.next_first_day - first).days
    return excel_round(min(1.0, max(0.0, elapsed / total)))


def is_level_goal(kpi: Kpi) -> bool:
    """A KGI measured by an average or a last value is a level to reach or hold (NPS 40, churn
    ≤ 2%); one measured by a ``sum`` KPI is an amount that accumulates, in either direction (a
    lower sum is a budget: opex ≤ ¥500M)."""
    return kpi.aggregation is not Aggregation.SUM


def judged_month(kgi: Kgi, month: Month) -> Month:
    """``month``, or the deadline's month when ``month`` is after it."""
    if kgi.deadline is None:
        return month
    return min(month, Month.of(kgi.deadline))


def goal_start(kgi: Kgi, settings: Settings, month: Month) -> Month:
    """Its ``start``, else the first month of the fiscal year holding the month it is judged at."""
    return kgi.start or settings.fiscal_year_of(judged_month(kgi, month))


def cumulative_state(
    progress: float | None, expected: float | None, direction: Direction, amber_at: float, at_deadline: bool
) -> GoalState | None:
    """On track while progress keeps up with the plan (a budget: stays within it), at risk
    within ``amber_at`` of it; from the deadline's month on, met or missed."""
    if progress is None or expected is None:
        return None
    # The band's edge is a computed figure too: rounded before it is compared (SPEC §3).
    if direction is Direction.LOWER:
        on, near = progress <= expected, progress <= (excel_round(expected / amber_at) or 0.0)
    else:
        on, near = progress >= expected, progress >= (excel_round(expected * amber_at) or 0.0)
    if on:
        return "on_track"
    return "at_risk" if near and not at_deadline else "off_track"


def level_state(progress: float | None, thresholds: Thresholds, at_deadline: bool) -> GoalState | None:
    """A level goal's state from its attainment, as a KPI's status: green on track, amber at risk."""
    if progress is None:
        return None
    if progress >= thresholds.green_at:
        return "on_track"
    return "at_risk" if progress >= thresholds.amber_at and not at_deadline else "off_track"


@dataclass(frozen=True)
class Measure:
    """What a cumulative goal is measured by, month by month: its actuals, its plan (the
    measuring KPI's targets, or its formula of the drivers' targets) and the team's estimates."""

    actuals: Series
    plan: Series
    estimates: Series = field(default_factory=dict)
    direction: Direction = Direction.HIGHER
    thresholds: Thresholds = field(default_factory=Thresholds)


def evaluate_cumulative(kgi: Kgi, measure: Measure, start: Month, month: Month) -> KgiResult:
    """SPEC §3: a goal that accumulates from ``start``, judged as of ``month`` (already no later
    than its deadline's month)."""
    done = months_between(start, month)
    values = [measure.actuals[m] for m in done if m in measure.actuals]
    actual = finite_sum(values) if values else None
    target = kgi.target
    progress = excel_round(actual / target) if actual is not None and target else None
    expected, basis = _expected(kgi, measure.plan, start, month)
    deadline_month = Month.of(kgi.deadline) if kgi.deadline is not None else None
    at_deadline = deadline_month is not None and month >= deadline_month
    state = cumulative_state(progress, expected, measure.direction, measure.thresholds.amber_at, at_deadline)
    projected = outlook = pace = None
    if actual is not None and deadline_month is not None:
        to_come = months_between(month.shift(1), deadline_month)
        rate = actual / len(values)
        projected = actual + rate * len(to_come)
        still = finite_sum(paced_outlook(measure, done, to_come, rate))
        outlook = actual + still if still is not None else None
        if target is not None:
            pace = required_pace(target, actual, len(values), [measure.plan.get(m) for m in to_come])
    return KgiResult(
        kgi,
        excel_round(actual),
        progress,
        expected,
        state,
        start,
        False,
        len(values),
        excel_round(projected),
        excel_round(outlook),
        excel_round(projected / target) if projected is not None and target else None,
        excel_round(outlook / target) if outlook is not None and target else None,
        basis if expected is not None else None,
        month,
        measure.direction,
        pace,
    )


def _expected(kgi: Kgi, plan: Series, start: Month, month: Month) -> tuple[float | None, Basis]:
    """The phased plan's share done by ``month`` where the plan has every month of the goal
    and adds up to more than zero; else the share of the time elapsed."""
    months = kgi_months(kgi, start)
    planned = [plan.get(m) for m in months]
    if kgi.deadline is not None and all(p is not None for p in planned):
        whole = finite_sum(p for p in planned if p is not None)
        so_far = finite_sum(plan[m] for m in months_between(start, month) if m in plan)
        if whole is not None and whole > 0 and so_far is not None:
            return excel_round(min(1.0, so_far / whole)), "plan"
    return time_elapsed(start, kgi.deadline, month), "time"


def paced_outlook(measure: Measure, done: Sequence[Month], to_come: Sequence[Month], rate: float | None) -> list[float]:
    """Each month to come as the outlook counts it (SPEC §3): the team's estimate; else the
    month's plan paced by actual ÷ plan over the months so far that have both; else the run rate."""
    both = [m for m in done if m in measure.actuals and m in measure.plan]
    pace = plan_pace(finite_sum(measure.actuals[m] for m in both), finite_sum(measure.plan[m] for m in both))
    months = monthly_outlook(measure.estimates, measure.plan, pace if both else None, rate, to_come)
    return [value for value in months if value is not None]


def evaluate_level(kgi: Kgi, kpi: Kpi, actuals: Series, settings: Settings, start: Month, month: Month) -> KgiResult:
    """SPEC §3: a goal on an average or last KPI is judged by the KPI's latest value up to
    ``month``, as the KPI's attainment against the goal's target."""
    values = [actuals[m] for m in months_between(start, month) if m in actuals]
    latest = values[-1] if values else None
    progress = attainment(kgi.target, latest, kpi.direction)
    at_deadline = kgi.deadline is not None and month >= Month.of(kgi.deadline)
    state = level_state(progress, thresholds_for(kpi, settings), at_deadline)
    return KgiResult(
        kgi, excel_round(latest), progress, None, state, start, True, len(values), as_of=month, direction=kpi.direction
    )


def evaluate_kgi(
    kgi: Kgi,
    measured: Kpi | None,
    targets: Series,
    actuals: Series,
    settings: Settings,
    month: Month,
    estimates: Series = EMPTY_SERIES,
    formula_plan: tuple[Series, Series] | None = None,
) -> KgiResult:
    """SPEC §3 KGI, judged as of ``month`` (or its deadline's month, when that is earlier).
    ``formula_plan``: for a goal with a formula and no measuring KPI, the formula of the
    drivers' actuals and of their targets, month by month."""
    as_of = judged_month(kgi, month)
    start = goal_start(kgi, settings, month)
    if measured is not None and is_level_goal(measured):
        return evaluate_level(kgi, measured, actuals, settings, start, as_of)
    if measured is not None:
        measure = Measure(actuals, targets, estimates, measured.direction, thresholds_for(measured, settings))
    elif formula_plan is not None:
        measure = Measure(formula_plan[0], formula_plan[1], thresholds=settings.thresholds)
    else:
        expected = time_elapsed(start, kgi.deadline, as_of)
        basis: Basis | None = "time" if expected is not None else None
        return KgiResult(kgi, None, None, expected, None, start, expected_basis=basis, as_of=as_of)
    return evaluate_cumulative(kgi, measure, start, as_of)


def alignment_gap(kgi: Kgi, targets: Series, start: Month) -> tuple[float, float] | None:
    """(the measuring KPI's targets added up over the goal's months, their gap to the goal's
    target as a share of it) where the two differ; None where they agree or a month has no target."""
    if not kgi.target:
        return None
    planned = [targets.get(m) for m in kgi_months(kgi, start)]
    if kgi.deadline is None or any(p is None for p in planned):
        return None
    total = excel_round(math.fsum(p for p in planned if p is not None))
    assert total is not None
    gap = excel_round((total - kgi.target) / abs(kgi.target))
    return (total, gap) if gap else None
