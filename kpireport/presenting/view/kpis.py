"""The KPI pages: each department's table of KPIs (with its figures as numbers too, for the
metrics workbook) and the trend charts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from kpireport.computing.metrics import KpiResult
from kpireport.computing.report import Report
from kpireport.formatting import DASH, Formatter
from kpireport.presenting.charts import TrendLines, trend_panel
from kpireport.presenting.clipping import clip_width
from kpireport.presenting.commentary_view import CommentaryView
from kpireport.presenting.kpi_figures import KpiFigureFormat, figure_decimals
from kpireport.presenting.palette import STATUS_CLASS, Palette
from kpireport.presenting.summary import StatusCount, describe_kpi, movement_arrow, status_counts
from kpireport.presenting.view.common import STATUS_RANK, StatusChip, chip, sort_key, unit_label

# Six charts across and three down fill an A4 landscape page (pack.css, .trend-card).
TRENDS_PER_PAGE = 18
# A chart's title wraps to at most three lines of its card (about 24 columns each, less what
# wrapping between words leaves); a longer name is cut to this (a wide character counts two).
TREND_TITLE_COLUMNS = 60


@dataclass(frozen=True)
class CommentView:
    comment: str
    action: str
    owner: str


@dataclass(frozen=True)
class SortKeys:
    """The number each figure of a KPI's row sorts by in the interactive HTML ("" where it has
    none). Figures in different units sort by what compares across KPIs: the change on last
    month and last year in percent, the variance as a share of the target (favourable
    positive, so the largest shortfall sorts first), the forecast by its attainment."""

    target: str
    actual: str
    attainment: str
    status: str
    variance: str
    mom: str
    yoy: str
    qtd: str
    ytd: str
    forecast: str


def _sort_keys(result: KpiResult) -> SortKeys:
    month = result.month
    share = None
    if month.variance is not None and month.target:
        share = month.variance / abs(month.target) * result.kpi.direction.sign
    return SortKeys(
        target=sort_key(month.target),
        actual=sort_key(month.actual),
        attainment=sort_key(month.attainment),
        status=str(STATUS_RANK[month.status]),
        variance=sort_key(share),
        mom=sort_key(result.mom.delta_pct),
        yoy=sort_key(month.yoy_pct),
        qtd=sort_key(result.qtd.attainment),
        ytd=sort_key(result.ytd.attainment),
        forecast=sort_key(result.forecast.attainment if result.forecast else None),
    )


def points(value: float | None, unit: str) -> float | None:
    """A percent KPI's change as a spreadsheet shows it, in points: 0.012 is +1.2pt."""
    if value is None or unit != "percent":
        return value
    return round(value * 100, 10)


@dataclass(frozen=True)
class KpiFigures:
    """A KPI's row as numbers, for a spreadsheet: the values as computed (a percent KPI's
    changes in points, and no relative change of a rate), with the formats that show them."""

    target: float | None
    actual: float | None
    attainment: float | None
    variance: float | None
    mom: float | None
    mom_pct: float | None
    prior: float | None
    yoy_pct: float | None
    yoy_points: float | None
    """A percent KPI's change on last year in points (+0.4pt), its only change on last year."""
    qtd_target: float | None
    qtd_actual: float | None
    qtd_attainment: float | None
    ytd_target: float | None
    ytd_actual: float | None
    ytd_attainment: float | None
    projected: float | None
    outlook: float | None
    value_format: str
    change_format: str


