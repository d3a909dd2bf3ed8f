"""What every page section of the view shares: status chips, sort keys for the interactive
HTML, and a goal's figures in its unit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kpireport.computing.metrics import KpiResult
from kpireport.formatting import Formatter, carried_decimals
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


def figure_decimals(result: KpiResult) -> int:
    """The decimals a spreadsheet shows a KPI's figures with: those its fiscal year's targets,
    actuals and last year's figures carry as typed (a percent's counted in percent). A count
    typed whole is shown whole, its run rates and averages too (642.86 deals read as 643)."""
    series = result.series
    scale = 100 if result.kpi.unit == "percent" else 1
    return carried_decimals((*series.target, *series.actual, *series.prior), scale=scale)


@dataclass(frozen=True)
class Units:
    """A goal's figures formatted in its unit, with its label after them."""

    fmt: Formatter
    unit: str
    suffix: str
    decimals: int = 0
    """What the goal's figures carry (its target and its measuring KPI's), for a spreadsheet."""

    @classmethod
    def of(cls, kgi: Kgi, measured: KpiResult | None, fmt: Formatter) -> Units:
        """A KGI's own unit where it is one of SPEC's, else its measuring KPI's, with a free
        label (customers, 社) written after the figure."""
        unit = kgi.unit if kgi.unit in SPEC_UNITS else measured.kpi.unit if measured else "number"
        suffix = "" if kgi.unit in SPEC_UNITS or not kgi.unit else f" {kgi.unit}"
        scale = 100 if unit == "percent" else 1
        decimals = max(carried_decimals((kgi.target,), scale=scale), figure_decimals(measured) if measured else 0)
        return cls(fmt, unit, suffix, decimals)

    def excel_format(self) -> str:
        """The goal's figures in a spreadsheet, its free label written after them as the
        format's text (600 customers stays the number 600)."""
        shown = self.fmt.excel_format(self.unit, decimals=self.decimals)
        label = self.suffix.replace('"', "")
        return f'{shown}"{label}"' if label else shown

    def full(self, value: float | None) -> str:
        return self.fmt.value(value, self.unit) + self.suffix

    def signed(self, value: float) -> str:
        return self.fmt.delta(value, self.unit) + self.suffix

    def short(self, value: float, *, signed: bool = False) -> str:
        return ("+" if signed and value > 0 else "") + self.fmt.compact(value, self.unit)
