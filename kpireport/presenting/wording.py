"""Findings in words: each finding's facts written into its sentence in the pack's language,
every figure by the pack's one formatter and every workbook text clipped for display.

The pack's appendix, its JSON, its deck and workbook, the interactive HTML and ``kpireport
check`` all show the :class:`WordedFinding` made here; none words a finding of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kpireport.computing.findings import (
    MAX_NAME_CHARS,
    Amount,
    Day,
    Fact,
    Finding,
    Large,
    MonthName,
    Severity,
    Share,
    Text,
    Word,
)
from kpireport.formatting import Formatter
from kpireport.i18n import LABELS, MESSAGES, message
from kpireport.presenting.clipping import shorten


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


def fact_text(fact: Fact, fmt: Formatter) -> str:
    """One fact as the sentence shows it."""
    match fact:
        case Text(value):
            # Bounded, but with its characters as read: the JSON and a terminal show a control
            # character escaped, each XML renderer makes its own text safe.
            return shorten(value, MAX_NAME_CHARS)
        case Amount(value, unit):
            return fmt.value(value, unit)
        case Large(value, unit):
            return fmt.compact(value, unit)
        case Share(value):
            return fmt.percent(value)
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


def word(finding: Finding, fmt: Formatter) -> WordedFinding:
    fields = {name: fact_text(fact, fmt) for name, fact in finding.facts}
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
