"""The goal pages: each KGI's card, the catch-up pace, the KGI → KPI trees and the driver
bridges."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from kpireport.computing.drivers import DriverAnalysis
from kpireport.computing.goals import KgiResult
from kpireport.computing.metrics import KpiResult, Pace, must_speed_up
from kpireport.computing.report import Report
from kpireport.formatting import DASH, Formatter, adding_up
from kpireport.i18n import message
from kpireport.model import Direction, Kgi, Kpi, Status
from kpireport.presenting.charts import TreeKgi, TreeKpi, WaterfallBar, by_department, kgi_tree, progress_bar, waterfall
from kpireport.presenting.commentary_view import CommentaryView
from kpireport.presenting.palette import STATUS_CLASS, Palette
from kpireport.presenting.summary import describe_kgi, kgi_state, kgi_status
from kpireport.presenting.view.common import StatusChip, Units, chip

PACES_SHOWN = 5


@dataclass(frozen=True)
class KgiFigures:
    """A goal's card as numbers, for a spreadsheet."""

    target: float | None
    actual: float | None
    progress: float | None
    expected: float | None
    projected: float | None
    outlook: float | None
    formula: str
    planned: float | None
    value_format: str = "#,##0"
    """How a spreadsheet shows the goal's target, actual, run rate, outlook and plan."""


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
    figures: KgiFigures
    index: int = 0
    """The goal's place in the JSON's ``kgis``: its figures' ids, which commentary links to."""
    commentary: CommentaryView | None = None


def _pace_text(pace: Pace | None, units: Units, direction: Direction) -> str:
    """What the rest of the period needs a month, against the plan for it (the pace so far
    where there is no plan), in the goal's unit: needs 45 customers a month."""
    if pace is None or pace.per_month is None:
        return ""
    locale = units.fmt.locale
    if pace.per_month == 0:
        return message(locale, "pace_reached")
    fields = {"per_month": units.pace(pace.per_month, direction), "months": pace.months_remaining}
    if pace.planned_per_month is not None:
        return message(locale, "pace_plan", plan=units.full(pace.planned_per_month), **fields)
    return message(locale, "pace", average=units.full(pace.average_so_far), **fields)


def _landing(result: KgiResult, units: Units, text: Mapping[str, str]) -> str:
    if result.projected is None or result.outlook is None:
        return ""
    percent = units.fmt.percent
    return (
        f"{text['against_goal']}{text['run_rate']} {units.full(result.projected)} "
        f"({percent(result.projected_progress)}) · "
        f"{text['outlook']} {units.full(result.outlook)} ({percent(result.outlook_progress)})"
    )


def _card(
    result: KgiResult,
    report: Report,
    units: Units,
    text: Mapping[str, str],
    palette: Palette,
    index: int,
    note: CommentaryView | None,
) -> KgiCard:
    kgi, fmt = result.kgi, units.fmt
    state, css = kgi_state(result.state, text)
    analysis = report.drivers.get(kgi.id)
    pace = report.kgi_paces.get(kgi.id)
    # One money unit for the card: its actual, target, landings and pace side by side.
    units = units.scaled(kgi.target, result.actual, result.projected, result.outlook, pace.per_month if pace else None)
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
        status=kgi_status(result.state),
        bar=progress_bar(
            result.progress,
            result.expected_progress,
            kgi_status(result.state),
            label=describe_kgi(result, fmt),
            palette=palette,
        ),
        pace=_pace_text(pace, units, result.direction),
        landing=_landing(result, units, text),
        figures=KgiFigures(
            kgi.target,
            result.actual,
            result.progress,
            result.expected_progress,
            result.projected,
            result.outlook,
            analysis.formula.text if analysis else "",
            analysis.bridge.planned if analysis else None,
            units.excel_format(),
        ),
        index=index,
        commentary=note,
    )


def goal_units(report: Report, fmt: Formatter) -> dict[str, Units]:
    """Each KGI's figures' unit (KGI id → :class:`Units`): a goal measured by a count is
    shown whole."""
    measured = {r.kpi.id: r for r in report.kpis}
    return {k.kgi.id: Units.of(k.kgi, measured.get(k.kgi.measured_by or ""), fmt) for k in report.kgis}


def cards(
    report: Report,
    units: Mapping[str, Units],
    text: Mapping[str, str],
    palette: Palette,
    notes: Mapping[str, CommentaryView],
) -> tuple[KgiCard, ...]:
    return tuple(
        _card(k, report, units[k.kgi.id], text, palette, index, notes.get(k.kgi.id))
        for index, k in enumerate(report.kgis)
    )


@dataclass(frozen=True)
class PaceRow:
    name: str
    per_month: str
    months: int
    average: str
    reference: str
    """What the pace needed is held against: the plan a month, or the average so far (marked)."""


