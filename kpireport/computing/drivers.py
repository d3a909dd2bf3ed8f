"""SPEC §3a as pure functions: what a KGI's driver targets imply, the bridge from plan to
actual split driver by driver, and back-casting one driver's targets from the KGI.

The bridge uses Shapley attribution month by month: for each driver, its change from target
to actual averaged over every order in which the drivers could be switched from plan to
actual. The effects then add up to the month's variance exactly, whatever the formula, and
do not depend on the order the formula names its drivers in. Summing months keeps both.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kpireport.computing.metrics import MONTHS_IN_YEAR, excel_round, months_between
from kpireport.formula import Formula
from kpireport.model import EMPTY_SERIES, Direction, Kgi, Month, Series
from kpireport.schema import MAX_MAGNITUDE

# SPEC §3a: a DRIVER finding when the implied value differs from the KGI target by more.
DRIVER_TOLERANCE = 0.02
# The bridge evaluates each formula at every mix of its drivers' targets and actuals, 2^n a
# month: a workbook's bridges together may ask for this many evaluations (a few seconds at
# most). 400 KGIs of 12 drivers over 9 months asked for 15 million: 101 s, from a 19 KB file.
MAX_BRIDGE_MIXES = 2**20


def kgi_months(kgi: Kgi, start: Month) -> list[Month]:
    """The KGI's months: from its start to its deadline's month; a KGI without a deadline
    (itself a SMART-T finding) is read as a one-year goal."""
    end = Month.of(kgi.deadline) if kgi.deadline is not None else start.shift(MONTHS_IN_YEAR - 1)
    return months_between(start, end)


def formula_series(formula: Formula, series: Mapping[str, Series], months: Sequence[Month]) -> dict[Month, float]:
    """The formula of each month's values, for the months where every driver has one and the
    formula gives a finite number (a goal measured by its formula alone, SPEC §3)."""
    out: dict[Month, float] = {}
    for month in months:
        values = _values(formula, series, month)
        if isinstance(values, str):
            continue
        try:
            value = formula.evaluate(values)
        except ZeroDivisionError:
            continue
        if math.isfinite(value):
            out[month] = value
    return out


@dataclass(frozen=True)
class Implied:
    """Σ over the KGI's months of the formula of that month's targets."""

    value: float | None
    missing: tuple[str, Month] | None = None
    """The first driver month without a target, when there is one (then no value)."""
    divides_by_zero: Month | None = None
    """The first month whose targets make the formula divide by zero (then no value)."""
    overflows: Month | None = None
    """The first month whose formula, or the sum up to it, is beyond what a float holds: ±inf,
    or NaN from inf − inf (then no value)."""


def implied_value(formula: Formula, targets: Mapping[str, Series], months: Sequence[Month]) -> Implied:
    total: list[float] = []
    for month in months:
        values = _values(formula, targets, month)
        if isinstance(values, str):
            return Implied(None, missing=(values, month))
        try:
            value = formula.evaluate(values)
        except ZeroDivisionError:
            return Implied(None, divides_by_zero=month)
        if not math.isfinite(value):  # a product of large constants and targets: ±inf or nan
            return Implied(None, overflows=month)
        total.append(value)
    try:
        summed = math.fsum(total)
    except OverflowError:  # finite months whose sum is not
        return Implied(None, overflows=_overflowing_month(total, months))
    return Implied(excel_round(summed))


def _overflowing_month(values: Sequence[float], months: Sequence[Month]) -> Month:
    """The month at which a running sum of ``values`` leaves what a float holds."""
    running = 0.0
    for value, month in zip(values, months, strict=False):
        running += value
        if not math.isfinite(running):
            return month
    return months[len(values) - 1]


def shortfall(implied: float | None, target: float | None) -> float | None:
    """(implied − target) / |target|: negative where the drivers' targets fall short."""
    if implied is None or not target:
        return None
    return excel_round((implied - target) / abs(target))


def drivers_disagree(implied: float | None, target: float | None) -> bool:
    gap = shortfall(implied, target)
    return gap is not None and abs(gap) > DRIVER_TOLERANCE


