"""The KGI formula (SPEC §2): what it accepts, what it refuses, and what it evaluates to."""

from __future__ import annotations

import pytest

from kpireport.formula import MAX_DEPTH, FormulaError, parse_formula


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("[SAL-02] * [SAL-03] * [SAL-04]", {"SAL-02": 100, "SAL-03": 0.25, "SAL-04": 2_000_000}, 50_000_000),
        ("[A] + [B] * [C]", {"A": 1, "B": 2, "C": 3}, 7),  # * binds tighter than +
        ("([A] + [B]) * [C]", {"A": 1, "B": 2, "C": 3}, 9),
        ("[A] - [B] - [C]", {"A": 10, "B": 3, "C": 2}, 5),  # left to right
        ("[A] / [B] / 2", {"A": 12, "B": 3}, 2),
        ("-[A] + 10", {"A": 4}, 6),
        ("[A] * 1.5e3 + .5", {"A": 2}, 3000.5),
        ("  [ A ]*[B]  ", {"A": 2, "B": 3}, 6),  # spaces anywhere, ids trimmed
        ("[売上] * [単価]", {"売上": 3, "単価": 4}, 12),
    ],
)
def test_a_formula_evaluates_like_arithmetic(text: str, values: dict[str, float], expected: float) -> None:
    assert parse_formula(text).evaluate(values) == pytest.approx(expected, rel=1e-15)


def test_kpis_are_listed_once_in_order_of_appearance() -> None:
    assert parse_formula("[B] * [A] + [B] / [C]").kpis == ("B", "A", "C")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the formula is empty"),
        ("[A] % [B]", "'%' cannot be read"),
        ("[A] ** [B]", "'*' is not expected here"),
        ("[A] *", "ends too early"),
        ("([A] + [B]", "never closed"),
        ("[A] + [B])", "unexpected ')'"),
        ("[A] [B]", "unexpected 'B'"),
        ("[] * [A]", "[] names no KPI"),
        ("12 * 3", "names no KPI"),
        ("[A] / 0", "divides by zero"),
        ("[A] / (2 - 2)", "divides by zero"),
        ("[A] * __import__('os')", "cannot be read"),
        ("[A] + " * 120 + "[A]", "keep it under 500"),
        ("(" * (MAX_DEPTH + 2) + "[A]" + ")" * (MAX_DEPTH + 2), "nests deeper"),
        ("-" * 200 + "[A]", "nests deeper"),
        ("+".join(f"[K{i}]" for i in range(13)), "keep a driver tree to 12 or fewer"),
        ("[A] * 1e999", "too large a number"),
    ],
)
def test_a_bad_formula_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(FormulaError, match=None) as raised:
        parse_formula(text)
    assert message in str(raised.value)


def test_an_unknown_kpi_id_is_named() -> None:
    with pytest.raises(FormulaError) as raised:
        parse_formula("[SAL-02] * [SAL-99]", {"SAL-02", "SAL-03"})
    assert str(raised.value) == "[SAL-99] is not a KPI id on the KPI sheet; type one of its ids."


def test_a_divisor_that_is_zero_in_the_data_raises_zero_division() -> None:
    formula = parse_formula("[A] / [B]")
    with pytest.raises(ZeroDivisionError):
        formula.evaluate({"A": 1, "B": 0})


@pytest.mark.parametrize(
    ("text", "kpi", "degree"),
    [
        ("[A] * [B]", "A", 1),
        ("[A] * [B] + [C]", "C", 1),
        ("([A] + 3) * 2 - [B]", "A", 1),
        ("[A] / 4", "A", 1),
        ("[B] * [C]", "A", 0),
        ("[A] * [A]", "A", None),
        ("[B] / [A]", "A", None),
        ("[A] * [B] / ([A] + [C])", "A", None),
    ],
)
def test_degree_tells_where_the_formula_is_linear(text: str, kpi: str, degree: int | None) -> None:
    known = {"A", "B", "C"}
    assert parse_formula(text, known | {kpi}).degree_in(kpi) == degree


def test_every_mix_of_plan_and_actual_is_the_formula_of_that_mix() -> None:
    formula = parse_formula("([A] + [B]) * [C] / [B]")
    plan, actual = {"A": 1.0, "B": 2.0, "C": 3.0}, {"A": 10.0, "B": 20.0, "C": 30.0}
    mixes = formula.evaluate_mixes(plan, actual)
    # Bit 0 = A, bit 1 = B, bit 2 = C at their actuals: mix 0b101 is A 10, B 2, C 30: 12 x 30 / 2.
    assert mixes[0b000] == (1 + 2) * 3 / 2 and mixes[0b101] == 180.0 and mixes[0b111] == (10 + 20) * 30 / 20
    assert len(mixes) == 8
    with pytest.raises(ZeroDivisionError):  # one mix of eight divides by zero
        formula.evaluate_mixes(plan, {"A": 10.0, "B": 0.0, "C": 30.0})
