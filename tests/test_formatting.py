"""Figures in the pack's locale (Babel): the short forms charts and sentences use."""

from __future__ import annotations

from typing import Any

import pytest

from kpireport.computing.facts import Large
from kpireport.formatting import Formatter, MoneyScale, carried_decimals, whole_pace
from kpireport.model import Direction
from kpireport.presenting.wording import fact_text


@pytest.mark.parametrize(
    ("locale", "value", "unit", "step", "largest", "expected"),
    [
        # Money in one unit for the whole axis, chosen by its largest tick, with the decimals
        # its ticks' step needs: 億円 from ten million (0.5億円 beside 1.5億円, not 5,000万円,
        # which a chart's gutter cuts), 万円 from a hundred thousand, 円 below.
        ("ja", 9_000, "currency", 1_000, 9_000, "9,000円"),
        ("ja", 6_500, "currency", 3_500, 10_000, "6,500円"),
        ("ja", 1_500_000, "currency", 500_000, 2_500_000, "150万円"),
        ("ja", 50_000_000, "currency", 50_000_000, 150_000_000, "0.5億円"),
        # English: K from ten thousand, M from a million.
        ("en", 9_000, "currency", 1_000, 9_000, "¥9,000"),
        ("en", 20_000, "currency", 10_000, 20_000, "¥20K"),
        ("en", 1_500_000, "currency", 500_000, 2_500_000, "¥1.5M"),
        # Other figures: Japanese shortens from 万 (10,000) on; below it a figure is written
        # in full, grouped. English shortens from a thousand.
        ("ja", 6_000, "number", 1_000, None, "6,000"),
        ("ja", 12_000, "number", 1_000, None, "1.2万"),
        ("ja", 25_000_000, "number", 1_000, None, "2,500万"),  # 万 counts to 9,999: grouped as any figure
        ("en", 6_000, "number", 1_000, None, "6K"),
        ("en", 500, "number", 1_000, None, "500"),
    ],
)
def test_axis_labels_are_short_and_in_one_unit(
    locale: str, value: float, unit: str, step: float, largest: float | None, expected: str
) -> None:
    assert Formatter(locale, "JPY", large_yen=True).axis(value, unit, step, largest) == expected  # type: ignore[arg-type]


def test_a_figure_in_a_sentence_below_a_man_is_written_in_full_in_japanese() -> None:
    assert Formatter("ja", "JPY").compact(6_000, "number") == "6,000"
    assert Formatter("ja", "JPY").compact(12_345, "number") == "1.23万"


def test_money_in_a_sentence_is_in_the_units_a_board_reads() -> None:
    # A bridge's effect: 38,288,978 yen is 3,828.8978万 (3,829万円 to the 万) and ¥38.3M to
    # the tenth of a million; 3,568,262 yen is 356.8万 (357万円).
    assert Formatter("ja", "JPY").compact(38_288_978, "currency") == "3,829万円"
    assert Formatter("ja", "JPY").compact(3_568_262, "currency") == "357万円"
    assert Formatter("en", "JPY").compact(38_288_978, "currency") == "¥38.3M"


# SPEC §6 keeps what is read within ±1e15; a figure computed from it may not be (a driver
# formula's product, an attainment against a target of 1e-300). Every finite figure formats;
# past ±1e15 in Excel's scientific form (README, Limits), as a cell too narrow for it shows.
@pytest.mark.parametrize(
    ("locale", "call", "expected"),
    [
        ("en", lambda f: f.number(1e-300), "0"),
        ("en", lambda f: f.money(-1e-300), "−¥0"),
        ("en", lambda f: f.percent(1e-300), "0.0%"),
        ("en", lambda f: f.number(1e15), "1,000,000,000,000,000"),  # the largest figure a cell holds
        ("en", lambda f: f.number(1.5e15), "1.5E+15"),
        ("en", lambda f: f.number(1e40), "1.0E+40"),
        ("en", lambda f: f.money(-9.96e40), "−¥1.0E+41"),
        ("ja", lambda f: f.money(1e300), "¥1.0E+300"),  # not 1.0E+292億円
        ("en", lambda f: f.percent(9e301), "9.0E+303%"),  # 90 against a target of 1e-300
        ("en", lambda f: f.percent(1.7976931348623157e308), "1.8E+310%"),  # ×100 is beyond a float
        ("en", lambda f: f.delta(2e14, "percent"), "+2.0E+16pt"),
        ("en", lambda f: f.delta(-3e20, "currency"), "−¥3.0E+20"),
        ("en", lambda f: f.delta_pct(4e20, "number"), "+4.0E+22%"),
        ("en", lambda f: f.compact(1.2e41, "currency"), "¥1.2E+41"),
        ("ja", lambda f: f.compact(1.2e41, "number"), "1.2E+41"),
        ("en", lambda f: f.axis(1e300, "number"), "1.0E+300"),
        ("en", lambda f: f.axis(1e300, "percent", 0.005), "1.0E+302%"),
        ("en", lambda f: f.value(float("inf"), "number"), "–"),  # never computed; no crash either
        ("en", lambda f: f.delta(float("nan"), "percent"), "–"),
    ],
)
def test_every_finite_figure_formats(locale: str, call: Any, expected: str) -> None:
    assert call(Formatter(locale, "JPY", large_yen=True)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "scale", "expected"),
    [
        ((1318, 1300.0, None), 1, 0),  # leads, typed whole
        ((4.1, 3.5, 4.0), 1, 1),  # an engagement score
        ((0.0146, 0.015), 100, 2),  # churn: 1.46%
        ((0.1 + 0.2,), 1, 1),  # read to 15 digits, as Excel keeps it: 0.3
        ((1 / 3,), 1, 4),  # a quotient: at most four decimals
    ],
)
def test_the_decimals_figures_carry(values: tuple[float | None, ...], scale: float, expected: int) -> None:
    assert carried_decimals(values, scale=scale) == expected