def shapley(formula: Formula, plan: Mapping[str, float], actual: Mapping[str, float]) -> dict[str, float]:
    """Each driver's share of formula(actual) − formula(plan), by the Shapley value: its
    marginal change averaged over every order of switching drivers from plan to actual.
    ZeroDivisionError when some mix of plan and actual values divides by zero, OverflowError
    when one, or an effect, is beyond what a float holds (an effect of inf − inf is no effect).

    Driver i's effect is Σ over coalitions S without i of w(|S|)·(f(S ∪ {i}) − f(S)), with
    w(s) = s!(n−s−1)!/n!; it is summed as Σ_{T ∋ i} w(|T|−1)·f(T) − Σ_{S ∌ i} w(|S|)·f(S), each
    mix weighted once for all drivers, in two exactly rounded sums over slices of the mixes."""
    n = len(formula.kpis)
    size = 1 << n
    value_at = formula.evaluate_mixes(plan, actual)  # bit i set = driver i at its actual
    if not all(math.isfinite(v) for v in value_at):
        raise OverflowError
    joining, staying = _weights(n)
    with_driver = [w * v for w, v in zip(joining, value_at, strict=True)]
    without_driver = [-w * v for w, v in zip(staying, value_at, strict=True)]
    effects: dict[str, float] = {}
    for i, kpi in enumerate(formula.kpis):
        run = 1 << i  # the mixes alternate without and with driver i in runs of 2^i
        starts = range(0, size, 2 * run)
        effects[kpi] = math.fsum(
            itertools.chain(
                itertools.chain.from_iterable(with_driver[start + run : start + 2 * run] for start in starts),
                itertools.chain.from_iterable(without_driver[start : start + run] for start in starts),
            )
        )
    if not all(math.isfinite(e) for e in effects.values()):
        raise OverflowError
    return effects


@functools.cache
def _weights(n: int) -> tuple[list[float], list[float]]:
    """For each mix T of n drivers: the Shapley weight of the coalition T less one driver,
    w(|T|−1) (0 for the empty mix), and of T itself, w(|T|) (0 for the full mix)."""
    weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    counts = [mask.bit_count() for mask in range(1 << n)]
    return [weight[c - 1] if c else 0.0 for c in counts], [weight[c] if c < n else 0.0 for c in counts]


@dataclass(frozen=True)
class Effect:
    kpi: str
    effect: float
    """The driver's share of the variance over the bridge's months."""
    month_effect: float | None = None
    """Its share in the report month alone, where that month is in the bridge."""


@dataclass(frozen=True)
class Bridge:
    """From the KGI's planned value (formula of targets) to its actual (formula of actuals)
    over the months that have every driver's target and actual."""

    planned: float | None
    actual: float | None
    effects: tuple[Effect, ...]
    months: tuple[Month, ...]
    skipped: tuple[Month, ...] = ()
    """Months left out because some mix of targets and actuals divides by zero."""
    overflowed: tuple[Month, ...] = ()
    """Months left out because some mix of targets and actuals gives a number beyond what a
    float holds (or all of them, when their sum is)."""

    @property
    def variance(self) -> float | None:
        if self.planned is None or self.actual is None:
            return None
        return excel_round(self.actual - self.planned)


