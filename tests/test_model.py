"""The compact month series behaves as the month → value mapping the metrics expect."""

from __future__ import annotations

import math
import pickle
from array import array

import pytest

from kpireport.model import Month, MonthValues

APR, MAY, JUN, JUL = (Month(2026, m) for m in (4, 5, 6, 7))
POSITIONS = {APR: 0, MAY: 1, JUN: 2, JUL: 3}


def series() -> MonthValues:
    return MonthValues(POSITIONS, array("d", [10.0, math.nan, 0.0, -2.5]))


def test_a_blank_month_is_absent_and_zero_is_a_value() -> None:
    values = series()
    assert list(values) == [APR, JUN, JUL]
    assert len(values) == 3
    assert MAY not in values and JUN in values
    assert values.get(MAY) is None
    assert values[JUN] == 0.0
    with pytest.raises(KeyError):
        values[MAY]


def test_a_month_outside_the_sheet_is_absent() -> None:
    assert Month(2027, 1) not in series()
    assert series().get(Month(2027, 1), 42.0) == 42.0


def test_equals_the_dict_it_stands_for_and_survives_pickling() -> None:
    expected = {APR: 10.0, JUN: 0.0, JUL: -2.5}
    assert series() == expected
    assert dict(series().items()) == expected
    assert pickle.loads(pickle.dumps(series())) == expected
    assert MonthValues.of(POSITIONS, expected) == expected
