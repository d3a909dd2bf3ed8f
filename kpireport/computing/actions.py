"""SPEC v1.2 §3c as pure functions: each row of the Actions sheet judged in the report month —
overdue or due soon, the target's figures before the action and now, whether they moved, whether
they reached what was expected — and the OVERDUE and NO-ACTION findings.

An action on a KGI is judged through the KGI's measuring KPI; a KGI with a formula and no
measuring KPI through its own monthly figures (the formula of the month's actuals against the
formula of its targets, higher is better); a KGI with neither has no figures to judge by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kpireport.computing.facts import Day, MonthName, Text
from kpireport.computing.findings import REVIEW_AFTER_RED_MONTHS, Finding
from kpireport.computing.goals import KgiResult
from kpireport.computing.metrics import KpiResult, attainment, excel_round
from kpireport.model import EMPTY_SERIES, Action, ActionStatus, Direction, Kgi, Kpi, Month, Settings, Workbook

Moved = Literal["improved", "worsened", "flat"]
FLAT_POINTS = 0.01
"""SPEC §3c: attainment that moved by less than one point has not moved."""


def is_off_track(kgi: KgiResult) -> bool:
    """Whether a goal is off track: the one place NO-ACTION asks it (SPEC v1.2's ``state``)."""
    return kgi.state == "off_track"


@dataclass(frozen=True)
class Reading:
    """The target's actual and attainment in one month (None where it has none)."""

    month: Month
    actual: float | None
    attainment: float | None


@dataclass(frozen=True)
class Gauge:
    """What an action's effect is read from: the KPI it targets, a KGI's measuring KPI, or a
    formula KGI's own monthly figures."""

    kpi: Kpi | None
    kgi: Kgi | None
    """The KGI the action targets, when it targets one."""
    unit: str
    direction: Direction

    def reading(self, workbook: Workbook, month: Month) -> Reading:
        if self.kpi is not None:
            actual = workbook.actual_series(self.kpi.id).get(month)
            target = workbook.target_series(self.kpi.id).get(month)
        elif self.kgi is not None and self.kgi.formula is not None:
            actual = _formula_value(self.kgi, workbook.actuals, month)
            target = _formula_value(self.kgi, workbook.targets, month)
        else:
            return Reading(month, None, None)
        actual = excel_round(actual)
        return Reading(month, actual, attainment(excel_round(target), actual, self.direction))


def _formula_value(kgi: Kgi, series: Mapping[str, Mapping[Month, float]], month: Month) -> float | None:
    assert kgi.formula is not None
    values = {kpi: series.get(kpi, EMPTY_SERIES).get(month) for kpi in kgi.formula.kpis}
    if any(value is None for value in values.values()):
        return None
    try:
        return kgi.formula.evaluate({kpi: value for kpi, value in values.items() if value is not None})
    except ZeroDivisionError:
        return None


def gauge(target: str, workbook: Workbook) -> Gauge:
    """How an action on ``target`` (a KPI id, else a KGI id) is judged."""
    kpis = {kpi.id: kpi for kpi in workbook.kpis}
    if target in kpis:
        kpi = kpis[target]
        return Gauge(kpi, None, kpi.unit, kpi.direction)
    kgi = next((k for k in workbook.kgis if k.id == target), None)
    measured = kpis.get(kgi.measured_by) if kgi is not None and kgi.measured_by else None
    if measured is not None:
        return Gauge(measured, kgi, measured.unit, measured.direction)
    return Gauge(None, kgi, kgi.unit if kgi is not None else "number", Direction.HIGHER)


@dataclass(frozen=True)
class ActionResult:
    action: Action
    status: ActionStatus
    """As of the report month: done or dropped only when it had ended by then."""
    overdue: bool
    due_soon: bool
    ended: dt.date | None
    """When a done or dropped action ended: its ``closed`` date, else its due date."""
    baseline: Reading | None
    """The month before it was opened; None without ``opened`` or without figures to read."""
    latest: Reading | None
    moved: Moved | None
    reached: bool | None
    gauge: Gauge

    @property
    def kpi(self) -> str | None:
        """The KPI the action is judged through."""
        return self.gauge.kpi.id if self.gauge.kpi is not None else None

    @property
    def kgi(self) -> str | None:
        return self.gauge.kgi.id if self.gauge.kgi is not None else None

    @property
    def is_open(self) -> bool:
        return self.status is ActionStatus.OPEN


def status_in(action: Action, month: Month) -> ActionStatus:
    """The action's status in ``month``'s pack: one closed after the month was still open in it.
    Without a ``closed`` date nobody knows when it ended, so its status stands."""
    if action.status is not ActionStatus.OPEN and action.closed is not None and action.closed >= month.next_first_day:
        return ActionStatus.OPEN
    return action.status


def moved(baseline: Reading | None, latest: Reading | None, direction: Direction) -> Moved | None:
    """By attainment (less than a point is flat); by the actual, in the direction, where either
    month has no attainment; None where either month has no figure."""
    if baseline is None or latest is None:
        return None
    if baseline.attainment is not None and latest.attainment is not None:
        change = excel_round(latest.attainment - baseline.attainment)
        assert change is not None
        if abs(change) < FLAT_POINTS:
            return "flat"
        return "improved" if change > 0 else "worsened"
    if baseline.actual is None or latest.actual is None:
        return None
    difference = excel_round(latest.actual - baseline.actual)
    if not difference:
        return "flat"
    return "improved" if direction.improves(difference) else "worsened"


def evaluate_action(action: Action, workbook: Workbook, month: Month) -> ActionResult:
    measure = gauge(action.target, workbook)
    judged = measure.kpi is not None or (measure.kgi is not None and measure.kgi.formula is not None)
    status = status_in(action, month)
    is_open = status is ActionStatus.OPEN
    due = action.due
    baseline = measure.reading(workbook, action.opened.shift(-1)) if judged and action.opened is not None else None
    latest = measure.reading(workbook, month) if judged else None
    reached = None
    due_by_now = due is not None and month >= Month.of(due)
    if action.expected is not None and due_by_now and latest is not None and latest.actual is not None:
        reached = measure.direction.meets(latest.actual, action.expected)
    return ActionResult(
        action=action,
        status=status,
        overdue=is_open and due is not None and due < month.next_first_day,
        due_soon=is_open and due is not None and Month.of(due) == month.shift(1),
        ended=None if is_open else action.closed or due,
        baseline=baseline,
        latest=latest,
        moved=moved(baseline, latest, measure.direction),
        reached=reached,
        gauge=measure,
    )


def evaluate_actions(workbook: Workbook, month: Month) -> tuple[ActionResult, ...]:
    """Every action of the Actions sheet that existed in ``month`` (one opened later is not in
    that month's pack), in the sheet's order."""
    return tuple(
        evaluate_action(action, workbook, month)
        for action in workbook.actions or ()
        if action.opened is None or action.opened <= month
    )


def ended_this_quarter(result: ActionResult, settings: Settings, month: Month) -> bool:
    """A done or dropped action that ended in the fiscal quarter of ``month`` (by ``closed``,
    else by its due date; one without ``closed`` whose due date is still to come is listed too)."""
    return result.ended is not None and result.ended >= settings.fiscal_quarter_of(month).first_day


@dataclass(frozen=True)
class QuarterEffect:
    """The quarter's done actions: how many have a judged effect, and how many improved."""

    done: int
    judged: int
    improved: int

    @property
    def share(self) -> float | None:
        return excel_round(self.improved / self.judged) if self.judged else None


def quarter_effect(results: Sequence[ActionResult], settings: Settings, month: Month) -> QuarterEffect:
    """SPEC §3c: the share of the quarter's done actions whose KPI improved, over those whose
    movement can be judged (both months have a figure)."""
    done = [r for r in results if r.status is ActionStatus.DONE and ended_this_quarter(r, settings, month)]
    judged = [r for r in done if r.moved is not None]
    return QuarterEffect(len(done), len(judged), sum(1 for r in judged if r.moved == "improved"))


# -- findings ---------------------------------------------------------------------------------


def overdue_findings(results: Sequence[ActionResult], names: Mapping[str, str]) -> Iterator[Finding]:
    for result in results:
        if not result.overdue:
            continue
        action = result.action
        assert action.due is not None
        yield Finding(
            "OVERDUE",
            "warning",
            "overdue",
            (
                ("action", Text(action.action)),
                ("id", action.id),
                ("owner", Text(action.owner or "–")),
                ("target", Text(names.get(action.target, action.target))),
                ("due", Day(action.due)),
            ),
            kpi=action.target if result.gauge.kgi is None else None,
            kgi=result.kgi,
            where=action.source,
        )


def no_action_findings(
    results: Sequence[ActionResult], kpis: Sequence[KpiResult], kgis: Sequence[KgiResult], month: Month
) -> Iterator[Finding]:
    """A red or REVIEW KPI with no open action on it or its KGI; an off-track KGI with no open
    action on it or on its KPIs (those naming it, its measuring KPI and its formula's drivers)."""
    acted_on = {r.action.target for r in results if r.is_open}
    for result in kpis:
        kpi = result.kpi
        if result.month.status != "red" or kpi.id in acted_on or (kpi.kgi is not None and kpi.kgi in acted_on):
            continue
        review = result.red_streak >= REVIEW_AFTER_RED_MONTHS
        yield Finding(
            "NO-ACTION",
            "warning",
            "no_action_review" if review else "no_action_red",
            (("name", Text(kpi.name)), ("months", result.red_streak), ("month", MonthName(month))),
            kpi=kpi.id,
            where=kpi.source,
        )
    for kgi_result in kgis:
        kgi = kgi_result.kgi
        if not is_off_track(kgi_result):
            continue
        its_kpis = {r.kpi.id for r in kpis if r.kpi.kgi == kgi.id}
        its_kpis |= {kgi.measured_by} if kgi.measured_by else set()
        its_kpis |= set(kgi.formula.kpis) if kgi.formula is not None else set()
        if kgi.id in acted_on or its_kpis & acted_on:
            continue
        yield Finding(
            "NO-ACTION", "warning", "no_action_kgi", (("name", Text(kgi.name)),), kgi=kgi.id, where=kgi.source
        )


def action_findings(
    workbook: Workbook,
    month: Month,
    results: Sequence[ActionResult],
    kpis: Sequence[KpiResult],
    kgis: Sequence[KgiResult],
) -> list[Finding]:
    """OVERDUE and NO-ACTION (SPEC §3c), for a workbook that tracks actions (has an Actions
    sheet): one without it is not told every month that nobody acts."""
    if workbook.actions is None:
        return []
    names = {**{k.id: k.name for k in workbook.kgis}, **{k.id: k.name for k in workbook.kpis}}
    return [*overdue_findings(results, names), *no_action_findings(results, kpis, kgis, month)]