def bridge(
    formula: Formula, targets: Mapping[str, Series], actuals: Mapping[str, Series], months: Sequence[Month]
) -> Bridge:
    planned: list[float] = []
    actual: list[float] = []
    per_driver: dict[str, list[float]] = {kpi: [] for kpi in formula.kpis}
    used: list[Month] = []
    skipped: list[Month] = []
    overflowed: list[Month] = []
    for month in months:
        plan = _values(formula, targets, month)
        real = _values(formula, actuals, month)
        if isinstance(plan, str) or isinstance(real, str):
            continue
        try:
            effects = shapley(formula, plan, real)
            month_plan, month_actual = formula.evaluate(plan), formula.evaluate(real)
        except ZeroDivisionError:
            skipped.append(month)
            continue
        except OverflowError:
            overflowed.append(month)
            continue
        used.append(month)
        planned.append(month_plan)
        actual.append(month_actual)
        for kpi, effect in effects.items():
            per_driver[kpi].append(effect)
    try:
        totals = [math.fsum(planned), math.fsum(actual), *(math.fsum(v) for v in per_driver.values())]
    except OverflowError:  # finite months whose sum is not: no month of it can be shown
        return Bridge(None, None, (), (), tuple(skipped), tuple(sorted([*overflowed, *used])))
    if not used:
        return Bridge(None, None, (), (), tuple(skipped), tuple(overflowed))
    # The report month is the last month asked for: its effects, when it made the bridge.
    last = months[-1] == used[-1]
    return Bridge(
        excel_round(totals[0]),
        excel_round(totals[1]),
        tuple(
            Effect(kpi, excel_round(total) or 0.0, (excel_round(values[-1]) or 0.0) if last else None)
            for (kpi, values), total in zip(per_driver.items(), totals[2:], strict=True)
        ),
        tuple(used),
        tuple(skipped),
        tuple(overflowed),
    )


def bridge_span(start: Month, month: Month) -> list[Month]:
    """The months a goal's bridge looks at: from its start to the report month."""
    return months_between(start, month) if month >= start else []


def bridge_mixes(
    formula: Formula, targets: Mapping[str, Series], actuals: Mapping[str, Series], months: Sequence[Month]
) -> int:
    """How many times :func:`bridge` evaluates ``formula``: 2^n for each month with every
    driver's target and actual. Counted before any is, to bound the work (MAX_BRIDGE_MIXES)."""
    used = sum(1 for m in months if not isinstance(_values(formula, targets, m), str)
               and not isinstance(_values(formula, actuals, m), str))  # fmt: skip
    return used << len(formula.kpis)


def largest_unfavourable(effects: Sequence[Effect], direction: Direction) -> Effect | None:
    """The driver that explains most of a shortfall: the effect furthest on the bad side of
    the KGI's direction (none when every driver is on plan or ahead of it)."""
    bad = [e for e in effects if not direction.favours(e.effect)]
    return max(bad, key=lambda e: abs(e.effect), default=None)


@dataclass(frozen=True)
class DriverAnalysis:
    """Everything SPEC §3a says about one KGI with a formula, for the JSON, findings and pack."""

    formula: Formula
    implied: Implied
    bridge: Bridge
    months: tuple[Month, ...]
    """The KGI's months (start to deadline) the implied value sums over."""
    direction: Direction
    """The KGI's direction (its measured KPI's): which side of the plan is good."""
    main_driver: Effect | None
    """The driver with the largest unfavourable effect, if any."""

    @property
    def implied_target(self) -> float | None:
        return self.implied.value


def analyse(
    kgi: Kgi,
    formula: Formula,
    start: Month,
    month: Month,
    targets: Mapping[str, Series],
    actuals: Mapping[str, Series],
    direction: Direction,
) -> DriverAnalysis:
    months = kgi_months(kgi, start)
    implied = implied_value(formula, targets, months)
    result = bridge(formula, targets, actuals, bridge_span(start, month))
    return DriverAnalysis(
        formula, implied, result, tuple(months), direction, largest_unfavourable(result.effects, direction)
    )


@dataclass(frozen=True)
class Solution:
    """``plan --solve``: the factor for one driver's monthly targets that makes the implied
    value equal the KGI target, or why none does."""

    kpi: str
    goal: float
    before: float
    factor: float | None
    method: Literal["exact", "numeric"]
    targets: Mapping[Month, float]
    """The driver's new monthly targets (empty when no factor reaches the goal)."""
    reason: str = ""