@pytest.mark.parametrize(
    ("currency", "unit", "decimals", "signed", "expected"),
    [
        ("JPY", "number", 0, False, "#,##0"),  # a count is whole, with no point Excel would show
        ("JPY", "number", 1, False, "#,##0.0"),
        ("JPY", "number", 0, True, "+#,##0;-#,##0;0"),
        ("JPY", "currency", 0, False, '"¥"#,##0'),
        ("JPY", "currency", 2, False, '"¥"#,##0'),  # yen has no minor unit
        ("USD", "currency", 2, False, '"$"#,##0.00'),  # cents where the figures have them
        ("USD", "currency", 1, False, '"$"#,##0.00'),  # never $7.5
        ("USD", "currency", 0, True, '+"$"#,##0;-"$"#,##0;"$"0'),
        ("JPY", "percent", 2, False, "0.00%"),
        ("JPY", "percent", 0, False, "0.0%"),  # a rate keeps a decimal, as every rate of the pack
        ("JPY", "percent", 4, True, '+0.00"pt";-0.00"pt";0.00"pt"'),  # to the hundredth at most
    ],
)
def test_a_spreadsheet_format_has_the_decimals_the_figures_carry(
    currency: str, unit: str, decimals: int, signed: bool, expected: str
) -> None:
    assert Formatter("en", currency).excel_format(unit, signed=signed, decimals=decimals) == expected


# A chart's number formats (issue #30): Excel codes that scale the figure by thousands (each
# trailing comma divides by 1,000), so the chart's data stays raw yen. Japanese 万 and 億 are
# not powers of a thousand: the code divides by 1,000 (or 1,000,000) and writes the digits
# left over behind a literal decimal point (\.), so 730,000,000 shows as 7.30億円.
@pytest.mark.parametrize(
    ("locale", "unit", "top", "step", "expected"),
    [
        # The English bridge: ticks ¥730M to ¥770M, ¥10M apart.
        ("en", "currency", 770e6, 10e6, '"¥"#,##0,,"M";"−¥"#,##0,,"M"'),
        ("en", "currency", 2.5e6, 0.5e6, '"¥"#,##0.0,,"M";"−¥"#,##0.0,,"M"'),  # ¥1.5M
        ("en", "currency", 1.5e9, 0.5e9, '"¥"#,##0.0,,,"B";"−¥"#,##0.0,,,"B"'),
        ("en", "currency", 10_000, 2_000, '"¥"#,##0,"K";"−¥"#,##0,"K"'),  # ¥10K, as the PDF's axis
        ("en", "currency", 9_000, 1_000, '"¥"#,##0;"−¥"#,##0'),  # below 10,000 in full
        ("en", "currency", 1_000_200, 100, '"¥"#,##0.0,"K";"−¥"#,##0.0,"K"'),  # M would need 4 decimals
        ("en", "number", 2_000, 500, '#,##0;"−"#,##0'),
        ("en", "number", 120_000, 20_000, '#,##0,"K";"−"#,##0,"K"'),
        ("en", "number", 5, 0.5, '#,##0.0;"−"#,##0.0'),
        ("en", "percent", 0.3, 0.05, '0%;"−"0%'),
        ("en", "percent", 1.0, 0.005, '0.0%;"−"0.0%'),
        # The Japanese bridge: ticks 6.00億円 to 8.50億円, 0.50億円 apart; 億 always to 2 decimals.
        ("ja", "currency", 850e6, 50e6, '0\\.00,,"億円";"−"0\\.00,,"億円"'),
        ("ja", "currency", 2.5e6, 0.5e6, '0\\.0,"万円";"−"0\\.0,"万円"'),  # 250.0万円
        ("ja", "currency", 100_000_500, 100, '#,##0"円";"−"#,##0"円"'),  # neither 億 nor 万 shows 100
        ("ja", "currency", 10_000, 2_000, '#,##0"円";"−"#,##0"円"'),  # below 10万 in full: 8,000円
        ("ja", "number", 120_000, 20_000, '0\\.0,"万";"−"0\\.0,"万"'),  # a count is no yen
        ("ja", "percent", 0.02, 0.005, '0.0%;"−"0.0%'),
        ("en", "number", 1e300, 1e299, "0.0E+00"),  # past ±1e15, as the pack writes it
    ],
)
def test_a_chart_axis_format_scales_by_the_code_alone(
    locale: str, unit: str, top: float, step: float, expected: str
) -> None:
    assert Formatter(locale, "JPY").axis_format(unit, top, step) == expected  # type: ignore[arg-type]


