"""SPEC §3a driver trees against hand-computed cases: the Shapley bridge, the implied target
with its DRIVER finding, back-casting, and MIX. Every expectation is worked out by hand in
the comment beside it (or by the Shapley definition written out independently below)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from fractions import Fraction

import pytest
from conftest import OCT, YEAR, book, kpi
from hypothesis import given, settings
from hypothesis import strategies as st

from kpireport.computing.drivers import Implied, bridge, implied_value, shapley, solve
from kpireport.computing.report import build_report
from kpireport.formula import parse_formula
from kpireport.model import Aggregation, Kgi, Month
from kpireport.presenting.finished import finish

APR, MAY = Month(2026, 4), Month(2026, 5)


def effects(text: str, plan: dict[str, float], actual: dict[str, float]) -> dict[str, float]:
    return shapley(parse_formula(text), plan, actual)


def test_two_factors() -> None:
    # plan 100 x 2 = 200, actual 120 x 1.5 = 180.
    # A: ((120-100) x 2 + (120-100) x 1.5) / 2 = 35; B: (100 x -0.5 + 120 x -0.5) / 2 = -55.
    found = effects("[A] * [B]", {"A": 100, "B": 2}, {"A": 120, "B": 1.5})
    assert found == pytest.approx({"A": 35, "B": -55})


def test_three_factors() -> None:
    # plan 10 x 0.5 x 100 = 500, actual 12 x 0.4 x 110 = 528; worked over the 8 mixes:
    # A = (100 + 88)/3 + (80 + 110)/6 = 566/6; B = (-100 - 132)/3 + (-120 - 110)/6 = -694/6;
    # C = (50 + 48)/3 + (60 + 40)/6 = 296/6; they add up to 168/6 = 28.
    found = effects("[A] * [B] * [C]", {"A": 10, "B": 0.5, "C": 100}, {"A": 12, "B": 0.4, "C": 110})
    assert found == pytest.approx({"A": 566 / 6, "B": -694 / 6, "C": 296 / 6})


def test_a_sum_of_products_splits_by_term() -> None:
    # A x B: A = (2 x 5 + 2 x 4)/2 = 9, B = (10 x -1 + 12 x -1)/2 = -11;
    # C x D: C = (1 x 20 + 1 x 18)/2 = 19, D = (4 x -2 + 5 x -2)/2 = -9. 130 -> 138: +8.
    found = effects("[A] * [B] + [C] * [D]", {"A": 10, "B": 5, "C": 4, "D": 20}, {"A": 12, "B": 4, "C": 5, "D": 18})
    assert found == pytest.approx({"A": 9, "B": -11, "C": 19, "D": -9})


def test_a_ratio() -> None:
    # 200/4 = 50 -> 180/3 = 60. A = ((180-200)/4 + (180-200)/3)/2 = -35/6;
    # B = ((200/3 - 200/4) + (180/3 - 180/4))/2 = 95/6.
    found = effects("[A] / [B]", {"A": 200, "B": 4}, {"A": 180, "B": 3})
    assert found == pytest.approx({"A": -35 / 6, "B": 95 / 6})


def test_a_constant_takes_no_share() -> None:
    # 3 x 1000 + 500 = 3500 -> 4500: all of it is A's.
    assert effects("[A] * 1000 + 500", {"A": 3}, {"A": 4}) == pytest.approx({"A": 1000})


def test_the_order_of_the_formula_does_not_matter() -> None:
    plan, actual = {"A": 10, "B": 0.5, "C": 100}, {"A": 12, "B": 0.4, "C": 110}
    one = effects("[A] * [B] * [C]", plan, actual)
    for order in itertools.permutations("ABC"):
        assert effects(" * ".join(f"[{k}]" for k in order), plan, actual) == pytest.approx(one, rel=1e-12)


def test_the_bridge_sums_months_and_leaves_out_a_month_without_every_value() -> None:
    formula = parse_formula("[A] * [B]")
    targets = {"A": {APR: 100.0, MAY: 100.0, OCT: 100.0}, "B": {APR: 2.0, MAY: 2.0, OCT: 2.0}}
    # May has no actual for B: left out of planned, actual and every effect.
    actuals = {"A": {APR: 120.0, MAY: 90.0, OCT: 80.0}, "B": {APR: 1.5, OCT: 2.5}}
    result = bridge(formula, targets, actuals, [APR, MAY, OCT])
    # Apr as in test_two_factors (A 35, B -55). Oct: 200 -> 200; A = (-20 x 2 - 20 x 2.5)/2 = -45,
    # B = (100 x 0.5 + 80 x 0.5)/2 = 45.
    assert result.months == (APR, OCT)
    assert (result.planned, result.actual) == (400, 380)
    assert {e.kpi: e.effect for e in result.effects} == pytest.approx({"A": -10, "B": -10})
    assert result.variance == -20


def test_a_month_whose_formula_overflows_is_left_out_of_the_bridge_never_shown_as_nothing() -> None:
    formula = parse_formula("[A] * [B] * 1e300")
    targets = {"A": {APR: 100.0, MAY: 100.0}, "B": {APR: 2.0, MAY: 2.0}}
    # Apr: 2e302 -> 1.8e302, finite. May: actual 1e6 x 1e3 x 1e300 = 1e309, beyond a float.
    actuals = {"A": {APR: 120.0, MAY: 1e6}, "B": {APR: 1.5, MAY: 1e3}}
    result = bridge(formula, targets, actuals, [APR, MAY])
    assert result.months == (APR,) and result.overflowed == (MAY,)
    # Apr as in test_two_factors, times 1e300: A 3.5e301, B -5.5e301.
    assert {e.kpi: e.effect for e in result.effects} == pytest.approx({"A": 3.5e301, "B": -5.5e301})
    # inf - inf: NaN at the actuals of both months; no effect of 0.0, no month at all.
    nan = bridge(parse_formula("[A] * 1e308 * 10 - [B] * 1e308 * 10"), targets, actuals, [APR, MAY])
    assert (nan.planned, nan.actual, nan.effects, nan.months, nan.overflowed) == (None, None, (), (), (APR, MAY))


def test_months_whose_sum_overflows_are_all_left_out() -> None:
    formula = parse_formula("[A] * 1e300")
    targets = {"A": {APR: 1e8, MAY: 1e8}}  # 1e308 a month, each finite; 2e308 together is not
    result = bridge(formula, targets, {"A": {APR: 1e8, MAY: 1e8}}, [APR, MAY])
    assert (result.planned, result.months, result.overflowed) == (None, (), (APR, MAY))
    assert implied_value(formula, targets, [APR, MAY]) == Implied(None, overflows=MAY)


# -- the effects add up, whatever the formula ---------------------------------------------------

DRIVERS = ["A", "B", "C", "D"]


@st.composite
def formulas(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3 or draw(st.booleans()):
        return draw(st.sampled_from([f"[{d}]" for d in DRIVERS] + ["2", "0.5"]))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    left, right = draw(formulas(depth + 1)), draw(formulas(depth + 1))
    return f"({left} {op} {right})"


def shapley_by_orders(text: str, plan: dict[str, float], actual: dict[str, float]) -> dict[str, Fraction]:
    """The definition, written out independently: each driver's marginal change averaged over
    every order of switching drivers from plan to actual, in exact fractions."""
    formula = parse_formula(text)
    drivers = formula.kpis

    def value(switched: set[str]) -> Fraction:
        return Fraction(formula.evaluate({d: actual[d] if d in switched else plan[d] for d in drivers}))

    totals = dict.fromkeys(drivers, Fraction(0))
    orders = list(itertools.permutations(drivers))
    for order in orders:
        switched: set[str] = set()
        for driver in order:
            before = value(switched)
            switched.add(driver)
            totals[driver] += value(switched) - before
    return {d: total / len(orders) for d, total in totals.items()}


values = st.floats(min_value=0.5, max_value=1000, allow_nan=False)
driver_values = st.fixed_dictionaries(dict.fromkeys(DRIVERS, values))


@settings(max_examples=150, deadline=None)
@given(formulas(), driver_values, driver_values)
def test_effects_add_up_to_the_variance_and_match_the_definition(
    text: str, plan: dict[str, float], actual: dict[str, float]
) -> None:
    try:
        formula = parse_formula(text)
        found = shapley(formula, plan, actual)
        expected = shapley_by_orders(text, plan, actual)
    except ZeroDivisionError:
        return  # some mix divides by zero: such a month is left out of the bridge
    except ValueError:
        return  # a formula without a KPI is refused by the parser
    total = formula.evaluate(actual) - formula.evaluate(plan)
    scale = max(1.0, abs(formula.evaluate(actual)), abs(formula.evaluate(plan)), *(abs(v) for v in found.values()))
    assert math.fsum(found.values()) == pytest.approx(total, abs=1e-9 * scale)
    for driver, effect in found.items():
        assert effect == pytest.approx(float(expected[driver]), abs=1e-9 * scale)


# -- implied target and the DRIVER finding ----------------------------------------------------


def driver_book(kgi_target: float, deal_target: float = 10.0) -> list[str]:
    """Deals x deal size over the fiscal year: 12 x deal_target x 5 implied."""
    kgi = Kgi("G1", "Revenue", kgi_target, unit="currency", deadline=dt.date(2027, 3, 31))
    kgi = dataclasses.replace(kgi, formula=parse_formula("[D] * [S]"))
    workbook = book(
        [kpi("D"), kpi("S", name="Deal size", unit="currency", aggregation=Aggregation.AVERAGE)],
        targets={"D": dict.fromkeys(YEAR, deal_target), "S": dict.fromkeys(YEAR, 5.0)},
        kgis=[kgi],
    )
    report = build_report(workbook, OCT)
    return [f.message for f in finish(report, with_view=False).findings if f.code == "DRIVER"]


def test_targets_that_imply_two_percent_off_or_less_pass() -> None:
    assert driver_book(612.0) == []  # implied 600 is 1.96% short of 612
    assert driver_book(500.0, deal_target=8.5) == []  # 12 x 8.5 x 5 = 510: exactly 2% over is within the rule
    assert driver_book(625.0, deal_target=10.25) == []  # 615 against 625: 1.6% short


def test_targets_that_imply_more_than_two_percent_off_are_a_driver_warning() -> None:
    # 12 x 9 x 5 = 540 against 600: 10% short.
    assert driver_book(600.0, deal_target=9.0) == [
        "KGI “Revenue”: the KPI targets imply ¥540 against ¥600: 10.0% short."
    ]
    # 12 x 10 x 5 = 600 against 500: 20% over; 12 x 8.6 x 5 = 516 against 500: 3.2% over.
    assert driver_book(500.0) == ["KGI “Revenue”: the KPI targets imply ¥600 against ¥500: 20.0% over."]
    assert driver_book(500.0, deal_target=8.6) == ["KGI “Revenue”: the KPI targets imply ¥516 against ¥500: 3.2% over."]


def test_the_driver_json_carries_implied_plan_actual_and_the_bridge() -> None:
    kgi = dataclasses.replace(
        Kgi("G1", "Revenue", 600.0, deadline=dt.date(2027, 3, 31)), formula=parse_formula("[D] * [S]")
    )
    # Targets D 10, S 5 a month; actuals Apr..Oct D 12 and S 4.
    workbook = book(
        [kpi("D"), kpi("S", name="Deal size", unit="currency", aggregation=Aggregation.AVERAGE)],
        targets={"D": dict.fromkeys(YEAR, 10.0), "S": dict.fromkeys(YEAR, 5.0)},
        actuals={"D": {m: 12.0 for m in YEAR if m <= OCT}, "S": {m: 4.0 for m in YEAR if m <= OCT}},
        kgis=[kgi],
    )
    drivers = finish(build_report(workbook, OCT), with_view=False).data["kgis"][0]["drivers"]
    # Each of 7 months: 50 -> 48; D = (2 x 5 + 2 x 4)/2 = 9, S = (10 x -1 + 12 x -1)/2 = -11.
    assert drivers == {
        "formula": "[D] * [S]",
        "implied_target": 600.0,
        "planned": 350.0,
        "actual": 336.0,
        # October alone is one of those months: D +9, S -11.
        "bridge": [
            {"kpi": "D", "effect": 63.0, "month_effect": 9.0},
            {"kpi": "S", "effect": -77.0, "month_effect": -11.0},
        ],
    }


# -- back-casting -----------------------------------------------------------------------------

TWO = [APR, MAY]


def test_solve_a_product_exactly() -> None:
    # 10 x 5 + 10 x 5 = 100; to reach 120 deals scale by 1.2: 12 a month.
    found = solve(parse_formula("[A] * [B]"), "A", {"A": {APR: 10, MAY: 10}, "B": {APR: 5, MAY: 5}}, TWO, 120)
    assert (found.factor, found.method, dict(found.targets)) == (1.2, "exact", {APR: 12, MAY: 12})


def test_solve_a_sum_exactly() -> None:
    # (10 + 5) x 2 = 30; 20s + 10 = 40 gives s = 1.5.
    found = solve(parse_formula("[A] + [B]"), "A", {"A": {APR: 10, MAY: 10}, "B": {APR: 5, MAY: 5}}, TWO, 40)
    assert (found.factor, found.method, dict(found.targets)) == (1.5, "exact", {APR: 15, MAY: 15})


def test_solve_inside_a_ratio_numerically() -> None:
    # 100/4 + 100/5 = 45; scaling B by s gives 45/s = 60, s = 0.75: B 3 and 3.75.
    found = solve(parse_formula("[A] / [B]"), "B", {"A": {APR: 100, MAY: 100}, "B": {APR: 4, MAY: 5}}, TWO, 60)
    assert found.method == "numeric"
    assert found.factor == pytest.approx(0.75, rel=1e-12)
    assert dict(found.targets) == pytest.approx({APR: 3, MAY: 3.75}, rel=1e-12)


def test_no_scale_reaches_a_goal_below_the_other_drivers() -> None:
    # A + B with B alone at 10: only a negative A would reach 5.
    found = solve(parse_formula("[A] + [B]"), "A", {"A": {APR: 10, MAY: 10}, "B": {APR: 5, MAY: 5}}, TWO, 5)
    assert found.factor is None and dict(found.targets) == {}
    assert found.reason == "no positive factor for this KPI's targets reaches the KGI target"


def test_no_scale_reaches_a_ratio_goal_it_can_only_approach() -> None:
    # A/(A+B) stays below 1 for every positive scale of A.
    targets = {"A": {APR: 1, MAY: 1}, "B": {APR: 1, MAY: 1}}
    found = solve(parse_formula("[A] / ([A] + [B])"), "A", targets, TWO, 2.5)
    assert found.factor is None
    assert found.reason == "no factor between 1/1,024 and 1,024 reaches the KGI target"


# -- MIX --------------------------------------------------------------------------------------


def mix(kpis: list[object]) -> list[str]:
    workbook = book(kpis)  # type: ignore[arg-type]
    return [f.message for f in finish(build_report(workbook, OCT), with_view=False).findings if f.code == "MIX"]


def test_a_department_of_volumes_only_is_told_to_add_a_quality_kpi() -> None:
    assert mix([kpi("D"), kpi("R", name="Revenue", unit="currency")]) == [
        "Department “Sales” tracks only volume KPIs (counts or money)."
    ]


def test_a_department_of_rates_only_is_told_to_add_a_volume_kpi() -> None:
    rate = kpi("W", name="Win rate", unit="percent", aggregation=Aggregation.AVERAGE)
    level = kpi("N", name="NPS score", aggregation=Aggregation.LAST)
    assert mix([rate, level]) == ["Department “Sales” tracks only rates or levels, no volume KPI."]


def test_a_percent_kpi_summed_is_still_a_rate_and_a_mixed_department_passes() -> None:
    assert mix([kpi("D"), kpi("W", name="Win rate", unit="percent")]) == []