def solve(formula: Formula, kpi: str, targets: Mapping[str, Series], months: Sequence[Month], goal: float) -> Solution:
    """Scale ``kpi``'s targets over ``months`` so that the implied value equals ``goal``:
    exactly where the formula is affine in ``kpi``, else by bracketed bisection on the scale.
    The caller has checked that every driver has a target in every month."""
    own = targets.get(kpi, EMPTY_SERIES)

    def implied_at(scale: float) -> float:
        scaled = {**targets, kpi: {m: own[m] * scale for m in months}}
        value = implied_value(formula, scaled, months)
        if value.divides_by_zero is not None:
            raise ZeroDivisionError
        if value.overflows is not None:
            raise OverflowError
        if value.value is None:
            raise ValueError("a driver has no target")
        return value.value

    before = implied_at(1.0)
    degree = formula.degree_in(kpi)
    linear = degree is not None
    factor = _solve_affine(implied_at, goal) if linear else _solve_bracketed(implied_at, goal)
    reason = ""
    if factor is None:
        reason = {
            0: "the formula does not change with this KPI, so no factor moves the implied value",
            1: "no positive factor for this KPI's targets reaches the KGI target",
            None: f"no factor between 1/{2**_BRACKET_STEPS:,} and {2**_BRACKET_STEPS:,} reaches the KGI target",
        }[degree]
    new_targets = {m: own[m] * factor for m in months} if factor is not None else {}
    largest = max((abs(v) for v in new_targets.values()), default=0.0)
    if not largest <= MAX_MAGNITUDE:  # also NaN
        # SPEC §6: no cell may hold such a target; a copy with it could not even be read back.
        return Solution(
            kpi,
            goal,
            before,
            None,
            "exact" if linear else "numeric",
            {},
            f"the solved targets of {kpi} would reach {largest:.3g}, beyond ±{MAX_MAGNITUDE:.0e}, the largest "
            "figure a target cell may hold; check the KGI target and the formula's constants",
        )
    return Solution(
        kpi,
        goal,
        before,
        excel_round(factor),
        "exact" if linear else "numeric",
        {m: excel_round(v) or 0.0 for m, v in new_targets.items()},
        reason,
    )


def _solve_affine(implied_at: Callable[[float], float], goal: float) -> float | None:
    try:
        base = implied_at(0.0)
    except OverflowError:  # the constant term alone is beyond a float: no factor computes
        return None
    slope = implied_at(1.0) - base
    if slope == 0:
        return None
    factor = (goal - base) / slope
    return factor if factor > 0 and math.isfinite(factor) else None


# The scales tried for a bracket: 1/1024 to 1024 around today's targets.
_BRACKET_STEPS = 10


def _solve_bracketed(implied_at: Callable[[float], float], goal: float) -> float | None:
    """A root of implied_at(s) = goal by bisection, in the bracket nearest to s = 1."""

    def gap(scale: float) -> float | None:
        try:
            value = implied_at(scale) - goal
        except (ZeroDivisionError, OverflowError):
            return None
        return value if math.isfinite(value) else None

    scales = [2.0**k for k in range(-_BRACKET_STEPS, _BRACKET_STEPS + 1)]
    points = [(s, g) for s in scales if (g := gap(s)) is not None]
    brackets = [
        (low, high, low_gap)
        for (low, low_gap), (high, high_gap) in itertools.pairwise(points)
        if low_gap == 0 or (low_gap < 0) != (high_gap < 0)
    ]
    if not brackets:
        return None
    # Of several roots, the one that moves today's targets least.
    low, high, low_gap = min(brackets, key=lambda b: abs(math.log(b[0] * b[1])))
    if low_gap == 0:
        return low
    for _ in range(200):
        middle = (low + high) / 2
        middle_gap = gap(middle)
        if middle_gap is None or middle_gap == 0 or high - low <= 1e-15 * high:
            break
        if (middle_gap < 0) == (low_gap < 0):
            low, low_gap = middle, middle_gap
        else:
            high = middle
    root = (low + high) / 2
    # A sign change across a pole (a divisor crossing zero) is no root: check that it is one.
    final = gap(root)
    return root if final is not None and abs(final) <= 1e-9 * max(abs(goal), 1.0) else None


def _values(formula: Formula, series: Mapping[str, Series], month: Month) -> dict[str, float] | str:
    """The drivers' values in ``month``, or the first driver without one."""
    values = {}
    for kpi in formula.kpis:
        value = series.get(kpi, EMPTY_SERIES).get(month)
        if value is None:
            return kpi
        values[kpi] = value
    return values
