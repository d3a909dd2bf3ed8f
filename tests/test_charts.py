"""Charts are drawn to their own scale, with their ticks in the pack's locale: read back from
the SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from kpireport.formatting import Formatter
from kpireport.presenting.charts import TrendLines, nice_ticks, trend_panel


def panel(actual: list[float | None], target: list[float | None], unit: str = "number", lang: str = "en") -> ET.Element:
    fmt = Formatter(lang, "JPY")  # type: ignore[arg-type]
    lines = TrendLines(target, actual, [None] * 12, [None] * 12)
    return ET.fromstring(str(trend_panel(lines, lambda v, step, largest: fmt.axis(v, unit, step, largest), height=160)))


def actual_line_ys(svg: ET.Element) -> list[float]:
    solid = [p for p in svg.iter("path") if p.get("stroke-width") == "2"]
    return [float(y) for y in re.findall(r"[ML][\d.]+ ([\d.]+)", solid[0].get("d", ""))]


def test_a_rate_of_12_to_14_percent_fills_the_chart() -> None:
    svg = panel([0.12, 0.13, 0.14] + [None] * 9, [0.13] * 12, "percent")
    ys = actual_line_ys(svg)
    plot_height = 160 - 8 - 8
    assert max(ys) - min(ys) > 0.6 * plot_height  # against 0-100% it would be 2% of the height
    labels = [t.text for t in svg.iter("text")]
    assert "12%" in labels and "14%" in labels


def test_percent_ticks_half_a_point_apart_keep_a_decimal() -> None:
    svg = panel([0.015, 0.02, 0.025] + [None] * 9, [0.02] * 12, "percent")
    labels = [t.text for t in svg.iter("text")]
    assert labels == ["1.5%", "2.5%"]  # the bottom and top ticks, half a point apart


def test_axis_labels_follow_the_locale() -> None:
    svg = panel([1.2e8, 1.5e8] + [None] * 10, [1.3e8] * 12, "currency", "ja")
    labels = [t.text or "" for t in svg.iter("text")]
    # Yen in 億円 on the axis as in the tables beside it (1.2億円).
    assert any(label.endswith("億円") for label in labels), labels
    assert len(labels) == 2  # the top and bottom ticks; the months are named by the page


def test_a_quarters_first_month_has_the_longer_tick() -> None:
    # The page names April, July, October and January under these (pack.css .trend-months).
    svg = panel([90.0, 95.0] + [None] * 10, [100.0] * 12)
    grid = next(p.get("d", "") for p in svg.iter("path") if p.get("stroke-width") == "1")
    ticks = [float(v) for v in re.findall(r"v(\d+)", grid)]
    assert ticks == [4, 2, 2] * 4


@pytest.mark.parametrize(("low", "high"), [(0.12, 0.14), (0, 1300), (-5, 5), (7, 7), (1e13, 4.5e13)])
def test_nice_ticks_cover_the_values(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high and 2 <= len(ticks) <= 6


def test_compact_tick_labels_are_exact() -> None:
    # Average deal size between ¥1.62M and ¥2.21M: ticks 1.5M, 2.0M, 2.5M, each exact at one decimal.
    svg = panel([1.62e6, 2.21e6] + [None] * 10, [2.0e6] * 12, "currency")
    assert [t.text for t in svg.iter("text")] == ["¥1.5M", "¥2.5M"]
