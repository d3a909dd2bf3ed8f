"""Findings in words: each finding's facts written into its sentence in the pack's language,
every figure by the pack's one formatter and every workbook text clipped for display.

The pack's appendix, its JSON, its deck and workbook, the interactive HTML and ``kpireport
check`` all show the :class:`WordedFinding` made here; none words a finding of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kpireport.computing.facts import (
    Amount,
    Change,
    Count,
    Day,
    Fact,
    Facts,
    Gap,
    Large,
    Listing,
    MonthName,
    Phrase,
    Share,
    Text,
    Word,
    refs_of,
)
from kpireport.computing.findings import MAX_NAME_CHARS, Finding, Severity
from kpireport.formatting import Formatter, MoneyScale, carried_decimals, whole_pace
from kpireport.i18n import LABELS, MESSAGES, message
from kpireport.presenting.clipping import MAX_TEXT_CHARS, shorten

if TYPE_CHECKING:
    # Types only: ``check`` words findings and never drafts commentary.
    from kpireport.computing.commentary import Commentary, OwnerNote, Statement


@dataclass(frozen=True)
class WordedFinding:
    code: str
    severity: Severity
    kpi: str | None
    kgi: str | None
    where: str | None
    message: str
    suggestion: str

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "kpi": self.kpi,
            "kgi": self.kgi,
            "where": self.where,
            "message": self.message,
            "suggestion": self.suggestion,
        }


SPEC_UNITS = frozenset({"number", "currency", "percent", ""})


def labelled(text: str, unit: str, fmt: Formatter) -> str:
    """A figure with its free unit label after it (12 deals, 17件): a count says what it counts."""
    if unit in SPEC_UNITS:
        return text
    return f"{text}{unit}" if fmt.locale == "ja" else f"{text} {unit}"


@dataclass(frozen=True)
class SentenceUnits:
    """How one sentence shows its figures: money in one scale ("¥1.8M against a target of
    ¥2.0M, ¥0.2M worse", never ¥215,088 beside ¥1.8M) and plain figures to one number of
    decimals (engagement 4.0 against 4.1, not 4)."""

    scale: MoneyScale | None = None
    decimals: int | None = None
    rate_decimals: int | None = None
    """A rate's decimals in the sentence (1.97% against 1.60%, not 1.6%)."""


def sentence_units(facts: Facts, fmt: Formatter) -> SentenceUnits:
    figures = [fact for _, fact in facts if isinstance(fact, (Amount, Change, Large, Gap)) and fact.value is not None]
    money = [f.value for f in figures if f.unit == "currency"]
    plain = [f.value for f in figures if f.unit not in ("currency", "percent") and not getattr(f, "whole", False)]
    rates = [f.value for f in figures if f.unit == "percent"]
    return SentenceUnits(
        fmt.money_scale(*money) if money else None,
        min(carried_decimals(plain), 2) if plain else None,
        min(carried_decimals(rates, scale=100), 2) if rates else None,
    )


def fact_text(fact: Fact, fmt: Formatter, units: SentenceUnits = SentenceUnits()) -> str:
    """One fact as the sentence shows it (in the sentence's ``units``)."""
    text = _fact_text(fact, fmt, units)
    if isinstance(fact, (Large, Gap, Change)) and text:
        return labelled(text, fact.unit, fmt)
    return text


def _fact_text(fact: Fact, fmt: Formatter, units: SentenceUnits) -> str:
    scale = units.scale

    def places(unit: str) -> int | None:
        return units.rate_decimals if unit == "percent" else units.decimals

    match fact:
        case Text(value):
            # Bounded, but with its characters as read: the JSON and a terminal show a control
            # character escaped, each XML renderer makes its own text safe.
            return shorten(value, MAX_NAME_CHARS)
        case Amount(value, unit):
            return fmt.value(value, unit, scale=scale, decimals=places(unit))
        case Change(value, unit):
            return fmt.delta(value, unit, scale=scale, decimals=places(unit))
        case Large(value, unit, _, whole, pace):
            # Money in its scale (¥1,360.0M); a count whole and a rate in full (100,324), as
            # a reader checks it against the table.
            if pace is not None and whole:
                value = whole_pace(value, pace)
            return fmt.value(value, unit, scale=scale, whole=whole, decimals=places(unit))
        case Share(value):
            return fmt.percent(value)
        case Count(value):
            return fmt.number(value)
        case Gap(value, unit):
            return fmt.gap(value, unit, scale=scale, decimals=places(unit))
        case Listing(items):
            phrases = all(isinstance(item, Phrase) for item in items)
            return join_list([fact_text(item, fmt) for item in items], fmt.locale, phrases=phrases)
        case Phrase(key, facts):
            return sentence(key, facts, fmt)
        case MonthName(value):
            return fmt.month(value)
        case Day(value):
            return fmt.date(value)
        case Word(key):
            return MESSAGES[key][fmt.locale] if key in MESSAGES else LABELS[key][fmt.locale]
        case bool():
            raise TypeError("a finding states no yes/no fact")
        case int():
            return fmt.number(fact)
        case str():
            return fact


def sentence(key: str, facts: Facts, fmt: Formatter) -> str:
    """The sentence (or phrase) ``key`` in the pack's language with ``facts`` written in."""
    units = sentence_units(facts, fmt)
    return message(fmt.locale, key, **{name: fact_text(fact, fmt, units) for name, fact in facts})


def join_list(items: list[str], locale: str, *, phrases: bool = False) -> str:
    """A, B and C; in Japanese A、B、C. Phrases that hold commas of their own are set apart by
    semicolons in English (A; B; C)."""
    if locale == "ja":
        return "、".join(items)
    if phrases:
        return "; ".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def word(finding: Finding, fmt: Formatter) -> WordedFinding:
    units = sentence_units(finding.facts, fmt)
    fields = {name: fact_text(fact, fmt, units) for name, fact in finding.facts}
    return WordedFinding(
        code=finding.code,
        severity=finding.severity,
        kpi=finding.kpi,
        kgi=finding.kgi,
        where=str(finding.where) if finding.where else None,
        message=message(fmt.locale, f"{finding.key}.message", **fields),
        suggestion=message(fmt.locale, f"{finding.key}.suggestion", **fields),
    )


def word_all(findings: Iterable[Finding], fmt: Formatter) -> tuple[WordedFinding, ...]:
    return tuple(word(finding, fmt) for finding in findings)


# -- commentary ----------------------------------------------------------------------------------

Segment = tuple[str, str | None]
"""A run of a sentence's text and the JSON pointer of the figure it shows (None for words)."""
_MARK = "\x00"


def segments(key: str, facts: Facts, fmt: Formatter) -> tuple[Segment, ...]:
    """The sentence ``key`` as runs of text, each figure its own run with its JSON pointer, so
    the interactive HTML can link a figure to the cell it comes from."""
    fields: dict[str, str] = {}
    marked: list[Segment] = []
    units = sentence_units(facts, fmt)
    for name, fact in facts:
        text = fact_text(fact, fmt, units)
        ref = getattr(fact, "ref", None)
        if isinstance(ref, str) and not isinstance(fact, Phrase):
            fields[name] = f"{_MARK}{len(marked)}{_MARK}"
            marked.append((text, ref))
        else:
            fields[name] = text
    out: list[Segment] = []
    for index, part in enumerate(message(fmt.locale, key, **fields).split(_MARK)):
        if index % 2:
            out.append(marked[int(part)])
        elif part:
            out.append((part, None))
    return tuple(out)


@dataclass(frozen=True)
class WordedText:
    """A comment or key message as the pack prints it: its sentences (as runs, for links), the
    JSON pointers of its figures, and whose words they are."""

    runs: tuple[Segment, ...]
    refs: tuple[str, ...]
    source: str
    """"drafted" or "controller"."""
    note: str = ""
    """The owner's own comment, quoted and attributed, after the drafted sentences."""

    @property
    def text(self) -> str:
        sentences = "".join(text for text, _ in self.runs)
        if not self.note:
            return sentences
        # A Japanese sentence ends in 。 and the next begins without a space.
        return f"{sentences}{'' if sentences.endswith('。') else ' '}{self.note}".strip()

    def as_json(self) -> dict[str, object]:
        return {"text": self.text, "refs": list(self.refs), "source": self.source}


def _joined(sentences: list[tuple[Segment, ...]], locale: str) -> tuple[Segment, ...]:
    """Sentences one after another: a space between them in English, none in Japanese."""
    out: list[Segment] = []
    for index, runs in enumerate(sentences):
        if index and locale == "en":
            out.append((" ", None))
        out.extend(runs)
    return tuple(out)


def word_statements(statements: Iterable[Statement], fmt: Formatter, note: OwnerNote | None = None) -> WordedText:
    """Drafted sentences (and the owner's own comment, quoted and attributed) as one text."""
    chosen = list(statements)
    sentences = [segments(s.key, s.facts, fmt) for s in chosen]
    quoted = ""
    if note is not None:
        fields = {"text": shorten(note.text, MAX_TEXT_CHARS), "owner": shorten(note.owner, MAX_NAME_CHARS)}
        quoted = message(fmt.locale, "c_note" if note.owner else "c_note_bare", **fields)
    refs = tuple(dict.fromkeys(ref for s in chosen for ref in refs_of(s.facts)))
    return WordedText(_joined(sentences, fmt.locale), refs, "drafted", quoted)


def controller_text(text: str) -> WordedText:
    """The controller's words, as typed: never reworded, never carrying a figure's pointer."""
    return WordedText(((shorten(text, MAX_TEXT_CHARS), None),), (), "controller")


@dataclass(frozen=True)
class WordedSubject:
    subject: str
    kind: str
    worded: WordedText
    material: bool

    def as_json(self) -> dict[str, object]:
        return {"subject": self.subject, **self.worded.as_json()}


@dataclass(frozen=True)
class WordedCommentary:
    key_messages: tuple[WordedText, ...]
    subjects: tuple[WordedSubject, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "key_messages": [m.as_json() for m in self.key_messages],
            "subjects": [s.as_json() for s in self.subjects],
        }

    def of(self, subject: str) -> WordedText | None:
        return next((s.worded for s in self.subjects if s.subject == subject), None)


def word_commentary(commentary: Commentary, fmt: Formatter) -> WordedCommentary:
    if commentary.controller_messages:
        messages = tuple(controller_text(text) for text in commentary.controller_messages)
    else:
        messages = tuple(word_statements(message_, fmt) for message_ in commentary.key_messages)
    subjects = tuple(
        WordedSubject(
            s.subject,
            s.kind,
            controller_text(s.controller) if s.controller is not None else word_statements(s.drafted, fmt, s.note),
            s.material,
        )
        for s in commentary.subjects
    )
    return WordedCommentary(messages, subjects)
