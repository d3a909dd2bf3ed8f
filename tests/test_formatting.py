"""Figures in the pack's locale (Babel): the short forms charts and sentences use."""

from __future__ import annotations

import pytest

from kpireport.formatting import Formatter


@pytest.mark.parametrize(
    ("locale", "value", "unit", "expected"),
    [
        # Japanese shortens from 万 (10,000) on; below it a figure is written in full, grouped.
        ("ja", 9_000, "currency", "¥9,000"),
        ("ja", 6_000, "number", "6,000"),
        ("ja", 12_000, "number", "1.2万"),
        ("ja", 1_500_000, "currency", "150万円"),
        ("ja", 25_000_000, "number", "2,500万"),  # 万 counts to 9,999: grouped as any figure
        # English shortens from a thousand.
        ("en", 9_000, "currency", "¥9K"),
        ("en", 6_000, "number", "6K"),
        ("en", 1_500_000, "currency", "¥1.5M"),
        ("en", 500, "number", "500"),
    ],
)
def test_axis_labels_are_short_and_grouped(locale: str, value: float, unit: str, expected: str) -> None:
    assert Formatter(locale, "JPY", large_yen=True).axis(value, unit, 1000) == expected  # type: ignore[arg-type]


def test_a_figure_in_a_sentence_below_a_man_is_written_in_full_in_japanese() -> None:
    assert Formatter("ja", "JPY").compact(6_000, "number") == "6,000"
    assert Formatter("ja", "JPY").compact(12_345, "number") == "1.23万"


def test_four_digits_of_man_are_grouped() -> None:
    # A bridge's effect: 38,288,978 yen is 3,828.8978万, shown to two decimals of its scale.
    assert Formatter("ja", "JPY").compact(38_288_978, "currency") == "¥3,828.9万"
    assert Formatter("ja", "JPY").compact(3_568_262, "currency") == "¥356.83万"
    assert Formatter("en", "JPY").compact(38_288_978, "currency") == "¥38.29M"