def _figures(result: KpiResult, fmt: Formatter) -> KpiFigures:
    unit, month, forecast = result.kpi.unit, result.month, result.forecast
    rate = unit == "percent"
    decimals = figure_decimals(result)
    return KpiFigures(
        target=month.target,
        actual=month.actual,
        attainment=month.attainment,
        variance=points(month.variance, unit),
        mom=points(result.mom.delta, unit),
        mom_pct=None if rate else result.mom.delta_pct,
        prior=month.prior,
        yoy_pct=None if rate else month.yoy_pct,
        yoy_points=points(month.yoy_delta, unit) if rate else None,
        qtd_target=result.qtd.target,
        qtd_actual=result.qtd.actual,
        qtd_attainment=result.qtd.attainment,
        ytd_target=result.ytd.target,
        ytd_actual=result.ytd.actual,
        ytd_attainment=result.ytd.attainment,
        projected=forecast.projected if forecast else None,
        outlook=forecast.outlook if forecast else None,
        value_format=fmt.excel_format(unit, decimals=decimals),
        change_format=fmt.excel_format(unit, signed=True, decimals=decimals),
    )


@dataclass(frozen=True)
class KpiRow:
    id: str
    name: str
    owner: str
    unit_label: str
    target: str
    actual: str
    attainment: str
    chip: StatusChip
    variance: str
    variance_css: str
    mom: str
    mom_pct: str
    trend: str
    arrow: str
    yoy: str
    yoy_prior: str
    qtd: str
    qtd_chip: StatusChip
    ytd: str
    ytd_chip: StatusChip
    forecast: str
    forecast_detail: str
    comments: tuple[CommentView, ...]
    keys: SortKeys
    figures: KpiFigures
    index: int = 0
    """The KPI's place in the JSON's ``kpis``: its cells' ids, which commentary links to."""
    commentary: CommentaryView | None = None
    open_actions: tuple[str, ...] = ()
    """The open actions of the Actions sheet on this KPI (or on a KGI it measures), overdue first."""


def _kpi_row(
    result: KpiResult, report: Report, fmt: Formatter, text: Mapping[str, str], index: int, note: CommentaryView | None
) -> KpiRow:
    kpi = result.kpi
    unit = kpi.unit
    forecast = result.forecast
    month = result.month
    shown = KpiFigureFormat.of(result, fmt)
    return KpiRow(
        id=kpi.id,
        name=kpi.name,
        owner=kpi.owner,
        unit_label=unit_label(unit, report.workbook.settings.currency, fmt),
        target=shown.value(month.target),
        actual=shown.value(month.actual),
        attainment=fmt.percent(month.attainment),
        chip=chip(month.status, text),
        variance=shown.delta(month.variance),
        variance_css={True: "fav", False: "unfav", None: ""}[month.favorable],
        mom=shown.delta(result.mom.delta),
        mom_pct=shown.change_pct(result.mom.delta_pct),
        trend=result.mom.trend or "none",
        arrow=movement_arrow(result.mom.delta),
        yoy=shown.change_on_last_year(month.yoy_delta, month.yoy_pct),
        yoy_prior=f"{text['last_year']} {shown.value(month.prior)}" if month.prior is not None else "",
        qtd=fmt.percent(result.qtd.attainment),
        qtd_chip=chip(result.qtd.status, text),
        ytd=fmt.percent(result.ytd.attainment),
        ytd_chip=chip(result.ytd.status, text),
        forecast=shown.year_total(forecast.projected) if forecast else DASH,
        forecast_detail=fmt.percent(forecast.attainment) if forecast and forecast.attainment is not None else "",
        comments=tuple(CommentView(c.comment, c.action, c.owner) for c in report.comments_for(kpi.id)),
        keys=_sort_keys(result),
        figures=_figures(result, fmt),
        index=index,
        commentary=note,
    )


@dataclass(frozen=True)
class Department:
    name: str
    anchor: str
    rows: tuple[KpiRow, ...]
    counts: tuple[StatusCount, ...]


