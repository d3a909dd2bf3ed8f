"""How one KPI's figures are shown, in every place that shows them beside each other (its row,
its chart's text alternative, its detail): money in one scale, a count whole, other figures to
the decimals they were typed with, and its changes as percentages only where those mean
something (README, "Figures as a board reads them")."""

from __future__ import annotations

from dataclasses import dataclass

from kpireport.computing.metrics import KpiResult
from kpireport.formatting import Formatter, MoneyScale, carried_decimals
from kpireport.model import Aggregation, Kpi

# A page shows at most two decimals of a plain figure (a spreadsheet up to four).
MOST_SHOWN_DECIMALS = 2


def figure_decimals(result: KpiResult) -> int:
    """The decimals a spreadsheet shows a KPI's figures with: those its fiscal year's targets,
    actuals and last year's figures carry as typed (a percent's counted in percent). A count
    typed whole is shown whole, its run rates and averages too (642.86 deals read as 643)."""
    series = result.series
    scale = 100 if result.kpi.unit == "percent" else 1
    return carried_decimals((*series.target, *series.actual, *series.prior), scale=scale)


def relative_changes(kpi: Kpi) -> bool:
    """Whether a KPI's changes read as percentages: a total's or money's do (+12.5% on last
    year); a score's or a level's read in its own unit (NPS −5, engagement +0.5), since −16.2%
    of a score is no figure a board uses."""
    return kpi.aggregation is Aggregation.SUM or kpi.unit == "currency"


@dataclass(frozen=True)
class KpiFigureFormat:
    """One KPI's month as shown: its target, actual, last year's and their differences."""

    fmt: Formatter
    unit: str
    scale: MoneyScale | None
    decimals: int | None
    whole: bool
    relative: bool

    @classmethod
    def of(cls, result: KpiResult, fmt: Formatter) -> KpiFigureFormat:
        kpi, month = result.kpi, result.month
        unit = kpi.unit
        # The full year's figure, twelve months' worth, is not part of the month's scale
        # (1,200万円 a month, 1.44億円 a year): it takes its own, as its column says.
        scale = fmt.money_scale(month.target, month.actual, month.prior) if unit == "currency" else None
        decimals = None
        if unit != "currency":
            # A rate's counted in percent (1.46% carries two), and one at least.
            decimals = 0 if result.counts else min(figure_decimals(result), MOST_SHOWN_DECIMALS)
        return cls(fmt, unit, scale, decimals, result.counts, relative_changes(kpi))

    def value(self, value: float | None) -> str:
        return self.fmt.value(value, self.unit, scale=self.scale, whole=self.whole, decimals=self.decimals)

    def delta(self, value: float | None) -> str:
        return self.fmt.delta(value, self.unit, scale=self.scale, decimals=self.decimals)

    def year_total(self, value: float | None) -> str:
        """A twelve-month figure (the full year at the run rate), in its own scale."""
        return self.fmt.value(value, self.unit, whole=self.whole, decimals=self.decimals)

    def change_pct(self, value: float | None) -> str:
        return self.fmt.delta_pct(value, self.unit, relative=self.relative)

    def change_on_last_year(self, delta: float | None, pct: float | None) -> str:
        return self.fmt.change_on_last_year(delta, pct, self.unit, relative=self.relative, scale=self.scale)
