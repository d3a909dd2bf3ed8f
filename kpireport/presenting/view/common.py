"""What every page section of the view shares: status chips, sort keys for the interactive
HTML, and a goal's figures in its unit."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from kpireport.computing.metrics import KpiResult
from kpireport.formatting import MAX_SHOWN, MINUS, SCIENTIFIC, Formatter, MoneyScale, carried_decimals, whole_pace
from kpireport.model import Direction, Kgi, Status
from kpireport.presenting.kpi_figures import figure_decimals
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


def unit_label(unit: str, currency: str, fmt: Formatter) -> str:
    """A KPI's unit under its name: %, its currency (円 in a Japanese pack's yen), its label."""
    money = "円" if fmt.locale == "ja" and currency == "JPY" else currency
    return {"percent": "%", "currency": money, "number": ""}.get(unit, unit)


@dataclass(frozen=True)
class Units:
    """A goal's figures formatted in its unit, with its label after them: money in one scale
    (a card's ¥759.0M beside ¥1,360.0M), a count whole."""

    fmt: Formatter
    unit: str
    suffix: str
    scale: MoneyScale | None = None
    whole: bool = False
    decimals: int = 0
    """What the goal's figures carry (its target and its measuring KPI's), for a spreadsheet."""

    @classmethod
    def of(cls, kgi: Kgi, measured: KpiResult | None, fmt: Formatter) -> Units:
        """A KGI's own unit where it is one of SPEC's, else its measuring KPI's, with a free
        label (customers, 社) written after the figure."""
        unit = kgi.unit if kgi.unit in SPEC_UNITS else measured.kpi.unit if measured else "number"
        suffix = "" if kgi.unit in SPEC_UNITS or not kgi.unit else f" {kgi.unit}"
        if fmt.locale == "ja":
            suffix = suffix.strip()
        scale = 100 if unit == "percent" else 1
        decimals = max(carried_decimals((kgi.target,), scale=scale), figure_decimals(measured) if measured else 0)
        # A goal measured by a count is shown whole (643 customers).
        whole = measured is not None and measured.counts and unit not in ("percent", "currency")
        return cls(fmt, unit, suffix, whole=whole, decimals=decimals)

    def scaled(self, *values: float | None) -> Units:
        """These units with money in the one scale that suits ``values``."""
        if self.unit != "currency":
            return self
        return dataclasses.replace(self, scale=self.fmt.money_scale(*values))

    def excel_format(self) -> str:
        """The goal's figures in a spreadsheet, its free label written after them as the
        format's text (600 customers stays the number 600)."""
        shown = self.fmt.excel_format(self.unit, decimals=self.decimals)
        label = self.suffix.replace('"', "")
        return f'{shown}"{label}"' if label else shown

    def full(self, value: float | None) -> str:
        return self.fmt.value(value, self.unit, scale=self.scale, whole=self.whole) + self.suffix

    def signed(self, value: float) -> str:
        return self.fmt.delta(value, self.unit, scale=self.scale, whole=self.whole) + self.suffix

    def chart_label(self, value: float, *, signed: bool = False) -> tuple[float, str]:
        """A figure as a chart's data label holds it: its size as shown (7.6 for ¥7.6M, 7.51
        for 7.51億円) and the Excel number format that writes it as :meth:`full` (or, ``signed``,
        :meth:`signed`) does, its sign in the format (a waterfall's label sits on its bar)."""
        sign = MINUS if value < 0 else "+" if signed and value > 0 else ""
        if not abs(value) <= MAX_SHOWN:  # as the pack writes it: 1.0E+300
            return abs(value), f'"{sign}"{SCIENTIFIC}' if sign else SCIENTIFIC
        code = self.fmt.shown_format(
            self.unit, scale=self.scale, decimals=0 if self.whole else self.decimals, sign=sign, label=self.suffix
        )
        return abs(value) / (self.scale.divisor if self.scale is not None else 1.0), code

    def pace(self, value: float, direction: Direction) -> str:
        """A pace a count needs, in whole things: 44.2 more customers a month is 45 (at most
        3.8 complaints a month is 3)."""
        return self.full(whole_pace(value, direction) if self.whole else value)