def test_plain_yen_axes_lead_with_the_symbol() -> None:
    # A theme's large_yen = "plain": ¥7.30億, as Babel writes the PDF's axis then.
    fmt = Formatter("ja", "JPY", large_yen=False)
    assert fmt.axis_format("currency", 850e6, 50e6) == '"¥"0\\.00,,"億";"−¥"0\\.00,,"億"'
    assert fmt.axis_format("currency", 10_000, 2_000) == '"¥"#,##0;"−¥"#,##0'


@pytest.mark.parametrize(
    ("locale", "unit", "scale", "decimals", "sign", "label", "expected"),
    [
        # The English bridge's labels hold ¥751.1M as 751.1, +¥7.6M as 7.6.
        ("en", "currency", MoneyScale(1e6, 1, "M", symbol=True), 0, "", "", '"¥"#,##0.0"M"'),
        ("en", "currency", MoneyScale(1e6, 1, "M", symbol=True), 0, "+", "", '"+¥"#,##0.0"M"'),
        ("en", "currency", None, 0, "−", "", '"−¥"#,##0'),  # below a million, in full
        # The Japanese one's: 7.51億円, +0.38億円; 183万円; 7,029円.
        ("ja", "currency", MoneyScale(1e8, 2, "億円", symbol=False), 0, "", "", '#,##0.00"億円"'),
        ("ja", "currency", MoneyScale(1e8, 2, "億円", symbol=False), 0, "+", "", '"+"#,##0.00"億円"'),
        ("ja", "currency", MoneyScale(1e4, 0, "万円", symbol=False), 0, "", "", '#,##0"万円"'),
        ("ja", "currency", None, 0, "", "", '#,##0"円"'),
        # A count with its label, a rate with the decimals it was typed in.
        ("en", "number", None, 0, "+", " customers", '"+"#,##0" customers"'),
        ("ja", "number", None, 1, "", "社", '#,##0.0"社"'),
        ("en", "percent", None, 2, "−", "", '"−"0.00%'),
        ("en", "percent", None, 0, "", "", "0.0%"),  # a rate keeps a decimal
        ("en", "number", None, 0, "", 'say "hi"', '#,##0"say hi"'),  # a quote would end the literal
    ],
)
def test_a_chart_label_holds_the_figure_as_shown(
    locale: str, unit: str, scale: MoneyScale | None, decimals: int, sign: str, label: str, expected: str
) -> None:
    fmt = Formatter(locale, "JPY")  # type: ignore[arg-type]
    assert fmt.shown_format(unit, scale=scale, decimals=decimals, sign=sign, label=label) == expected


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        (44.2, Direction.HIGHER, 45),  # 44.2 more customers a month: 45 are needed
        (45.0, Direction.HIGHER, 45),
        (45.000000000001, Direction.HIGHER, 45),  # a float's noise is no 46th customer
        (3.8, Direction.LOWER, 3),  # at most 3.8 complaints a month: 3 keep within it
        (3.0, Direction.LOWER, 3),
    ],
)
def test_a_counts_pace_is_whole_the_way_it_improves(value: float, direction: Direction, expected: int) -> None:
    assert whole_pace(value, direction) == expected


def test_a_sentence_rounds_a_counts_pace_as_the_pace_table_does() -> None:
    fmt = Formatter("en", "JPY")
    assert fact_text(Large(44.2, "customers", whole=True, pace=Direction.HIGHER), fmt) == "45 customers"
    assert fact_text(Large(3.8, "complaints", whole=True, pace=Direction.LOWER), fmt) == "3 complaints"


def test_the_decks_axis_changes_unit_where_the_pdfs_does() -> None:
    # A Japanese money axis up to 50,000,000 yen in steps of 10,000,000: the PDF labels it in
    # 億円 (0.5億円), so the deck's axis code is in 億円 too, not 万円.
    fmt = Formatter("ja", "JPY")
    assert fmt.axis(50_000_000, "currency", 10_000_000, 50_000_000) == "0.5億円"
    assert '"億円"' in fmt.axis_format("currency", 50_000_000, 10_000_000)
    assert "万" not in fmt.axis_format("currency", 50_000_000, 10_000_000)
