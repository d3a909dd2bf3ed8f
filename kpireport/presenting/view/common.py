"""What every page section of the view shares: status chips, sort keys for the interactive
HTML, and a goal's figures in its unit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kpireport.formatting import Formatter
from kpireport.model import Kgi, Status
from kpireport.presenting.palette import STATUS_CLASS

# Worst first: a status column sorted ascending starts with the KPIs behind.
STATUS_RANK: dict[Status, int] = {"red": 0, "amber": 1, "green": 2, "no_data": 3}
SPEC_UNITS = frozenset({"currency", "percent", "number"})


@dataclass(frozen=True)
class StatusChip:
    status: Status
    label: str
    css: str


def chip(status: Status, text: Mapping[str, str]) -> StatusChip:
    return StatusChip(status, text[f"status.{status}"], STATUS_CLASS[status])


def sort_key(value: float | None) -> str:
    """A figure as the interactive HTML sorts it: the number, or "" (sorted last) for none."""
    return "" if value is None else repr(value)


def unit_label(unit: str, currency: str) -> str:
    return {"percent": "%", "currency": currency, "number": ""}.get(unit, unit)


@dataclass(frozen=True)
class Units:
    """A goal's figures formatted in its unit, with its label after them."""

    fmt: Formatter
    unit: str
    suffix: str

    @classmethod
    def of(cls, kgi: Kgi, measured_unit: str, fmt: Formatter) -> Units:
        """A KGI's own unit where it is one of SPEC's, else its measuring KPI's, with a free
        label (customers, 社) written after the figure."""
        unit = kgi.unit if kgi.unit in SPEC_UNITS else measured_unit
        suffix = "" if kgi.unit in SPEC_UNITS or not kgi.unit else f" {kgi.unit}"
        return cls(fmt, unit, suffix)

    def full(self, value: float | None) -> str:
        return self.fmt.value(value, self.unit) + self.suffix

    def signed(self, value: float) -> str:
        return self.fmt.delta(value, self.unit) + self.suffix

    def short(self, value: float, *, signed: bool = False) -> str:
        return ("+" if signed and value > 0 else "") + self.fmt.compact(value, self.unit)
