"""What a finding or a sentence of commentary states, as data: names, figures in their unit,
months and words by key. Presenting writes them into sentences in the pack's language with the
pack's one formatter; computing never does.

A figure may carry ``ref``, the JSON pointer of the field it shows (``/kpis/3/month/variance``),
so every figure in a drafted sentence can be traced to the pack's JSON (SPEC §3b).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kpireport.model import Direction, Month

Facts = tuple[tuple[str, "Fact"], ...]


@dataclass(frozen=True)
class Text:
    """Workbook text a sentence names (a KPI's name, a department, a label): shown clipped."""

    value: str


@dataclass(frozen=True)
class Amount:
    """A figure in a unit (a KPI's: percent, currency, number or a free label)."""

    value: float | None
    unit: str
    ref: str | None = None


@dataclass(frozen=True)
class Change:
    """A signed change in a unit: +¥1.2M, −0.4pt (a percent KPI's change in points)."""

    value: float
    unit: str
    ref: str | None = None


@dataclass(frozen=True)
class Large:
    """A large figure in a sentence, shortened to its scale (¥1,360.0M)."""

    value: float
    unit: str
    ref: str | None = None
    whole: bool = False
    """A count's figure, shown whole (665 customers, never 665.3)."""
    pace: Direction | None = None
    """A pace a count needs, rounded the way its KPI improves: 44.2 customers a month needs 45,
    at most 3.8 complaints a month allows 3."""


@dataclass(frozen=True)
class Share:
    """A ratio, shown as a percentage."""

    value: float
    ref: str | None = None


@dataclass(frozen=True)
class MonthName:
    value: Month


@dataclass(frozen=True)
class Day:
    """A date (an action's due date)."""

    value: dt.date


@dataclass(frozen=True)
class Word:
    """A word in the pack's language, by its key (``perspective.customer``, ``short``)."""

    key: str


@dataclass(frozen=True)
class Count:
    """A whole number of things (months, actions)."""

    value: int
    ref: str | None = None


@dataclass(frozen=True)
class Gap:
    """The size of a difference, unsigned, in its unit (¥6.8M, 0.5pt for a percent KPI)."""

    value: float
    unit: str
    ref: str | None = None


@dataclass(frozen=True)
class Listing:
    """Several facts in a row, joined as the language joins a list (A, B and C / A、B、C)."""

    items: tuple[Fact, ...]


@dataclass(frozen=True)
class Phrase:
    """A phrase with facts of its own (an item of a list), by its sentence key."""

    key: str
    facts: Facts
    ref: str | None = None
    """The JSON pointer of what the phrase is about (a finding, say)."""


Fact = Text | Amount | Change | Count | Gap | Large | Share | MonthName | Day | Word | Listing | Phrase | int | str
"""What a sentence states; an ``int`` is a count, a ``str`` is shown as it is (an id, a month
as YYYY-MM, a setting as typed)."""


def refs_of(facts: Facts) -> tuple[str, ...]:
    """The JSON pointers of the figures ``facts`` state, in order, each once."""
    found: list[str] = []

    def add(ref: str | None) -> None:
        if ref and ref not in found:
            found.append(ref)

    def visit(fact: Fact) -> None:
        if isinstance(fact, Listing):
            for item in fact.items:
                visit(item)
        elif isinstance(fact, Phrase):
            add(fact.ref)
            for _, inner in fact.facts:
                visit(inner)
        elif isinstance(fact, (Amount, Change, Count, Gap, Large, Share)):
            add(fact.ref)

    for _, fact in facts:
        visit(fact)
    return tuple(found)
