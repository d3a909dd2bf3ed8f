"""The finished view model the pack templates receive: every string formatted, every chart
drawn. Templates only place things; they never compute."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from kpireport.computing.drivers import DriverAnalysis
from kpireport.computing.findings import SEVERITIES, Finding
from kpireport.computing.metrics import KgiResult, KpiResult, Pace
from kpireport.computing.report import Report
from kpireport.formatting import DASH, Formatter
from kpireport.i18n import labels, message
from kpireport.model import Direction, Kgi, Kpi, Month, Perspective, Status
from kpireport.presenting.charts import (
    TreeKgi,
    TreeKpi,
    TrendLines,
    WaterfallBar,
    kgi_tree,
    progress_bar,
    trend_panel,
    waterfall,
)
from kpireport.presenting.explore import Explore, explore
from kpireport.presenting.palette import STATUS_CLASS, Palette
from kpireport.presenting.summary import (
    StatusCount,
    Summary,
    describe_kgi,
    describe_kpi,
    displayed,
    kgi_state,
    kgi_status,
    movement_arrow,
    pack_summary,
    status_counts,
)
from kpireport.presenting.theme import DEFAULT_THEME, Theme

TRENDS_PER_PAGE = 8


@dataclass(frozen=True)
class StatusChip:
    status: Status
    label: str
    css: str


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


# Worst first: a status column sorted ascending starts with the KPIs behind.
STATUS_RANK: dict[Status, int] = {"red": 0, "amber": 1, "green": 2, "no_data": 3}


def sort_key(value: float | None) -> str:
    """A figure as the interactive HTML sorts it: the number, or "" (sorted last) for none."""
    return "" if value is None else repr(value)


def _sort_keys(result: KpiResult) -> SortKeys:
    month = result.month
    share = None
    if month.variance is not None and month.target:
        share = month.variance / abs(month.target) * (-1 if result.kpi.direction is Direction.LOWER else 1)
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


@dataclass(frozen=True)
class TrendView:
    name: str
    department: str
    chart: Markup
    alt: str = ""
    """The chart in words (its SVG title, and a deck's chart description)."""
    unit: str = "number"
    number_format: str = "#,##0.##"
    """How a spreadsheet or a deck's chart shows its values (12.5%, ¥1,234)."""
    months: tuple[str, ...] = ()
    """The fiscal year's months, short (Apr, 4月), for charts drawn by other renderers."""
    actual: tuple[float | None, ...] = ()
    target: tuple[float | None, ...] = ()
    prior: tuple[float | None, ...] = ()
    kpi: str = ""
    status_css: str = ""
    in_department: str = ""
    """The KPI's department, even where ``department`` (the heading) is empty."""


@dataclass(frozen=True)
class TrendPage:
    title: str
    span: str
    """The months every chart on the page runs over, named once: Apr 2026 – Mar 2027."""
    charts: tuple[TrendView, ...]


@dataclass(frozen=True)
class Department:
    name: str
    anchor: str
    rows: tuple[KpiRow, ...]
    counts: tuple[StatusCount, ...]


@dataclass(frozen=True)
class KgiCard:
    id: str
    name: str
    owner: str
    target: str
    actual: str
    progress: str
    expected: str
    deadline: str
    state: str
    state_css: str
    status: Status
    """The state as a status colour (green on track, red off, no_data unknown)."""
    bar: Markup
    pace: str
    landing: str
    """Where the goal lands at its deadline: at the run rate, and with the team's outlook."""


@dataclass(frozen=True)
class EffectRow:
    kpi: str
    name: str
    effect: str
    tone: str
    """"good" or "bad": the effect's side of the KGI's direction."""


@dataclass(frozen=True)
class BridgeView:
    """A KGI's driver bridge (SPEC §3a): plan to actual, one effect per driver KPI."""

    kgi: str
    formula: str
    span: str
    sentence: str
    chart: Markup | None
    rows: tuple[EffectRow, ...]
    bars: tuple[WaterfallBar, ...] = ()
    """The waterfall's bars (plan, each driver, actual) as numbers, for charts drawn elsewhere."""
    unit: str = "number"


@dataclass(frozen=True)
class ChangesView:
    """SPEC §7 on one page: what changed since the previous pack."""

    since: str
    lines: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class TreeView:
    svg: Markup
    formula: str
    """The KGI's formula with its KPIs named, on the first drawing of its tree."""


@dataclass(frozen=True)
class FindingGroup:
    severity: str
    label: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class PaceRow:
    name: str
    per_month: str
    months: int
    average: str


@dataclass(frozen=True)
class ActionRow:
    month: str
    kpi: str
    action: str
    owner: str
    chip: StatusChip
    month_key: str = ""
    """The month as a number that sorts in time (year × 12 + month)."""
    status_key: str = ""
    kpi_id: str = ""


@dataclass(frozen=True)
class ScorecardRow:
    perspective: str
    total: int
    counts: tuple[StatusCount, ...]
    kpis: tuple[tuple[str, StatusChip], ...]


@dataclass(frozen=True)
class QuarterCell:
    actual: str
    chip: StatusChip
    key: str = ""
    """The actual as the interactive HTML sorts it (:func:`sort_key`)."""


@dataclass(frozen=True)
class QuarterLine:
    name: str
    department: str
    cells: tuple[QuarterCell, ...]
    qtd: str
    qtd_chip: StatusChip
    change: str
    change_pct: str
    okr_score: str
    kpi: str = ""
    status_css: str = ""
    """The KPI's status this month, as the department tables filter by it."""
    qtd_key: str = ""
    change_key: str = ""
    """The change on last quarter in percent: it compares across KPIs of any unit."""
    okr_key: str = ""


@dataclass(frozen=True)
class QuarterlyView:
    span: str
    months: tuple[str, ...]
    lines: tuple[QuarterLine, ...]
    to_review: tuple[str, ...]
    disconnected: tuple[str, ...]
    has_okr: bool


@dataclass(frozen=True)
class AuditView:
    """Where every figure came from: printed on the last page of an audited pack."""

    workbook: str
    sha256: str
    version: str


@dataclass(frozen=True)
class PackView:
    lang: str
    labels: dict[str, str]
    company: str
    title: str
    month: str
    prepared: str
    fiscal_year: str
    kgis: tuple[KgiCard, ...]
    summary: Summary
    """The status counts and the biggest movers, as the JSON and the e-mail say them too."""
    departments: tuple[Department, ...]
    finding_groups: tuple[FindingGroup, ...]
    finding_count: int
    paces: tuple[PaceRow, ...]
    actions: tuple[ActionRow, ...]
    trees: tuple[TreeView, ...]
    bridges: tuple[BridgeView, ...]
    changes: ChangesView | None
    trend_pages: tuple[TrendPage, ...]
    scorecard: tuple[ScorecardRow, ...]
    quarterly: QuarterlyView | None
    logo: str | None
    footer: str
    theme_css: Markup
    colors: dict[str, str]
    audit: AuditView | None
    explore: Explore | None = None
    """Each KPI's detail for the interactive HTML; None when no HTML is asked for."""

    def as_context(self) -> dict[str, Any]:
        return {"pack": self, "t": self.labels, "c": self.colors}


def _chip(status: Status, text: dict[str, str]) -> StatusChip:
    return StatusChip(status, text[f"status.{status}"], STATUS_CLASS[status])


def _unit_label(unit: str, currency: str) -> str:
    return {"percent": "%", "currency": currency, "number": ""}.get(unit, unit)


def _kpi_row(result: KpiResult, report: Report, fmt: Formatter, text: dict[str, str]) -> KpiRow:
    kpi = result.kpi
    unit = kpi.unit
    forecast = result.forecast
    month = result.month
    return KpiRow(
        id=kpi.id,
        name=kpi.name,
        owner=kpi.owner,
        unit_label=_unit_label(unit, report.workbook.settings.currency),
        target=fmt.value(month.target, unit),
        actual=fmt.value(month.actual, unit),
        attainment=fmt.percent(month.attainment),
        chip=_chip(month.status, text),
        variance=fmt.delta(month.variance, unit),
        variance_css={True: "fav", False: "unfav", None: ""}[month.favorable],
        mom=fmt.delta(result.mom.delta, unit),
        mom_pct=fmt.delta_pct(result.mom.delta_pct, unit),
        trend=result.mom.trend or "none",
        arrow=movement_arrow(result.mom.delta),
        yoy=fmt.change_on_last_year(month.yoy_delta, month.yoy_pct, unit),
        yoy_prior=f"{text['last_year']} {fmt.value(month.prior, unit)}" if month.prior is not None else "",
        qtd=fmt.percent(result.qtd.attainment),
        qtd_chip=_chip(result.qtd.status, text),
        ytd=fmt.percent(result.ytd.attainment),
        ytd_chip=_chip(result.ytd.status, text),
        forecast=fmt.value(forecast.projected, unit) if forecast else DASH,
        forecast_detail=fmt.percent(forecast.attainment) if forecast and forecast.attainment is not None else "",
        comments=tuple(CommentView(c.comment, c.action, c.owner) for c in report.comments_for(kpi.id)),
        keys=_sort_keys(result),
    )


def _axis_for(fmt: Formatter, unit: str) -> Callable[[float, float], str]:
    def label(value: float, step: float) -> str:
        return fmt.axis(value, unit, step)

    return label


def _trends(report: Report, fmt: Formatter, text: dict[str, str], palette: Palette, font: str) -> tuple[TrendPage, ...]:
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
            chart = trend_panel(lines, _axis_for(fmt, result.kpi.unit), label=alt, palette=palette, font=font)
            charts.append(
                TrendView(
                    result.kpi.name,
                    result.kpi.department if opens else "",
                    chart,
                    alt,
                    result.kpi.unit,
                    fmt.excel_format(result.kpi.unit),
                    tuple(fmt.short_month(m) for m in series.months),
                    series.actual,
                    series.target,
                    series.prior,
                    result.kpi.id,
                    STATUS_CLASS[result.month.status],
                    result.kpi.department,
                )
            )
        pages.append(tuple(charts))
    year = report.kpis[0].series.months if report.kpis else ()
    span = text["quarter_span"].format(first=fmt.month(year[0]), last=fmt.month(year[-1])) if year else ""
    return tuple(
        TrendPage(text["trends"] + (f" ({number}/{len(pages)})" if len(pages) > 1 else ""), span, page)
        for number, page in enumerate(pages, start=1)
    )


def _pace_text(pace: Pace | None, unit: str, fmt: Formatter) -> str:
    if pace is None or pace.per_month is None:
        return ""
    if pace.per_month == 0:
        return message(fmt.locale, "pace_reached")
    return message(
        fmt.locale,
        "pace",
        per_month=fmt.value(pace.per_month, unit),
        months=pace.months_remaining,
        average=fmt.value(pace.average_so_far, unit),
    )


def _kgi_units(kgi: Kgi, measured_unit: str, fmt: Formatter) -> _Units:
    """How a KGI's figures are formatted: its own unit where it is one of SPEC's, else its
    measured KPI's, with a free label (customers, 社) written after the figure."""
    unit = kgi.unit if kgi.unit in {"currency", "percent", "number"} else measured_unit
    suffix = "" if kgi.unit in {"currency", "percent", "number", ""} else f" {kgi.unit}"
    return _Units(fmt, unit, suffix)


def _kgi_card(
    result: KgiResult, measured_unit: str, pace: Pace | None, fmt: Formatter, text: dict[str, str], palette: Palette
) -> KgiCard:
    kgi = result.kgi
    units = _kgi_units(kgi, measured_unit, fmt)
    state, css = kgi_state(result.on_track, text)
    return KgiCard(
        id=kgi.id,
        name=kgi.name,
        owner=kgi.owner,
        target=units.full(kgi.target),
        actual=units.full(result.actual) if result.actual is not None else DASH,
        progress=fmt.percent(result.progress),
        expected=fmt.percent(result.expected_progress),
        deadline=fmt.date(kgi.deadline) if kgi.deadline else DASH,
        state=state,
        state_css=css,
        status=kgi_status(result.on_track),
        bar=progress_bar(
            result.progress,
            result.expected_progress,
            result.on_track,
            label=describe_kgi(result, fmt),
            palette=palette,
        ),
        pace=_pace_text(pace, units.unit, fmt),
        landing=_landing(result, units, text),
    )


def _landing(result: KgiResult, units: _Units, text: dict[str, str]) -> str:
    if result.projected is None or result.outlook is None:
        return ""
    percent = units.fmt.percent
    return (
        f"{text['run_rate']} {units.full(result.projected)} ({percent(result.projected_progress)}) · "
        f"{text['outlook']} {units.full(result.outlook)} ({percent(result.outlook_progress)})"
    )


def _paces(report: Report, fmt: Formatter) -> tuple[PaceRow, ...]:
    """Cumulative KPIs that must speed up: the pace needed exceeds the pace so far."""
    behind = []
    for result in report.kpis:
        pace = report.kpi_paces.get(result.kpi.id)
        if pace is None or pace.per_month is None or pace.average_so_far is None or pace.average_so_far <= 0:
            continue
        lower = result.kpi.direction.value == "lower"
        if (pace.per_month < pace.average_so_far) if lower else (pace.per_month > pace.average_so_far):
            behind.append((pace.per_month / pace.average_so_far, result, pace))
    behind.sort(key=lambda item: item[0], reverse=True)
    return tuple(
        PaceRow(
            r.kpi.name, fmt.value(p.per_month, r.kpi.unit), p.months_remaining, fmt.value(p.average_so_far, r.kpi.unit)
        )
        for _, r, p in behind[:5]
    )


def _actions(report: Report, fmt: Formatter, text: dict[str, str]) -> tuple[ActionRow, ...]:
    by_id = {r.kpi.id: r for r in report.kpis}
    comments = sorted((c for c in report.workbook.comments if c.action), key=lambda c: c.month, reverse=True)
    return tuple(
        ActionRow(
            fmt.month(c.month),
            by_id[c.kpi].kpi.name,
            c.action,
            c.owner,
            _chip(by_id[c.kpi].month.status, text),
            str(c.month.year * 12 + c.month.month),
            str(STATUS_RANK[by_id[c.kpi].month.status]),
            c.kpi,
        )
        for c in comments
        if c.kpi in by_id
    )


def _formula_text(report: Report, kgi: Kgi, text: dict[str, str]) -> str:
    """The formula as typed, then each of its KPI ids with the KPI's name."""
    if kgi.formula is None:
        return ""
    names = {r.kpi.id: r.kpi.name for r in report.kpis}
    named = " · ".join(f"[{kpi}] {names.get(kpi, '')}".rstrip() for kpi in kgi.formula.kpis)
    return f"{text['formula']}: {kgi.name} = {kgi.formula.text} ({named})"


def _trees(report: Report, fmt: Formatter, text: dict[str, str], palette: Palette, font: str) -> tuple[TreeView, ...]:
    def node(r: KpiResult) -> TreeKpi:
        status = r.month.status
        return TreeKpi(
            r.kpi.id, r.kpi.name, r.kpi.department, status, fmt.percent(r.month.attainment), text[f"status.{status}"]
        )

    trees: list[TreeView] = []
    kgi_ids = {k.kgi.id for k in report.kgis}
    for k in report.kgis:
        note = f"{text['progress']} {fmt.percent(k.progress)} / {text['expected']} {fmt.percent(k.expected_progress)}"
        kpis = tuple(node(r) for r in report.kpis if r.kpi.kgi == k.kgi.id)
        state = kgi_state(k.on_track, text)[0]
        drawings = kgi_tree(TreeKgi(k.kgi.name, note, k.on_track, kpis, state), palette=palette, font=font)
        formula = _formula_text(report, k.kgi, text)
        trees.extend(TreeView(svg, formula if index == 0 else "") for index, svg in enumerate(drawings))
    orphans = tuple(node(r) for r in report.kpis if r.kpi.kgi not in kgi_ids)
    if orphans:
        drawings = kgi_tree(TreeKgi(text["no_kgi_group"], "", None, orphans), palette=palette, font=font)
        trees.extend(TreeView(svg, "") for svg in drawings)
    return tuple(trees)


def _bridges(
    report: Report, fmt: Formatter, text: dict[str, str], palette: Palette, font: str
) -> tuple[BridgeView, ...]:
    kpis = {r.kpi.id: r.kpi for r in report.kpis}
    views = []
    for k in report.kgis:
        analysis = report.drivers.get(k.kgi.id)
        if analysis is not None:
            measured = kpis.get(k.kgi.measured_by or "")
            units = _kgi_units(k.kgi, measured.unit if measured else "number", fmt)
            views.append(_bridge(report, k.kgi, analysis, kpis, units, text, palette, font))
    return tuple(views)


@dataclass(frozen=True)
class _Units:
    """A KGI's figures formatted in its unit, with its label after them."""

    fmt: Formatter
    unit: str
    suffix: str

    def full(self, value: float | None) -> str:
        return self.fmt.value(value, self.unit) + self.suffix

    def signed(self, value: float) -> str:
        return self.fmt.delta(value, self.unit) + self.suffix

    def short(self, value: float, *, signed: bool = False) -> str:
        return ("+" if signed and value > 0 else "") + self.fmt.compact(value, self.unit)


def _bridge(
    report: Report,
    kgi: Kgi,
    analysis: DriverAnalysis,
    kpis: dict[str, Kpi],
    units: _Units,
    text: dict[str, str],
    palette: Palette,
    font: str,
) -> BridgeView:
    locale = report.workbook.settings.locale
    formula = _formula_text(report, kgi, text)
    bridge = analysis.bridge
    if bridge.planned is None or bridge.actual is None or bridge.variance is None:
        return BridgeView(kgi.name, formula, "", text["bridge_none"], None, ())
    lower = analysis.direction is Direction.LOWER

    def tone(value: float) -> str:
        return "good" if (value <= 0 if lower else value >= 0) else "bad"

    def name(kpi: str) -> str:
        return kpis[kpi].name if kpi in kpis else kpi

    bars = [WaterfallBar(text["planned"], units.short(bridge.planned), bridge.planned, bridge.planned, "total")]
    level = bridge.planned
    for e in bridge.effects:
        bars.append(
            WaterfallBar(
                name(e.kpi), units.short(e.effect, signed=True), level, level + e.effect, tone(e.effect), e.kpi
            )
        )
        level += e.effect
    bars.append(WaterfallBar(text["actual"], units.short(bridge.actual), bridge.actual, bridge.actual, "total"))
    variance = units.signed(bridge.variance)
    main = analysis.main_driver
    if main is None:
        sentence = message(locale, "bridge_clear", variance=variance)
    else:
        key = "bridge_ahead" if tone(bridge.variance) == "good" else "bridge_short"
        sentence = message(locale, key, driver=name(main.kpi), effect=units.signed(main.effect), variance=variance)
    span = message(
        locale,
        "bridge_span",
        first=units.fmt.month(bridge.months[0]),
        last=units.fmt.month(bridge.months[-1]),
        planned=units.full(bridge.planned),
        actual=units.full(bridge.actual),
    )
    described = "; ".join(f"{bar.label} {bar.value_text}" for bar in bars[1:-1])
    return BridgeView(
        kgi=kgi.name,
        formula=formula,
        span=span,
        sentence=sentence,
        chart=waterfall(bars, label=f"{kgi.name}. {span}. {described}. {sentence}", palette=palette, font=font),
        rows=tuple(EffectRow(e.kpi, name(e.kpi), units.signed(e.effect), tone(e.effect)) for e in bridge.effects),
        bars=tuple(bars),
        unit=units.unit,
    )


def _changes(report: Report, fmt: Formatter, text: dict[str, str]) -> ChangesView | None:
    """The page lists the RESTATED findings' sentences, so the page and the findings say the same."""
    changes = report.changes
    if changes is None or not (changes.values or changes.added or changes.removed):
        return None
    names = {r.kpi.id: r.kpi.name for r in report.kpis}
    return ChangesView(
        since=text["changes_since"].format(month=fmt.month(Month.parse(changes.since))),
        lines=tuple(f.message for f in report.findings if f.code == "RESTATED"),
        added=tuple(f"{kpi} {names.get(kpi, '')}".strip() for kpi in changes.added),
        removed=tuple(f"{kpi} {changes.removed_names.get(kpi, '')}".strip() for kpi in changes.removed),
    )


def _scorecard(report: Report, text: dict[str, str]) -> tuple[ScorecardRow, ...]:
    if not any(r.kpi.perspective for r in report.kpis):
        return ()
    rows = []
    for perspective in Perspective:
        members = [r for r in report.kpis if r.kpi.perspective is perspective]
        rows.append(
            ScorecardRow(
                perspective=message(report.workbook.settings.locale, f"perspective.{perspective.value}"),
                total=len(members),
                counts=status_counts([r.month.status for r in members], text),
                kpis=tuple((r.kpi.name, _chip(r.month.status, text)) for r in members),
            )
        )
    return tuple(rows)


def _quarterly(report: Report, fmt: Formatter, text: dict[str, str]) -> QuarterlyView | None:
    if report.quarterly is None:
        return None
    first_row = report.quarterly[0] if report.quarterly else None
    months = tuple(fmt.month(m) for m, _ in first_row.months) if first_row else ()
    lines = tuple(
        QuarterLine(
            name=q.result.kpi.name,
            department=q.result.kpi.department,
            cells=tuple(
                QuarterCell(fmt.value(p.actual, q.result.kpi.unit), _chip(p.status, text), sort_key(p.actual))
                for _, p in q.months
            ),
            qtd=fmt.percent(q.result.qtd.attainment),
            qtd_chip=_chip(q.result.qtd.status, text),
            change=fmt.delta(q.change, q.result.kpi.unit),
            change_pct=fmt.delta_pct(q.change_pct, q.result.kpi.unit),
            okr_score=f"{q.okr_score:.2f}" if q.okr_score is not None else "",
            kpi=q.result.kpi.id,
            status_css=STATUS_CLASS[q.result.month.status],
            qtd_key=sort_key(q.result.qtd.attainment),
            change_key=sort_key(q.change_pct),
            okr_key=sort_key(q.okr_score),
        )
        for q in report.quarterly
    )
    return QuarterlyView(
        span=text["quarter_span"].format(first=months[0], last=months[-1]) if months else "",
        months=months,
        lines=lines,
        to_review=tuple(f.message for f in report.findings if f.code == "REVIEW"),
        disconnected=tuple(f.message for f in report.findings if f.code == "DISCONNECT"),
        has_okr=any(q.okr_score is not None for q in report.quarterly),
    )


def _presented(report: Report, theme: Theme) -> tuple[Report, Formatter, dict[str, str]]:
    """What every part of the view starts from: the report with its text clipped for display,
    the theme's formatter for its locale, and the labels in its language."""
    settings = report.workbook.settings
    return displayed(report), theme.formatter(settings), labels(settings.locale)


def build_view(
    report: Report,
    *,
    today: dt.date | None = None,
    theme: Theme = DEFAULT_THEME,
    audit: AuditView | None = None,
    summary: Summary | None = None,
) -> PackView:
    """The pack, every figure decided; ``summary`` is :func:`pack_summary` of the same report
    (made here when the caller has none)."""
    report, fmt, text = _presented(report, theme)
    settings = report.workbook.settings
    palette = theme.palette()
    company = theme.displayed_company(settings)
    departments: dict[str, list[KpiResult]] = {}
    for result in report.kpis:
        departments.setdefault(result.kpi.department, []).append(result)
    units = {r.kpi.id: r.kpi.unit for r in report.kpis}
    return PackView(
        lang=settings.locale,
        labels=text,
        company=company,
        title=f"{text['monthly_review']} — {fmt.month(report.month)}",
        month=fmt.month(report.month),
        prepared=fmt.date(today or dt.date.today()),
        fiscal_year=fmt.month(settings.fiscal_year_of(report.month)),
        kgis=tuple(
            _kgi_card(
                k, units.get(k.kgi.measured_by or "", "number"), report.kgi_paces.get(k.kgi.id), fmt, text, palette
            )
            for k in report.kgis
        ),
        summary=summary or pack_summary(report, theme),
        departments=tuple(
            Department(
                name=name,
                anchor=f"dept-{index + 1}",
                rows=tuple(_kpi_row(r, report, fmt, text) for r in results),
                counts=status_counts([r.month.status for r in results], text),
            )
            for index, (name, results) in enumerate(departments.items())
        ),
        finding_groups=tuple(
            FindingGroup(severity, text[f"severity.{severity}"], group)
            for severity in SEVERITIES
            if (group := tuple(f for f in report.findings if f.severity == severity))
        ),
        finding_count=len(report.findings),
        paces=_paces(report, fmt),
        actions=_actions(report, fmt, text),
        trees=_trees(report, fmt, text, palette, theme.font_stack(settings.locale)),
        bridges=_bridges(report, fmt, text, palette, theme.font_stack(settings.locale)),
        changes=_changes(report, fmt, text),
        trend_pages=_trends(report, fmt, text, palette, theme.font_stack(settings.locale)),
        scorecard=_scorecard(report, text),
        quarterly=_quarterly(report, fmt, text),
        logo=theme.logo_data_uri,
        footer=theme.footer,
        theme_css=theme.css(),
        colors=theme.css_colors(),
        audit=audit,
    )


def with_explore(view: PackView, report: Report, theme: Theme = DEFAULT_THEME) -> PackView:
    """``view`` (of ``report``) with what the interactive HTML's KPI detail shows: made apart,
    so the build makes it while the PDF renders."""
    return dataclasses.replace(view, explore=explore(*_presented(report, theme)))
