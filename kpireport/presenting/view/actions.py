"""The actions loop in the pack (SPEC §3c): the Actions sheet's actions as the actions page
lists them (overdue first, then open by due date, then those done or dropped this quarter, each
with its effect), each KPI's open actions for its row, detail and slide, the quarterly review's
share of done actions that worked, and every action's figures for the metrics workbook."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kpireport.computing.actions import ActionResult, ended_this_quarter, quarter_effect
from kpireport.computing.report import Report
from kpireport.formatting import DASH, Formatter, carried_decimals
from kpireport.i18n import message
from kpireport.model import ActionStatus, Month, Status
from kpireport.presenting.kpi_figures import figure_decimals
from kpireport.presenting.palette import STATUS_CLASS
from kpireport.presenting.view.common import StatusChip, sort_key
from kpireport.presenting.view.kpis import Department

Group = Literal["overdue", "open", "ended"]
GROUPS: tuple[Group, ...] = ("overdue", "open", "ended")


@dataclass(frozen=True)
class ActionFigures:
    """An action as numbers and dates, for a spreadsheet: the values as computed, with the
    target's number format."""

    opened: dt.date | None
    due: dt.date | None
    closed: dt.date | None
    baseline_month: str
    baseline_actual: float | None
    baseline_attainment: float | None
    latest_actual: float | None
    latest_attainment: float | None
    expected: float | None
    value_format: str


@dataclass(frozen=True)
class ActionView:
    id: str
    group: Group | None
    """Where the actions page lists it; None for one done or dropped before this quarter."""
    target_id: str
    target: str
    """The KPI's or KGI's name."""
    kpi: str
    """The KPI whose detail it belongs to ("" for a KGI judged by its own formula)."""
    action: str
    owner: str
    opened: str
    due: str
    closed: str
    chip: StatusChip
    """Overdue, due soon, open, done or dropped, in a status colour."""
    when: str
    effect: str
    effect_css: str
    moved: str
    effect_moved: str
    """The effect with how it moved: "Win rate 21.0% → 23.3%, attainment … (improved)"."""
    expected: str
    line: str
    """Everything in one sentence: "Weekly pipeline review — A. Tanaka, opened Aug 2026, done
    Sep 2026: Win rate 21.0% → 23.3%, attainment 84.0% → 93.2%"."""
    who: str
    """Its owner and where it stands: "M. Sato, due Oct 15, 2026, overdue"."""
    overdue: bool
    due_soon: bool
    reached: str
    figures: ActionFigures
    due_key: str = ""
    opened_key: str = ""


@dataclass(frozen=True)
class ActionGroup:
    key: Group
    label: str
    rows: tuple[ActionView, ...]
    heading: str = ""
    """The label with its count: "Overdue (2)"."""


@dataclass(frozen=True)
class ActionsView:
    tracked: bool
    """Whether the workbook has an Actions sheet."""
    groups: tuple[ActionGroup, ...]
    every: tuple[ActionView, ...]
    """Every action in the month's pack, in the sheet's order (the metrics workbook's sheet)."""

    @property
    def listed(self) -> tuple[ActionView, ...]:
        """The actions page's rows, in its order."""
        return tuple(row for group in self.groups for row in group.rows)

    def open_on(self, kpi: str) -> tuple[ActionView, ...]:
        """The open actions on ``kpi`` (on it, or on a KGI it measures), overdue first."""
        return tuple(row for row in self.listed if row.group != "ended" and row.kpi == kpi)


NO_ACTIONS_SHEET = ActionsView(False, (), ())


def _chip(result: ActionResult, text: Mapping[str, str]) -> StatusChip:
    tone: tuple[Status, str]
    if result.overdue:
        tone = ("red", "action.overdue")
    elif result.due_soon:
        tone = ("amber", "action.due_soon")
    elif result.status is ActionStatus.DONE:
        tone = ("green", "action.done")
    else:
        tone = ("no_data", f"action.{result.status.value}")
    return StatusChip(tone[0], text[tone[1]], STATUS_CLASS[tone[0]])


def _when(result: ActionResult, fmt: Formatter) -> str:
    due = fmt.date(result.action.due) if result.action.due else DASH
    if result.is_open:
        return message(fmt.locale, "action_when.overdue" if result.overdue else "action_when.open", due=due)
    status = result.status.value
    if result.action.closed is None:
        return message(fmt.locale, f"action_when.{status}_undated")
    return message(fmt.locale, f"action_when.{status}", month=fmt.month(Month.of(result.action.closed)))


def _effect(result: ActionResult, target: str, fmt: Formatter) -> str:
    before, after, unit = result.baseline, result.latest, result.gauge.unit
    if before is None or after is None or (before.actual is None and after.actual is None):
        return ""
    fields = {"target": target, "before": fmt.value(before.actual, unit), "after": fmt.value(after.actual, unit)}
    if before.attainment is None and after.attainment is None:
        return message(fmt.locale, "action_effect_plain", **fields)
    return message(
        fmt.locale,
        "action_effect",
        **fields,
        attainment_before=fmt.percent(before.attainment),
        attainment_after=fmt.percent(after.attainment),
    )


def _expected(result: ActionResult, fmt: Formatter) -> str:
    expected, due = result.action.expected, result.action.due
    if expected is None:
        return ""
    shown = fmt.value(expected, result.gauge.unit)
    if result.reached is True:
        return message(fmt.locale, "action_reached", expected=shown)
    if result.reached is False:
        return message(fmt.locale, "action_not_reached", expected=shown)
    return message(fmt.locale, "action_expected", expected=shown, due=fmt.date(due) if due else DASH)


