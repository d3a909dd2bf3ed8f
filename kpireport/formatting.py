"""Locale-aware presentation of numbers, money, percentages and dates (Babel).

The only place values are rounded for display: metrics keep 15 significant digits (SPEC §3).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import babel
from babel.dates import format_date, format_skeleton
from babel.numbers import (
    NumberPattern,
    format_compact_decimal,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    parse_pattern,
)

from kpireport.model import Direction, Locale, Month, Settings
from kpireport.schema import MAX_MAGNITUDE

DASH = "–"
MINUS = "−"
# SPEC §6 keeps every figure read within ±1e15, so the pack writes every figure it reads in
# full. A figure computed from them can leave that range (a driver formula's product of
# targets, an attainment against a target of 1e-300): shown past it in Excel's scientific
# form (1.2E+41), never as hundreds of digits, and never handed to Babel, whose decimal
# arithmetic stops at 28 digits. A finding says when a goal's figure is out there.
MAX_SHOWN = MAX_MAGNITUDE
# A spreadsheet shows a figure with the decimals its inputs carry, up to four (a ratio typed
# as 0.8765); past that the digits are noise of a division, not something anyone typed.
MOST_DECIMALS = 4
MOST_PERCENT_DECIMALS = 2
SCIENTIFIC = "0.0E+00"
"""Excel's number format of a figure past MAX_SHOWN."""