def paces(report: Report, fmt: Formatter) -> tuple[PaceRow, ...]:
    """The cumulative KPIs that must speed up most: the pace needed against the remaining plan
    (a count's whole: 49.2 renewals a month is 50)."""
    behind: list[tuple[float, KpiResult, Pace]] = []
    for result in report.kpis:
        pace = report.kpi_paces.get(result.kpi.id)
        if pace is not None and must_speed_up(pace, result.kpi.direction):
            assert pace.per_month is not None
            # Nothing so far to hold it against (actuals of 0, or none yet): any pace is
            # infinitely more; it ranks first.
            ratio = pace.per_month / pace.reference if pace.reference else math.inf
            behind.append((ratio, result, pace))
    behind.sort(key=lambda item: item[0], reverse=True)
    rows = []
    for _, r, p in behind[:PACES_SHOWN]:
        assert p.per_month is not None
        units = Units(fmt, r.kpi.unit, "", whole=r.counts).scaled(p.per_month, p.average_so_far, p.planned_per_month)
        average = units.full(p.average_so_far)
        planned = p.planned_per_month
        rows.append(
            PaceRow(
                r.kpi.name,
                units.pace(p.per_month, r.kpi.direction),
                p.months_remaining,
                average,
                units.full(planned) if planned is not None else message(fmt.locale, "pace_so_far", average=average),
            )
        )
    return tuple(rows)


def formula_text(report: Report, kgi: Kgi, text: Mapping[str, str]) -> str:
    """The formula in the KPIs' names, as a board reads it: Annual revenue = New deals won ×
    Average deal size (the ids it was typed with are for the workbook, not the page)."""
    if kgi.formula is None:
        return ""
    names = {k.id: k.name for k in _named_kpis(report).values()}
    operators = {"*": " × ", "/": " ÷ "}

    def spoken(token: re.Match[str]) -> str:
        typed = token.group()
        return operators.get(typed) or names.get(typed[1:-1], typed[1:-1])

    named = re.sub(r"\[[^\]]+\]|[*/]", spoken, kgi.formula.text)
    return f"{text['formula']}: {kgi.name} = {' '.join(named.split())}"


def _named_kpis(report: Report) -> dict[str, Kpi]:
    """Every KPI a goal's formula or bridge may name: a pack per audience shows the company's
    bridges whole, naming drivers from outside its scope too."""
    return {**{k.id: k for k in report.workbook.kpis}, **{r.kpi.id: r.kpi for r in report.kpis}}


@dataclass(frozen=True)
class OutlineKpi:
    id: str
    name: str
    attainment: str
    chip: StatusChip


@dataclass(frozen=True)
class OutlineDepartment:
    name: str
    kpis: tuple[OutlineKpi, ...]


@dataclass(frozen=True)
class TreeOutline:
    """A goal's tree as nested lists, goal → department → KPI, with what the drawing shows: a
    narrow screen shows it in place of the drawing, which scaled to the screen would set its
    labels too small to read. The whole goal, where the drawing may come in parts."""

    kgi: str
    note: str
    state: str
    """The goal's state in words; empty for the KPIs that measure no goal."""
    state_css: str
    departments: tuple[OutlineDepartment, ...]


@dataclass(frozen=True)
class TreeView:
    svg: Markup
    formula: str
    """The KGI's formula with its KPIs named, on the first drawing of its tree."""
    outline: TreeOutline | None = None
    """The whole tree as a list, on the first drawing of its tree."""


def _outline(kgi: TreeKgi, text: Mapping[str, str]) -> TreeOutline:
    departments = tuple(
        OutlineDepartment(name, tuple(OutlineKpi(k.id, k.name, k.note, chip(k.status, text)) for k in kpis))
        for name, kpis in by_department(kgi.kpis).items()
    )
    return TreeOutline(kgi.name, kgi.note, kgi.state, STATUS_CLASS[kgi.status], departments)


def _views(kgi: TreeKgi, formula: str, text: Mapping[str, str], palette: Palette, font: str) -> list[TreeView]:
    """The drawings of one goal's tree, the first with its formula and its list."""
    drawings = kgi_tree(kgi, palette=palette, font=font)
    first = TreeView(drawings[0], formula, _outline(kgi, text))
    return [first, *(TreeView(svg, "") for svg in drawings[1:])]