def departments(
    report: Report, fmt: Formatter, text: Mapping[str, str], notes: Mapping[str, CommentaryView]
) -> tuple[Department, ...]:
    """The KPIs by department, in the order each department first appears, each with its
    comment where it has one."""
    grouped: dict[str, list[tuple[int, KpiResult]]] = {}
    for place, result in enumerate(report.kpis):
        grouped.setdefault(result.kpi.department, []).append((place, result))
    return tuple(
        Department(
            name=name,
            anchor=f"dept-{index + 1}",
            rows=tuple(_kpi_row(r, report, fmt, text, place, notes.get(r.kpi.id)) for place, r in results),
            counts=status_counts([r.month.status for _, r in results], text),
        )
        for index, (name, results) in enumerate(grouped.items())
    )


@dataclass(frozen=True)
class TrendView:
    name: str
    department: str
    chart: Markup
    alt: str = ""
    """The chart in words (its SVG title, and a deck's chart description)."""
    unit: str = "number"
    number_format: str = "#,##0"
    """How a spreadsheet or a deck's chart shows its values (12.5%, ¥1,234)."""
    months: tuple[str, ...] = ()
    """The fiscal year's months, short (Apr, 4月): the pack names every third under its chart;
    other renderers draw their own axis."""
    actual: tuple[float | None, ...] = ()
    target: tuple[float | None, ...] = ()
    prior: tuple[float | None, ...] = ()
    kpi: str = ""
    status_css: str = ""
    in_department: str = ""
    """The KPI's department, even where ``department`` (the heading) is empty."""
    title: str = ""
    """The name as the chart's card shows it: cut to TREND_TITLE_COLUMNS (the whole name is
    the chart's text alternative)."""
    outlook: tuple[float | None, ...] = ()
    """The team's estimate for the months to come (SPEC: the Forecast sheet)."""


@dataclass(frozen=True)
class TrendPage:
    title: str
    span: str
    """The months every chart on the page runs over, named once: Apr 2026 – Mar 2027."""
    charts: tuple[TrendView, ...]


def _axis_for(fmt: Formatter, unit: str) -> Callable[[float, float, float], str]:
    def label(value: float, step: float, largest: float) -> str:
        return fmt.axis(value, unit, step, largest)

    return label


def trends(
    report: Report, fmt: Formatter, text: Mapping[str, str], palette: Palette, font: str
) -> tuple[TrendPage, ...]:
    """One chart per KPI, in department order, in pages of TRENDS_PER_PAGE; a chart names its
    department when it opens a page or a new department (``department`` empty otherwise)."""
    results = list(report.kpis)
    pages = []
    for first in range(0, len(results), TRENDS_PER_PAGE):
        charts = []
        for index, result in enumerate(results[first : first + TRENDS_PER_PAGE]):
            series = result.series
            opens = index == 0 or result.kpi.department != results[first + index - 1].kpi.department
            lines = TrendLines(
                target=series.target,
                actual=series.actual,
                prior=series.prior,
                outlook=series.outlook,
            )
            alt = describe_kpi(result, report.month, fmt)
            months = tuple(fmt.short_month(m) for m in series.months)
            chart = trend_panel(lines, _axis_for(fmt, result.kpi.unit), label=alt, palette=palette, font=font)
            charts.append(
                TrendView(
                    result.kpi.name,
                    result.kpi.department if opens else "",
                    chart,
                    alt,
                    result.kpi.unit,
                    fmt.excel_format(result.kpi.unit, decimals=figure_decimals(result)),
                    months,
                    series.actual,
                    series.target,
                    series.prior,
                    result.kpi.id,
                    STATUS_CLASS[result.month.status],
                    result.kpi.department,
                    clip_width(result.kpi.name, TREND_TITLE_COLUMNS),
                    series.outlook,
                )
            )
        pages.append(tuple(charts))
    year = report.kpis[0].series.months if report.kpis else ()
    span = text["quarter_span"].format(first=fmt.month(year[0]), last=fmt.month(year[-1])) if year else ""
    return tuple(
        TrendPage(text["trends"] + (f" ({number}/{len(pages)})" if len(pages) > 1 else ""), span, page)
        for number, page in enumerate(pages, start=1)
    )