@dataclass(frozen=True)
class Formatter:
    locale: Locale
    currency: str
    large_yen: bool = True
    """Japanese packs show yen as 7.59億円 / 183万円 / 7,029円; a theme may ask for plain yen
    (¥759,041,893)."""

    @classmethod
    def for_settings(cls, settings: Settings, *, large_yen: bool = True) -> Formatter:
        """The formatter of a pack of these settings: its language and currency (and a theme's
        choice of 万/億 for yen). Made once per pack and handed to everything that shows a figure."""
        return cls(settings.locale, settings.currency, large_yen=large_yen)

    @functools.cached_property
    def _babel(self) -> babel.Locale:
        # Babel parses a locale's name on every call it is given as text: given the parsed
        # locale, a figure formats in half the time (a pack formats thousands of them).
        return babel.Locale.parse(self.locale)

    def value(
        self,
        value: float | None,
        unit: str,
        *,
        scale: MoneyScale | None = None,
        whole: bool = False,
        decimals: int | None = None,
    ) -> str:
        """A KPI value in its unit: 25.3%, 1.46%, ¥759.0M, 1,234.5; money in ``scale`` (one
        per table or card), else in its own; ``whole`` for a count (642.9 customers is 643)."""
        if value is None or not math.isfinite(value):
            return DASH
        if unit == "percent":
            # A rate with the precision it was typed in (a target of 1.46%, not 1.5%), so a
            # reader can re-derive its attainment; one decimal at least, two at most; with
            # ``decimals``, as many as the figures beside it (25.60% beside 23.32%).
            if not abs(value) <= MAX_SHOWN / 100:
                return self.percent(value)
            places = "0.0#" if decimals is None else "0" + _fraction(max(1, min(decimals, MOST_PERCENT_DECIMALS)))
            return self._signed(_pattern(f"#,##{places}%").apply(value, self._babel))
        if unit == "currency":
            return self.money(value, scale)
        return self.number(value, whole=whole, decimals=decimals)

    def number(self, value: float, *, whole: bool = False, decimals: int | None = None) -> str:
        """1,234 or 12.5; ``decimals`` fixed where the figure stands beside others of its KPI
        (engagement 4.0 beside its target of 4.1, not 4)."""
        if not abs(value) <= MAX_SHOWN:
            return self._scientific(value)
        if whole:
            decimals = 0
        if decimals is not None:
            pattern = "#,##0" + _fraction(decimals)
        else:
            pattern = "#,##0" if abs(value) >= 1000 else "#,##0.#"
        return self._signed(_pattern(pattern).apply(value, self._babel))

    def money_scale(self, *values: float | None) -> MoneyScale:
        """The one unit a group of money figures is shown in (a table's rows, a goal's card),
        chosen by the largest of them: a board reads ¥759.0M, not ¥759,041,893."""
        finite = [abs(v) for v in values if v is not None and math.isfinite(v) and abs(v) <= MAX_SHOWN]
        largest = max(finite, default=0.0)
        if self._man_oku_yen:
            for threshold, divisor, decimals, suffix in _MAN_OKU:
                if largest >= threshold:
                    return MoneyScale(divisor, decimals, suffix, symbol=False)
            return FULL_YEN
        for threshold, divisor, decimals, suffix in _MILLIONS:
            if largest >= threshold:
                return MoneyScale(divisor, decimals, suffix, symbol=True)
        return FULL

    def money(self, value: float, scale: MoneyScale | None = None) -> str:
        """Money in ``scale`` (by default the figure's own): ¥759.0M, ¥7,029, 7.59億円, 183万円."""
        if not abs(value) <= MAX_SHOWN:
            return self._scientific(value, symbol=self._symbol)
        scale = scale or self.money_scale(value)
        if scale == FULL:
            # Whole units read better in a board pack; cents only matter for small amounts.
            digits = abs(value) < 100 and self.currency != "JPY"
            text = _pattern("¤#,##0.00" if digits else "¤#,##0").apply(
                value, self._babel, currency=self.currency, currency_digits=False
            )
            return self._signed(text.replace("￥", "¥"))
        figure = str(_pattern("#,##0" + _fraction(scale.decimals)).apply(abs(value) / scale.divisor, self._babel))
        negative = value < 0 and any(ch in "123456789" for ch in figure)
        symbol = self._symbol if scale.symbol else ""
        return ("−" if negative else "") + symbol + figure + scale.suffix

    @functools.cached_property
    def _man_oku_yen(self) -> bool:
        return self.large_yen and self.locale == "ja" and self.currency == "JPY"

    def percent(self, value: float | None) -> str:
        if value is None or not math.isfinite(value):
            return DASH
        if not abs(value) <= MAX_SHOWN / 100:
            return self._scientific(value, shift=2) + "%"
        return self._signed(_pattern("#,##0.0%").apply(value, self._babel))

    def delta(
        self,
        delta: float | None,
        unit: str,
        *,
        scale: MoneyScale | None = None,
        whole: bool = False,
        decimals: int | None = None,
    ) -> str:
        """A signed month-over-month change; percentage points for percent KPIs; money in
        ``scale`` (its row's)."""
        if delta is None or not math.isfinite(delta):
            return DASH
        if unit == "percent":
            if not abs(delta) <= MAX_SHOWN / 100:
                return ("+" if delta > 0 else "") + self._scientific(delta, shift=2) + "pt"
            points = _pattern("#,##0.0").apply(delta * 100, self._babel)
            return self._signed(_plus(points) + "pt")
        return _plus(self.value(delta, unit, scale=scale, whole=whole, decimals=decimals))

    def gap(self, value: float, unit: str, *, scale: MoneyScale | None = None, decimals: int | None = None) -> str:
        """The size of a difference, unsigned: ¥6,800, 0.5pt for a percent KPI."""
        if unit == "percent":
            return self._signed(_pattern("#,##0.0").apply(abs(value) * 100, self._babel) + "pt")
        return self.value(abs(value), unit, scale=scale, decimals=decimals)

    def delta_pct(self, value: float | None, unit: str, *, relative: bool = True) -> str:
        """A relative change (+12.5%); none for a percent KPI, whose change is already in
        points: "−2.0pt −10.0%" reads as two contradicting figures; none either where the
        change is not ``relative`` (a score's, which reads in its own unit)."""
        if value is None or unit == "percent" or not relative or not math.isfinite(value):
            return ""
        return ("+" if value > 0 else "") + self.percent(value)

    def change_on_last_year(
        self,
        delta: float | None,
        pct: float | None,
        unit: str,
        *,
        relative: bool = True,
        scale: MoneyScale | None = None,
    ) -> str:
        """+12.5% on last year; for a percent KPI the change in points (+1.2pt), since a
        relative change of a rate reads as a second, contradicting percentage; the change
        itself where it is not ``relative`` (NPS −5, engagement +0.5)."""
        if unit == "percent" or not relative:
            return self.delta(delta, unit, scale=scale)
        return self.delta_pct(pct, unit) or DASH

    def axis(self, value: float, unit: str, step: float = 1.0, largest: float | None = None) -> str:
        """A chart's axis label: short, in the pack's locale (¥1.5M, 1.5億円, 12%), with as
        many decimals as ticks ``step`` apart need (1.5%, 2.0%, 2.5%); money in one unit for
        the whole axis, chosen by its ``largest`` tick (0.5億円 and 1.5億円, never 5,000万円
        beside 1.5億円)."""
        if unit == "percent":
            if not abs(value) <= MAX_SHOWN / 100:
                return self.percent(value)
            decimals = min(_decimals(abs(step) * 100), 2)
            pattern = "#,##0" + _fraction(decimals) + "%"
            return self._signed(_pattern(pattern).apply(value, self._babel))
        if unit == "currency" and abs(value) <= MAX_SHOWN:
            top = abs(largest) if largest is not None else abs(value)
            ladder = _AXIS_MAN_OKU if self._man_oku_yen else _AXIS_MILLIONS
            for threshold, divisor, suffix in ladder:
                if top >= threshold:
                    decimals = min(_decimals(abs(step) / divisor), 2)
                    return self.money(value, MoneyScale(divisor, decimals, suffix, symbol=not self._man_oku_yen))
            return self.money(value, FULL_YEN if self._man_oku_yen else FULL)
        return self._compact(value, unit, 1)

    def axis_format(self, unit: str, top: float, step: float) -> str:
        """The Excel number-format code of a chart's value axis whose ticks are ``step`` apart
        and at most ``top`` from zero, scaled as the PDF's axis labels are (¥730M, 7.30億円,
        12%) by the code alone, so the chart's data stays the figures themselves: each trailing
        comma divides by 1,000 (``"¥"#,##0,,"M"``). 万 (10^4) and 億 (10^8) are no powers of
        1,000: the code divides by 1,000 or 1,000,000 and writes the digits left over behind a
        literal decimal point (``0\\.00,,"億円"`` shows 730,000,000 as 7.30億円), so 億 always
        has two decimals and 万 one. Every tick in one scale, with the decimals ``step`` needs;
        below 10,000 (10万 in Japanese) in full; past ±1e15 in Excel's scientific form."""
        if not top <= MAX_SHOWN:
            return SCIENTIFIC
        if unit == "percent":
            return self._axis_code(unit, 0, "", _decimals(step * 100))
        for exponent, suffix, start in self._axis_scales(unit):
            literal = exponent % 3
            if top >= start and step >= 10.0 ** (exponent - (literal or 2)):
                return self._axis_code(unit, exponent, suffix, 0 if literal else _decimals(step / 10.0**exponent))
        return self._axis_code(unit, 0, "円" if unit == "currency" and self._man_oku_yen else "", _decimals(step))

    def _axis_scales(self, unit: str) -> tuple[tuple[int, str, float], ...]:
        """The scales of a chart's axis: the power of ten, its word, and the size from which
        it is used; 億円 and 万円 name the yen (no ¥) where the pack does (large_yen)."""
        yen = "円" if unit == "currency" and self._man_oku_yen else ""
        if self.locale == "ja":
            return ((8, "億" + yen, OKU_AXIS_FROM), (4, "万" + yen, MAN_AXIS_FROM))
        return ((12, "T", 1e12), (9, "B", 1e9), (6, "M", 1e6), (3, "K", 1e4))

    def _axis_code(self, unit: str, exponent: int, suffix: str, decimals: int) -> str:
        """The figure divided by 10^``exponent``, with ``decimals``, then ``suffix``; a negative
        one with a true minus."""
        if unit == "percent":
            body = f"0{_fraction(decimals)}%"
            return f'{body};"{MINUS}"{body}'
        literal = exponent % 3
        digits = "0\\." + "0" * literal if literal else f"#,##0{_fraction(decimals)}"
        symbol = self._symbol if unit == "currency" and not suffix.endswith("円") else ""
        body = digits + "," * (exponent // 3) + (f'"{suffix}"' if suffix else "")
        return (f'"{symbol}"' if symbol else "") + f'{body};"{MINUS}{symbol}"{body}'

    def shown_format(
        self, unit: str, *, scale: MoneyScale | None = None, decimals: int = 0, sign: str = "", label: str = ""
    ) -> str:
        """The Excel number-format code of a figure held as it is shown, in ``scale`` (a chart's
        data label holding 7.6 reads ¥7.6M; 7.51, 7.51億円; 183, 183万円), as :meth:`value`
        writes it: ``sign`` before it, a free unit ``label`` after it (600 customers)."""
        if unit == "percent":
            body = f"0{_fraction(max(1, min(decimals, MOST_PERCENT_DECIMALS)))}%"
        elif unit == "currency":
            scale = scale or self.money_scale(0.0)
            body = f"#,##0{_fraction(scale.decimals)}" + (f'"{scale.suffix}"' if scale.suffix else "")
            sign += self._symbol if scale.symbol else ""
        else:
            body = f"#,##0{_fraction(min(decimals, MOST_DECIMALS))}"
        label = label.replace('"', "")
        body += f'"{label}"' if label else ""
        return f'"{sign}"{body}' if sign else body

    def compact(self, value: float, unit: str) -> str:
        """A large figure in a sentence, to two decimals of its scale: ¥1.36B / 13.62億円."""
        if unit == "currency":
            return self.money(value)
        if unit == "percent" or abs(value) < 1000:
            # Babel's compact form keeps every decimal of a figure it does not shorten.
            return self.value(value, unit)
        return self._compact(value, unit, 2)

    def _compact(self, value: float, unit: str, fraction_digits: int) -> str:
        """A figure that is not money, shortened (1.2K, 1.23万): money has its own scales."""
        if not abs(value) <= MAX_SHOWN:
            return self.value(value, unit)
        text = format_compact_decimal(value, locale=self._babel, fraction_digits=fraction_digits)
        if "".join(ch for ch in text if ch.isalnum()).isdigit():
            # Not shortened (Japanese shortens from 1万, 10,000, on): Babel then leaves the
            # digits ungrouped (9000), so write the figure in full (9,000).
            return self.value(value, unit)
        # 万 counts up to 9,999 before 億: Babel leaves those four digits ungrouped (3828.9万).
        whole = re.search(r"\d{4,}", text)
        if whole:
            grouped = format_decimal(int(whole.group()), locale=self._babel)
            text = text[: whole.start()] + grouped + text[whole.end() :]
        return self._signed(text)

    def month(self, month: Month) -> str:
        """Nov 2026 / 2026年11月."""
        return month_name(self._babel, month)

    def short_month(self, month: Month) -> str:
        """Apr / 4月: a month on a chart's axis."""
        return str(format_skeleton("MMM", month.first_day, locale=self._babel))

    def excel_format(self, unit: str, *, signed: bool = False, decimals: int | None = None) -> str:
        """The number format a spreadsheet or a deck's chart shows a value in: 12.5%, ¥1,234,
        1,318, 4.1; ``signed`` for a change (+1.2pt for a percent KPI's change in points,
        written as the points themselves). ``decimals`` is what the KPI's figures carry (see
        :func:`carried_decimals`; a percent's in percent, 1.46% carries two): a count is shown
        whole, and no format ends in a bare point, which Excel shows as "1,318.". Money shows
        its currency's minor units where its figures have any, else none; a percent one or two
        decimals (1.46% keeps both, so its attainment can be worked again from it)."""
        sign = "+" if signed else ""
        if unit == "percent":
            digits = _fraction(max(1, min(decimals if decimals is not None else 1, MOST_PERCENT_DECIMALS)))
            return f'{sign}0{digits}"pt";-0{digits}"pt";0{digits}"pt"' if signed else f"0{digits}%"
        if unit == "currency":
            minor = self._currency_digits if decimals else 0  # ¥1,234, $7.50: never $7.5
            symbol, digits = self._symbol.replace('"', ""), _fraction(minor)
            grouped = f'"{symbol}"#,##0{digits}'
            return f'{sign}{grouped};-{grouped};"{symbol}"0{digits}' if signed else grouped
        digits = _fraction(min(decimals if decimals is not None else 1, MOST_DECIMALS))
        return f"{sign}#,##0{digits};-#,##0{digits};0{digits}" if signed else f"#,##0{digits}"

    @functools.cached_property
    def _currency_digits(self) -> int:
        return int(get_currency_precision(self.currency))

    def date(self, day: dt.date) -> str:
        """24 Nov 2026 / 2026年11月24日."""
        return str(format_date(day, "medium" if self.locale == "en" else "long", locale=self._babel))

    @functools.cached_property
    def _symbol(self) -> str:
        return str(get_currency_symbol(self.currency, locale=self._babel)).replace("￥", "¥")

    def _scientific(self, value: float, *, shift: int = 0, symbol: str = "") -> str:
        """``value`` × 10^``shift`` as Excel shows a figure too long for its cell: 1.2E+41,
        −¥9.0E+303. Python's own decimal arithmetic rounds it (to the context's 28 digits, a
        float has 17), so any float fits; the mantissa is written in the pack's locale."""
        if not math.isfinite(value):  # kpireport computes none, but a dash beats a crash
            return DASH
        mantissa, exponent = format(decimal.Decimal(value).scaleb(shift), ".1E").split("E")
        number = _pattern("0.0").apply(abs(float(mantissa)), self._babel)
        return self._signed(("-" if value < 0 else "") + f"{symbol}{number}E{exponent}")

    @staticmethod
    def _signed(text: str) -> str:
        # A true minus sign lines up with the plus sign in tabular figures.
        return text.replace("-", MINUS)


def _plus(text: str) -> str:
    """A change with its sign: +¥0.3M; none on a change that shows as zero (0万円, not +0万円)."""
    if text.startswith(("-", MINUS)) or not any(ch in "123456789" for ch in text):
        return text
    return "+" + text


@dataclass(frozen=True)
class MoneyScale:
    """The unit a group of money figures is shown in: its divisor, decimals and what follows
    the figure (M, 億円)."""

    divisor: float
    decimals: int
    suffix: str
    symbol: bool
    """Whether the currency's symbol leads the figure (¥759.0M; not 7.59億円)."""

    @property
    def step(self) -> float:
        """The smallest amount the scale shows: ¥0.1M is 100,000 yen."""
        return self.divisor / float(10**self.decimals)


FULL = MoneyScale(1, 0, "", symbol=True)
FULL_YEN = MoneyScale(1, 0, "円", symbol=False)
"""Yen in full in a Japanese pack (7,029円), beside 183万円."""
# A board reads millions, and a Japanese company's English pack counts in millions of yen
# into the billions (¥1,360.0M); billions only from ten of them.
# (from, divisor, decimals, suffix), largest first.
# Under ten million, two decimals keep what a row of a few millions varies by (¥1.04M against
# ¥1.00M, not ¥1.0M against ¥1.0M).
_MILLIONS = ((1e10, 1e9, 1, "B"), (1e7, 1e6, 1, "M"), (1e6, 1e6, 2, "M"))
# 億円 to two decimals (7.59億円), 万円 whole (183万円), yen in full below a million.
_MAN_OKU = ((1e8, 1e8, 2, "億円"), (1e6, 1e4, 0, "万円"))
# A chart's axis (from, divisor, suffix): short enough for its gutter (0.5億円, not 5,000万円).
_AXIS_MILLIONS = ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K"))
# The PDF's labels and the deck's axis codes change unit at the same sizes: 億 from ten
# million (0.5億円 fits the PDF chart's margin where 5,000万円 does not), 万 from 100,000.
OKU_AXIS_FROM, MAN_AXIS_FROM = 1e7, 1e5
_AXIS_MAN_OKU = ((OKU_AXIS_FROM, 1e8, "億円"), (MAN_AXIS_FROM, 1e4, "万円"))


def whole_pace(value: float, direction: Direction) -> float:
    """A pace a count needs, in whole things: 44.2 more customers a month is 45 where more is
    better, at most 3.8 complaints a month is 3 where fewer is (a float's noise aside)."""
    if not math.isfinite(value):
        return value
    return math.ceil(value - 1e-9) if direction is Direction.HIGHER else math.floor(value + 1e-9)


def adding_up(start: float, parts: Sequence[float], end: float, step: float) -> tuple[float, tuple[float, ...], float]:
    """``start``, ``parts`` and ``end`` rounded to ``step`` so that the rounded parts add up
    from the rounded start to the rounded end, as a reader of a waterfall in ¥M checks
    (largest remainder: each part rounded down, then the steps still missing given to the
    parts that lost the most)."""
    figures = [start, end, *parts]
    if not all(math.isfinite(x) and abs(x) <= MAX_SHOWN for x in figures):
        return start, tuple(parts), end  # shown in scientific form, where no sum is checked
    first, last = round(start / step), round(end / step)
    exact = [part / step for part in parts]
    shown = [math.floor(x) for x in exact]
    if shown:
        # Normally a step or two; whatever is missing is spread evenly, the rest by remainder.
        spread, rest = divmod((last - first) - sum(shown), len(shown))
        by_remainder = sorted(range(len(shown)), key=lambda i: exact[i] - shown[i], reverse=True)
        for rank, i in enumerate(by_remainder):
            shown[i] += spread + (1 if rank < rest else 0)
    return first * step, tuple(k * step for k in shown), last * step


def _decimals(step: float) -> int:
    """The decimals that write every multiple of ``step`` exactly (0.5: 1, 0.05: 2, 10: 0)."""
    return len(f"{step:.6f}".rstrip("0").partition(".")[2])


@functools.cache
def _pattern(text: str) -> NumberPattern:
    """A Babel number pattern, parsed once: parsing it for every figure took half of each
    figure's formatting time (a pack formats thousands)."""
    return parse_pattern(text)


def carried_decimals(values: Iterable[float | None], *, scale: float = 1) -> int:
    """The decimals the figures carry as typed (1,318 none, 4.1 one, 0.0146 as a percent,
    ``scale`` 100, two), at most MOST_DECIMALS. Each figure is read to Excel's 15 significant
    digits first, so 0.1 + 0.2 carries one decimal, not seventeen."""
    most = 0
    for value in values:
        if value is None or not math.isfinite(value) or abs(value * scale) > MAX_SHOWN:
            continue
        exponent = decimal.Decimal(format(value * scale, ".15g")).normalize().as_tuple().exponent
        most = max(most, -exponent if isinstance(exponent, int) else 0)
        if most >= MOST_DECIMALS:
            return MOST_DECIMALS
    return most


def _fraction(decimals: int) -> str:
    """The decimal part of a number format: "" for whole figures, ".0", ".00"."""
    return "." + "0" * decimals if decimals > 0 else ""


def month_name(locale: Locale | babel.Locale, month: Month) -> str:
    """Nov 2026 / 2026年11月: a month named where no pack's figures are (a pack's file name)."""
    return str(format_skeleton("yMMM", month.first_day, locale=locale))
