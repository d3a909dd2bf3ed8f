"""Property-based tests (hypothesis): metric invariants, and a workbook fuzzer that expects
either a pack or a clean error naming the sheet, whatever the cells hold."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_sheets, write_sheets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpireport.build import BuildOptions, build_pack
from kpireport.computing.metrics import attainment, period, rollup, status
from kpireport.errors import WorkbookError
from kpireport.model import Aggregation, Direction, Month, Thresholds

MONTH = Month(2026, 6)
positive = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False)
# A target within 1e-9 of zero can make a ratio overflow to no figure at all (README: a ratio
# that overflows is null, never Infinity); tests/test_hostile.py builds a pack with one.
value = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(lambda v: v == 0 or abs(v) >= 1e-9)
maybe = st.none() | value
RANK = {"red": 0, "amber": 1, "green": 2}


@given(target=maybe, actual=maybe, aggregation=st.sampled_from(Aggregation), direction=st.sampled_from(Direction))
def test_a_rollup_of_one_month_equals_that_month_when_it_has_both_values(
    target: float | None, actual: float | None, aggregation: Aggregation, direction: Direction
) -> None:
    targets = {} if target is None else {MONTH: target}
    actuals = {} if actual is None else {MONTH: actual}
    one = rollup(targets, actuals, [MONTH], aggregation, direction, Thresholds())
    if target is None or actual is None:  # SPEC §3: only months with both are rolled up
        assert (one.target, one.actual, one.attainment, one.status) == (None, None, None, "no_data")
        return
    alone = period(target, actual, direction, Thresholds())
    assert (one.target, one.actual, one.attainment, one.status) == (
        alone.target,
        alone.actual,
        alone.attainment,
        alone.status,
    )


@given(target=positive, actual=positive)
def test_swapping_direction_and_inverting_values_is_symmetric(target: float, actual: float) -> None:
    higher = attainment(target, actual, Direction.HIGHER)
    lower = attainment(1 / target, 1 / actual, Direction.LOWER)
    assert higher is not None and lower is not None
    assert lower == pytest.approx(higher, rel=1e-9)


@given(target=maybe, actual=maybe, direction=st.sampled_from(Direction))
def test_attainment_is_null_exactly_where_the_spec_says(
    target: float | None, actual: float | None, direction: Direction
) -> None:
    undefined = target is None or actual is None or target <= 0 or (direction is Direction.LOWER and actual <= 0)
    assert (attainment(target, actual, direction) is None) is undefined


@given(target=st.none() | value, a=value, b=value, direction=st.sampled_from(Direction))
def test_status_is_monotone_in_the_actual(target: float | None, a: float, b: float, direction: Direction) -> None:
    low, high = sorted((a, b))
    better, worse = (high, low) if direction is Direction.HIGHER else (low, high)
    s_better = status(target, better, direction, Thresholds())
    s_worse = status(target, worse, direction, Thresholds())
    if target is None:
        assert s_better == s_worse == "no_data"
    else:
        assert RANK[s_better] >= RANK[s_worse]


cell = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),  # what a cell can hold
    st.sampled_from(["=1/0", "=A1+1", "#N/A", "2026-13", "１２３", "<script>x</script>", "higher", "lower"]),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.booleans(),
)
sheet_names = st.sampled_from(["Settings", "KGI", "KPI", "Targets", "Actuals", "Comments"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(sheet_names, st.integers(0, 4), st.integers(0, 13), cell), max_size=6))
def test_fuzzed_workbooks_give_a_pack_or_a_clean_error(edits: list[tuple[str, int, int, Any]]) -> None:
    sheets = minimal_sheets()
    for sheet, row, col, new in edits:
        rows = sheets[sheet]
        while len(rows) <= row:
            rows.append([])
        while len(rows[row]) <= col:
            rows[row].append(None)
        rows[row][col] = new
    with tempfile.TemporaryDirectory() as folder:
        path = write_sheets(Path(folder) / "fuzz.xlsx", sheets)
        before = path.read_bytes()
        try:
            result = build_pack(path, BuildOptions(out_dir=Path(folder) / "out", formats=("json",)))
        except WorkbookError as error:
            message = str(error)
            assert message and "Traceback" not in message
            assert any(name in message for name in sheets) or "fuzz.xlsx" in message or "month" in message, message
        else:
            assert result.outputs[0].exists()
        assert path.read_bytes() == before