def _group(result: ActionResult, report: Report) -> Group | None:
    if result.overdue:
        return "overdue"
    if result.is_open:
        return "open"
    return "ended" if ended_this_quarter(result, report.workbook.settings, report.month) else None


def _decimals(result: ActionResult, report: Report) -> int:
    """The decimals of what the action is judged by: its KPI's figures, else its goal's target."""
    gauge = result.gauge
    measured = next((r for r in report.kpis if gauge.kpi is not None and r.kpi.id == gauge.kpi.id), None)
    if measured is not None:
        return figure_decimals(measured)
    target = gauge.kgi.target if gauge.kgi is not None else None
    return carried_decimals((target,), scale=100 if gauge.unit == "percent" else 1)


def _view(result: ActionResult, report: Report, names: Mapping[str, str], fmt: Formatter,
          text: Mapping[str, str]) -> ActionView:  # fmt: skip
    action = result.action
    target = names.get(action.target, action.target)
    # The effect names what was measured: the KGI's measuring KPI, where the target is a KGI.
    measured = names.get(result.kpi, target) if result.kpi else target
    when = _when(result, fmt)
    effect = _effect(result, measured, fmt)
    expected = _expected(result, fmt)
    opened = fmt.month(action.opened) if action.opened else ""
    fields = {"action": action.action, "owner": action.owner or DASH, "opened": opened, "when": when}
    line = message(fmt.locale, "action_line" if opened else "action_line_unopened", **fields)
    if effect:
        line = message(fmt.locale, "action_line_effect", line=line, effect=effect)
    if expected:
        line = message(fmt.locale, "action_line_expected", line=line, expected=expected)
    moved = text[f"moved.{result.moved}"] if result.moved else ""
    before, after = result.baseline, result.latest
    return ActionView(
        id=action.id,
        group=_group(result, report),
        target_id=action.target,
        target=target,
        kpi=result.kpi or "",
        action=action.action,
        owner=action.owner,
        opened=opened,
        due=fmt.date(action.due) if action.due else DASH,
        closed=fmt.date(action.closed) if action.closed and not result.is_open else "",
        chip=_chip(result, text),
        when=when,
        effect=effect,
        effect_css={"improved": "fav", "worsened": "unfav"}.get(result.moved or "", ""),
        moved=moved,
        effect_moved=message(fmt.locale, "action_moved", effect=effect, moved=moved) if effect and moved else effect,
        expected=expected,
        line=line,
        who=message(fmt.locale, "action_who", owner=action.owner or DASH, when=when),
        overdue=result.overdue,
        due_soon=result.due_soon,
        reached={True: text["yes"], False: text["no"], None: ""}[result.reached],
        figures=ActionFigures(
            opened=action.opened.first_day if action.opened else None,
            due=action.due,
            closed=action.closed if not result.is_open else None,
            baseline_month=str(before.month) if before else "",
            baseline_actual=before.actual if before else None,
            baseline_attainment=before.attainment if before else None,
            latest_actual=after.actual if after else None,
            latest_attainment=after.attainment if after else None,
            expected=action.expected,
            value_format=fmt.excel_format(result.gauge.unit, decimals=_decimals(result, report)),
        ),
        due_key=sort_key(action.due.toordinal()) if action.due else "",
        opened_key=sort_key(action.opened.year * 12 + action.opened.month) if action.opened else "",
    )


def _order(rows: Sequence[ActionView], group: Group) -> tuple[ActionView, ...]:
    """Overdue and open by due date (the most overdue first); ended, the latest first."""
    if group == "ended":
        return tuple(sorted(rows, key=lambda r: r.figures.closed or r.figures.due or dt.date.min, reverse=True))
    return tuple(sorted(rows, key=lambda r: r.figures.due or dt.date.max))


def actions_view(report: Report, fmt: Formatter, text: Mapping[str, str]) -> ActionsView:
    """From a report whose text is clipped for display."""
    names = {**{k.kgi.id: k.kgi.name for k in report.kgis}, **{r.kpi.id: r.kpi.name for r in report.kpis}}
    every = tuple(_view(result, report, names, fmt, text) for result in report.actions)
    groups = tuple(
        ActionGroup(
            key,
            label := text[f"actions_group.{key}"],
            _order(rows, key),
            message(fmt.locale, "action_group_heading", label=label, count=fmt.number(len(rows))),
        )
        for key in GROUPS
        if (rows := [row for row in every if row.group == key])
    )
    return ActionsView(report.workbook.actions is not None, groups, every)


def improved_share(report: Report, fmt: Formatter) -> str:
    """The quarterly review's line: the share of the quarter's done actions whose KPI improved."""
    if report.workbook.actions is None:
        return ""
    effect = quarter_effect(report.actions, report.workbook.settings, report.month)
    if not effect.done:
        return ""
    lines = []
    if effect.judged:
        lines.append(
            message(
                fmt.locale,
                "actions_improved",
                improved=fmt.number(effect.improved),
                judged=fmt.number(effect.judged),
                share=fmt.percent(effect.share),
            )
        )
    if effect.done > effect.judged:
        lines.append(message(fmt.locale, "actions_unjudged", count=fmt.number(effect.done - effect.judged)))
    return " ".join(lines)


def short_line(row: ActionView) -> str:
    """An open action beside its KPI: what, who, and when it is due."""
    return f"{row.action} — {row.who}"


def with_open_actions(departments: Sequence[Department], view: ActionsView) -> tuple[Department, ...]:
    """Each KPI's row with its open actions (its table row, its slide)."""
    return tuple(
        dataclasses.replace(
            department,
            rows=tuple(
                dataclasses.replace(row, open_actions=tuple(short_line(a) for a in view.open_on(row.id)))
                for row in department.rows
            ),
        )
        for department in departments
    )
