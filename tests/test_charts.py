"""Charts are drawn to their own scale: bar heights read back from the SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kpireport.charts import trend_chart

HEIGHT, PAD = 26.0, 2.0


def current_bar_height(actuals: list[float | None], targets: list[float | None]) -> float:
    svg = ET.fromstring(str(trend_chart(actuals, targets, "green", height=HEIGHT)))
    rect = svg.find("rect")  # inline SVG in HTML: no namespace
    assert rect is not None
    return float(rect.attrib["height"])


@pytest.mark.parametrize(
    ("actuals", "targets"),
    [
        ([0.12, 0.13, 0.14], [0.13, 0.13, 0.13]),  # a rate of 12-14%
        ([1200.0, 1300.0, 1400.0], [1300.0, 1300.0, 1300.0]),
        ([3.0, 3.5, 4.0], [None, None, None]),
    ],
)
def test_the_largest_bar_fills_the_chart_whatever_the_unit(actuals: list[float], targets: list[float | None]) -> None:
    # The report month's bar is the largest value: it spans the drawing height.
    assert current_bar_height(actuals, targets) == pytest.approx(HEIGHT - 2 * PAD, abs=0.1)


def test_a_percent_series_is_not_flattened_against_100_percent() -> None:
    # 14% of the way to 100% would be 3 px; scaled to its own values it is the full 22 px.
    assert current_bar_height([0.12, 0.14], [0.13, 0.13]) > 20


def test_all_zero_values_draw_without_dividing_by_zero() -> None:
    assert current_bar_height([0.0, 0.0], [0.0, 0.0]) == pytest.approx(0.6)  # the hairline of a zero bar