def trees(report: Report, fmt: Formatter, text: Mapping[str, str], palette: Palette, font: str) -> tuple[TreeView, ...]:
    def node(r: KpiResult) -> TreeKpi:
        status = r.month.status
        return TreeKpi(
            r.kpi.id, r.kpi.name, r.kpi.department, status, fmt.percent(r.month.attainment), text[f"status.{status}"]
        )

    drawn: list[TreeView] = []
    kgi_ids = {k.kgi.id for k in report.kgis}
    for k in report.kgis:
        note = f"{text['progress']} {fmt.percent(k.progress)} / {text['expected']} {fmt.percent(k.expected_progress)}"
        kpis = tuple(node(r) for r in report.kpis if r.kpi.kgi == k.kgi.id)
        state = kgi_state(k.state, text)[0]
        tree = TreeKgi(k.kgi.name, note, kgi_status(k.state), kpis, state)
        drawn.extend(_views(tree, formula_text(report, k.kgi, text), text, palette, font))
    orphans = tuple(node(r) for r in report.kpis if r.kpi.kgi not in kgi_ids)
    if orphans:
        drawn.extend(_views(TreeKgi(text["no_kgi_group"], "", "no_data", orphans), "", text, palette, font))
    return tuple(drawn)


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
    labels: tuple[tuple[float, str], ...] = ()
    """Each bar's label for a chart drawn elsewhere, as the PDF writes it (rounded so that the
    effects add up): its size in the bridge's scale and the number format that writes it."""


def bridges(
    report: Report, units: Mapping[str, Units], text: Mapping[str, str], palette: Palette, font: str
) -> tuple[BridgeView, ...]:
    kpis = _named_kpis(report)
    return tuple(
        _bridge(report, k.kgi, analysis, kpis, units[k.kgi.id], text, palette, font)
        for k in report.kgis
        if (analysis := report.drivers.get(k.kgi.id)) is not None
    )


def _shown_bridge(
    planned: float, effects: list[float], actual: float, units: Units
) -> tuple[float, tuple[float, ...], float]:
    """The bridge's figures as shown: in one money scale (or whole, for a count), rounded so
    that the plan and the shown effects add up to the shown actual."""
    if units.scale is not None:
        return adding_up(planned, effects, actual, units.scale.step)
    if units.whole:
        return adding_up(planned, effects, actual, 1)
    return planned, tuple(effects), actual


def _bridge(
    report: Report,
    kgi: Kgi,
    analysis: DriverAnalysis,
    kpis: Mapping[str, Kpi],
    units: Units,
    text: Mapping[str, str],
    palette: Palette,
    font: str,
) -> BridgeView:
    locale = units.fmt.locale
    formula = formula_text(report, kgi, text)
    bridge = analysis.bridge
    units = units.scaled(bridge.planned, bridge.actual)
    if bridge.planned is None or bridge.actual is None or bridge.variance is None:
        none = "bridge_overflow" if bridge.overflowed else "bridge_none"
        return BridgeView(kgi.name, formula, "", text[none], None, ())

    def tone(value: float) -> str:
        return "good" if analysis.direction.favours(value) else "bad"

    def name(kpi: str) -> str:
        return kpis[kpi].name if kpi in kpis else kpi

    planned, effects, actual = _shown_bridge(bridge.planned, [e.effect for e in bridge.effects], bridge.actual, units)
    bars = [WaterfallBar(text["planned"], units.full(planned), bridge.planned, bridge.planned, "total")]
    level = bridge.planned
    for e, shown in zip(bridge.effects, effects, strict=True):
        bars.append(WaterfallBar(name(e.kpi), units.signed(shown), level, level + e.effect, tone(e.effect), e.kpi))
        level += e.effect
    bars.append(WaterfallBar(text["actual"], units.full(actual), bridge.actual, bridge.actual, "total"))
    variance = units.signed(actual - planned)
    main = analysis.main_driver
    if main is None:
        sentence = message(locale, "bridge_clear", variance=variance)
    else:
        key = "bridge_ahead" if tone(bridge.variance) == "good" else "bridge_short"
        effect = effects[bridge.effects.index(main)] if main in bridge.effects else main.effect
        sentence = message(locale, key, driver=name(main.kpi), effect=units.signed(effect), variance=variance)
    span = message(
        locale,
        "bridge_span",
        first=units.fmt.month(bridge.months[0]),
        last=units.fmt.month(bridge.months[-1]),
        planned=units.full(planned),
        actual=units.full(actual),
    )
    described = "; ".join(f"{bar.label} {bar.value_text}" for bar in bars[1:-1])
    return BridgeView(
        kgi=kgi.name,
        formula=formula,
        span=span,
        sentence=sentence,
        chart=waterfall(bars, label=f"{kgi.name}. {span}. {described}. {sentence}", palette=palette, font=font),
        rows=tuple(
            EffectRow(e.kpi, name(e.kpi), units.signed(shown), tone(e.effect))
            for e, shown in zip(bridge.effects, effects, strict=True)
        ),
        bars=tuple(bars),
        unit=units.unit,
        labels=(
            units.chart_label(planned),
            *(units.chart_label(shown, signed=True) for shown in effects),
            units.chart_label(actual),
        ),
    )
