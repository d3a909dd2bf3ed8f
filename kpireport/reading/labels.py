"""What a finance team types where the template asks for a month, a total or a threshold
(SPEC §2): month headers in their English and Japanese forms, the Japanese era included; total
and subtotal labels, recognised by their words; thresholds as fractions or percents.

Pure functions over one cell's value. Text is compared after :func:`~kpireport.schema.key_of`
(NFKC, so ``Ｒ８年３月`` is ``r8年3月`` and ``㋿`` is ``令和``; then case-folded).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from kpireport.model import Month
from kpireport.reading.xlsx import CellValue
from kpireport.schema import key_of

# -- months ------------------------------------------------------------------------------------

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Every English spelling of a month, full and short (Sept as well as Sep), compared case-folded.
MONTH_NUMBERS: dict[str, int] = {
    spelling: number
    for number, name in enumerate(MONTH_NAMES, start=1)
    for spelling in {name.casefold(), name[:3].casefold(), *(("sept",) if number == 9 else ())}
}

# What a Japanese month header may end with: 分 ("the portion for", 3月分) and 度 ("the period
# of", 3月度) both still name the month itself.
_JA_MONTH = r"月\s*[分度]?"
# 2026-03, 2026/3, 2026.03, 2026年3月, 2026年3月分.
_YEAR_FIRST = re.compile(rf"^(\d{{4}})\s*(?:[-/.]|年)\s*(\d{{1,2}})\s*(?:{_JA_MONTH})?$")
# 3月 2026, 3月, 2026 (the English order typed in Japanese).
_MONTH_FIRST = re.compile(r"^(\d{1,2})\s*月\s*,?\s*(\d{4})\s*年?$")
# Mar 2026, March 2026, March, 2026, Mar-26, Sept. 2026, Mar '26.
_NAMED = re.compile(r"^([a-z]+)\.?[\s\-',/]*(\d{4}|\d{2})$")
# R8年3月, 令和8年3月, 令和元年5月, H31年3月, 平成31年3月 (元 is an era's first year).
_ERA = re.compile(rf"^(令和|平成|r|h)\s*(元|\d{{1,3}})\s*年\s*(\d{{1,2}})\s*{_JA_MONTH}$")


@dataclass(frozen=True)
class Era:
    """A Japanese era: year N of it is ``offset + N``, and it covers ``first`` to ``last``."""

    name: str
    offset: int
    first: Month
    last: Month | None


# Heisei began on 8 January 1989 and ended on 30 April 2019; Reiwa began on 1 May 2019. A
# month is in an era when any day of it is, so January 1989 is 平成元年1月.
HEISEI = Era("平成", 1988, Month(1989, 1), Month(2019, 4))
REIWA = Era("令和", 2018, Month(2019, 5), None)
ERAS: dict[str, Era] = {"平成": HEISEI, "h": HEISEI, "令和": REIWA, "r": REIWA}


def two_digit_year(digits: str) -> int:
    """A year typed as two digits, read as Excel reads one typed into a cell: 00-29 are
    2000-2029, 30-99 are 1930-1999 (``Mar-26`` is March 2026)."""
    year = int(digits)
    if len(digits) == 4:
        return year
    return 2000 + year if year < 30 else 1900 + year


def _era_parts(text: str) -> tuple[Era, int, int] | None:
    """(era, year of the era, month number) of an era header, valid or not."""
    match = _ERA.match(text)
    if not match:
        return None
    year = 1 if match.group(2) == "元" else int(match.group(2))
    return ERAS[match.group(1)], year, int(match.group(3))


def _in_era(era: Era, month: Month) -> bool:
    return era.first <= month and (era.last is None or month <= era.last)


def month_of(value: CellValue) -> Month | None:
    """The month a header names: a date cell, or text in one of SPEC §2's forms; None when it
    names no month, an era month that never was (令和1年4月) included: see :func:`era_problem`."""
    if isinstance(value, (dt.date, dt.datetime)):
        return Month.of(value)
    if not isinstance(value, str):
        return None
    text = key_of(value)
    year_month: tuple[int, int] | None = None
    if match := _YEAR_FIRST.match(text):
        year_month = int(match.group(1)), int(match.group(2))
    elif match := _MONTH_FIRST.match(text):
        year_month = int(match.group(2)), int(match.group(1))
    elif (match := _NAMED.match(text)) and match.group(1) in MONTH_NUMBERS:
        year_month = two_digit_year(match.group(2)), MONTH_NUMBERS[match.group(1)]
    elif parts := _era_parts(text):
        era, era_year, number = parts
        if era_year < 1 or not 1 <= number <= 12 or not _in_era(era, Month(era.offset + era_year, number)):
            return None
        year_month = era.offset + era_year, number
    if year_month is None or not 1 <= year_month[1] <= 12:
        return None
    return Month(*year_month)


def _named(month: Month) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def _era_spelling(month: Month) -> str | None:
    """How the era writes a month (令和元年5月), when an era of :data:`ERAS` holds it."""
    for era in (REIWA, HEISEI):
        if _in_era(era, month):
            year = month.year - era.offset
            return f"{era.name}{'元' if year == 1 else year}年{month.month}月"
    return None


def era_problem(value: CellValue) -> str | None:
    """Why text written as an era month names no month (令和1年4月: 令和 began in May 2019),
    and what the user meant to type; None for anything else."""
    parts = _era_parts(key_of(value)) if isinstance(value, str) else None
    if parts is None:
        return None
    era, era_year, number = parts
    if not 1 <= number <= 12:
        return None  # not an era question: a month number no calendar has
    if era_year < 1:
        return f"{era.name} has no year 0 (its first year is 元年, year 1)"
    meant = Month(era.offset + era_year, number)
    if _in_era(era, meant):
        return None
    if meant < era.first:
        edge = f"began in {_named(era.first)}"
    else:
        assert era.last is not None  # only an era that has ended can be overrun
        edge = f"ended in {_named(era.last)}"
    other = _era_spelling(meant)
    instead = f"{meant} ({other})" if other else str(meant)
    return f"the {era.name} era {edge}; for {_named(meant)} type {instead}"


# -- totals ------------------------------------------------------------------------------------

WordKind = Literal["total", "period", "qualifier"]


def _words(kind: WordKind, spaced: str) -> dict[str, WordKind]:
    return dict.fromkeys(spaced.split(), kind)


# A total label is made of these words (SPEC §2), in either language and any order: a total
# word makes it a total; a period word (half, quarter, 四半期) does with a number or a qualifier
# beside it (1st half, 第1四半期), never alone ("Half" may be a KPI's column); a qualifier (a year,
# a number, a fiscal-year word) never does alone ("2026", "Grand"). Anything else in the label —
# "target", "NPS", 画 in 計画 — means it is not a total.
WORDS: dict[str, WordKind] = {
    **_words("total", "total totals subtotal sum ytd qtd fy annual cumulative"),
    **_words("period", "half quarter year"),
    **_words("qualifier", "grand sub fiscal full first second third fourth company all"),
    # Japanese words, matched longest first, so 年度 is read before 年 and 上半期 whole.
    **_words("total", "合計 小計 総計 計 累計 年計 年間 通期 通年 上期 下期 上半期 下半期 年度"),
    **_words("period", "四半期 半期"),
    **_words("qualifier", "総 全社 全体 今期 当期 前期 期 年"),
}
_JA_WORDS = "|".join(re.escape(w) for w in sorted((w for w in WORDS if not w.isascii()), key=len, reverse=True))

# One token of a label. Each ASCII token ends where its kind of character ends (fy not in fyi,
# q1 not in q12), and the alternatives are tried in order: a Japanese era year (R8, 令和元)
# before H1 the half, H1 before a plain word, a word before a kanji number (四半期 is a word,
# not 四 and 半期). The scan is one pass, linear in the label.
_TOKEN = re.compile(
    r"(?P<sep>[\s\-_/.,:;()\[\]・&+'\"#]+)"
    r"|(?P<era>(?:令和|平成)(?:元|\d{1,3})|[rh](?:元|\d{1,3})(?=\s*年))"
    r"|(?P<total>fy(?:\d{4}|\d{2})(?!\d)|q[1-4](?!\d)|[1-4]q(?![a-z])|h[12](?!\d)|[12]h(?![a-z]))"
    r"|(?P<ordinal>\d+(?:st|nd|rd|th)(?![a-z]))"
    r"|(?P<word>[a-z]+(?![a-z])|" + _JA_WORDS + ")"
    r"|(?P<number>第?\d+(?!\d)|第?[一二三四五六七八九十]+)"
)


def is_total_label(text: str) -> bool:
    """Whether a column header or row id is a total or subtotal (Total, FY26 Q1, 第1四半期合計,
    2026年度合計, Year total …): every part of it one of :data:`WORDS`, a year or a number, and
    one of them a total word, or a period word with a number or qualifier.

    A caller checks the KPI sheet's ids first: an id declared there is a KPI, whatever its
    words (SPEC §2: Q1-NPS is a KPI)."""
    key = key_of(text)
    kinds: set[str] = set()
    position = 0
    while position < len(key):
        token = _TOKEN.match(key, position)
        if token is None:
            return False
        group = token.lastgroup
        if group == "word":
            kind = WORDS.get(token.group())
            if kind is None:
                return False
            kinds.add(kind)
        elif group in ("era", "ordinal", "number"):
            kinds.add("qualifier")
        elif group == "total":
            kinds.add("total")
        position = token.end()
    return "total" in kinds or {"period", "qualifier"} <= kinds


# -- thresholds --------------------------------------------------------------------------------

_PERCENT = re.compile(r"^([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*%$")


def fraction_of(value: CellValue) -> float | None:
    """A threshold as typed: a number (0.95, or a percent-formatted cell, which Excel stores as
    0.95), or text holding either a fraction ("0.95") or a percent ("95%", "９５％")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    text = key_of(value)
    if match := _PERCENT.match(text):
        # Shifting the decimal point in the text rounds once: "33.3%" is the double nearest
        # 0.333, where 33.3 / 100 would round twice and may land one unit away.
        return float(f"{match.group(1)}e-2")
    try:
        return float(text)
    except ValueError:
        return None
