"""SPEC §3b commentary, drafted from the figures alone and held as data: which subjects are
material, what each comment states (what happened, why, what comes next) and the key messages
that open the pack. Each statement is a sentence key with its facts; every figure carries the
JSON pointer of the field it shows. Presenting writes the words, in the pack's language.

The controller's words win: a Commentary row for a subject and the report month replaces the
drafted text, and ``*`` rows replace the drafted key messages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kpireport.computing.drivers import DriverAnalysis
from kpireport.computing.facts import (
    Change,
    Count,
    Fact,
    Facts,
    Gap,
    Large,
    Listing,
    MonthName,
    Phrase,
    Share,
    Text,
    Word,
)
from kpireport.computing.goals import KgiResult
from kpireport.computing.metrics import KpiResult, Period
from kpireport.computing.report import Report
from kpireport.model import KEY_MESSAGES, Direction, Kpi

MAX_KEY_MESSAGES = 5
GOALS_IN_KEY_MESSAGES = 2
DECISION_CODES = ("REVIEW", "DISCONNECT", "DRIVER", "ALIGN", "OVERDUE", "NO-ACTION")
STATE_RANK = {"off_track": 0, "at_risk": 1, "on_track": 2}


@dataclass(frozen=True)
class Statement:
    """One sentence: its key in the i18n sentences and the facts written into it."""

    key: str
    facts: Facts


@dataclass(frozen=True)
class OwnerNote:
    """The owner's own comment for the month (Comments sheet), quoted and attributed."""

    text: str
    owner: str


@dataclass(frozen=True)
class SubjectCommentary:
    subject: str
    kind: Literal["kpi", "kgi"]
    drafted: tuple[Statement, ...]
    note: OwnerNote | None
    controller: str | None
    """The controller's text for the report month, when the Commentary sheet has it."""
    material: bool

    @property
    def source(self) -> Literal["controller", "drafted"]:
        return "controller" if self.controller is not None else "drafted"


@dataclass(frozen=True)
class Commentary:
    key_messages: tuple[tuple[Statement, ...], ...]
    """The drafted key messages, each one or two sentences."""
    controller_messages: tuple[str, ...]
    """The Commentary sheet's ``*`` rows for the month: they replace the drafted messages."""
    subjects: tuple[SubjectCommentary, ...]

    def unsigned(self) -> list[str]:
        """The material subjects (and ``*``) whose only text is drafted: ``build --final``
        refuses while there are any."""
        found = [s.subject for s in self.subjects if s.material and s.controller is None]
        if self.key_messages and not self.controller_messages:
            found.insert(0, KEY_MESSAGES)
        return found


# -- materiality ------------------------------------------------------------------------------


def _share(p: Period) -> float | None:
    """|variance| ÷ |target| of a period; infinite for an unfavourable variance on a target
    of 0 (it ranks first); None where there is no variance."""
    if p.variance is None or p.target is None or p.variance == 0:
        return None
    if p.target == 0:
        return math.inf if p.favorable is False else None
    return abs(p.variance) / abs(p.target)


def material_share(result: KpiResult, materiality: float) -> tuple[float, Period, str] | None:
    """The largest material variance of the month and the year to date, with its period and
    its name in the JSON (``month`` or ``ytd``); None when neither is material."""
    found = [
        (share, period, name)
        for period, name in ((result.month, "month"), (result.ytd, "ytd"))
        if (share := _share(period)) is not None and share >= materiality
    ]
    return max(found, key=lambda item: item[0], default=None)


def is_material(result: KpiResult, materiality: float) -> bool:
    """Red this month, or a variance of at least ``materiality`` of target (SPEC §3b)."""
    return result.month.status == "red" or material_share(result, materiality) is not None


# -- what, why, next ---------------------------------------------------------------------------


class _Drafter:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.kpi_index = {r.kpi.id: i for i, r in enumerate(report.kpis)}
        self.kgi_index = {k.kgi.id: i for i, k in enumerate(report.kgis)}
        self.kpis = {r.kpi.id: r.kpi for r in report.kpis}
        self.counting = {r.kpi.id for r in report.kpis if r.counts}

    def figure(self, value: float, unit: str, ref: str, *, whole: bool = False, pace: Direction | None = None) -> Large:
        return Large(value, unit, ref, whole=whole, pace=pace)

    def goal_counts(self, k: KgiResult) -> bool:
        """Whether a goal counts whole things: its measuring KPI does."""
        return k.kgi.measured_by in self.counting

    def name(self, kpi_id: str) -> Text:
        kpi = self.kpis.get(kpi_id)
        return Text(kpi.name if kpi else kpi_id)

    def what(self, r: KpiResult, period_name: str = "month") -> Statement | None:
        period = r.month if period_name == "month" else r.ytd
        if period.actual is None or period.target is None or period.variance is None:
            return None
        base = f"/kpis/{self.kpi_index[r.kpi.id]}/{period_name}"
        unit = r.kpi.unit
        when: Fact = (
            Phrase("period.month", (("month", MonthName(self.report.month)),))
            if period_name == "month"
            else Word("period.ytd")
        )
        # The side is said as good or bad, not only up or down: a cost under target is better.
        judged = "better" if period.favorable else "worse"
        facts: list[tuple[str, Fact]] = [
            ("name", Text(r.kpi.name)),
            ("period", when),
            ("actual", self.figure(period.actual, unit, f"{base}/actual")),
            ("target", self.figure(period.target, unit, f"{base}/target")),
            ("gap", Gap(period.variance, unit, f"{base}/variance")),
            ("side", Word(f"side.{r.kpi.direction.value}.{judged}")),
        ]
        key = "c_what"
        if period.attainment is not None:
            facts.append(("attainment", Share(period.attainment, f"{base}/attainment")))
        else:
            key += "_bare"
        if period.prior is not None:
            facts.append(("prior", self.figure(period.prior, unit, f"{base}/prior")))
            facts.append(("a_year_earlier", Word(f"prior.{period_name}")))
            key += "_prior"
        return Statement(key, tuple(facts))

    def driver_effect(self, r: KpiResult) -> Statement | None:
        """Its effect in a driver bridge of a goal, this month and to date."""
        for k in self.report.kgis:
            analysis = self.report.drivers.get(k.kgi.id)
            if analysis is None or analysis.bridge.variance is None:
                continue
            for index, effect in enumerate(analysis.bridge.effects):
                if effect.kpi != r.kpi.id or effect.effect == 0:
                    continue
                base = f"/kgis/{self.kgi_index[k.kgi.id]}/drivers/bridge/{index}"
                unit = self._goal_unit(k)
                facts: Facts = (
                    ("goal", Text(k.kgi.name)),
                    ("total", Change(effect.effect, unit, f"{base}/effect")),
                )
                if effect.month_effect is not None and effect.month_effect != 0:
                    facts = (*facts, ("month", Change(effect.month_effect, unit, f"{base}/month_effect")))
                    return Statement("c_why_driver_month", facts)
                return Statement("c_why_driver", facts)
        return None

    def _goal_unit(self, k: KgiResult) -> str:
        """The goal's own unit (a free label such as customers included), else its KPI's."""
        measured = self.kpis.get(k.kgi.measured_by or "")
        if k.kgi.unit and k.kgi.unit != "number":
            return k.kgi.unit
        return measured.unit if measured else "number"

    def largest_drag(self, k: KgiResult, *, this_month: bool = False) -> tuple[Statement, str] | None:
        """The driver with the largest unfavourable effect on a goal (to date, or in the report
        month alone), and its KPI id."""
        analysis: DriverAnalysis | None = self.report.drivers.get(k.kgi.id)
        if analysis is None:
            return None
        effects = list(enumerate(analysis.bridge.effects))
        if this_month:
            bad = [
                (i, e)
                for i, e in effects
                if e.month_effect is not None and not analysis.direction.favours(e.month_effect)
            ]
            if not bad:
                return None
            index, main = max(bad, key=lambda item: abs(item[1].month_effect or 0.0))
            field, value, key = "month_effect", main.month_effect or 0.0, "c_why_drag_month"
        else:
            if analysis.main_driver is None:
                return None
            index, main = next((i, e) for i, e in effects if e.kpi == analysis.main_driver.kpi)
            field, value, key = "effect", main.effect, "c_why_drag"
        if main.kpi not in self.kpis:
            # A pack per audience names no KPI it does not hold (SPEC §4b): the drag is the
            # goal's bridge's to show, not this pack's words to name.
            return None
        ref = f"/kgis/{self.kgi_index[k.kgi.id]}/drivers/bridge/{index}/{field}"
        facts: Facts = (
            ("goal", Text(k.kgi.name)),
            ("driver", self.name(main.kpi)),
            ("effect", Change(value, self._goal_unit(k), ref)),
        )
        return Statement(key, facts), main.kpi

    def restated(self, r: KpiResult) -> Statement | None:
        changes = self.report.changes
        if changes is None:
            return None
        for index, change in enumerate(changes.values):
            if change.kpi == r.kpi.id and change.before is not None and change.after is not None:
                unit = r.kpi.unit
                facts: Facts = (
                    ("month", MonthName(change.month)),
                    ("field", Word(f"field.{change.field}")),
                    ("before", self.figure(change.before, unit, f"/changes/{index}/before")),
                    ("after", self.figure(change.after, unit, f"/changes/{index}/after")),
                )
                return Statement("c_why_restated", facts)
        return None

    def why(self, r: KpiResult, period_name: str = "month") -> Statement | None:
        """The strongest reason the pack knows, in SPEC §3b's order; for a goal's measuring
        KPI, the driver that dragged the period its comment is about."""
        found = self.driver_effect(r)
        if found is None:
            measured = [k for k in self.report.kgis if k.kgi.measured_by == r.kpi.id]
            month = period_name == "month"
            drags = [d for k in measured if (d := self.largest_drag(k, this_month=month)) is not None]
            found = drags[0][0] if drags else None
        if found is None:
            found = self.restated(r)
        if found is None and r.red_streak >= 2:
            index = self.kpi_index[r.kpi.id]
            found = Statement("c_why_streak", (("months", Count(r.red_streak, f"/kpis/{index}/red_streak")),))
        return found

    def next(self, r: KpiResult) -> Statement | None:
        index = self.kpi_index[r.kpi.id]
        forecast = r.forecast
        unit = r.kpi.unit
        if forecast is not None and forecast.outlook is not None and forecast.outlook_attainment is not None:
            base = f"/kpis/{index}/forecast"
            return Statement(
                "c_next_outlook",
                (
                    ("outlook", self.figure(forecast.outlook, unit, f"{base}/outlook", whole=r.counts)),
                    ("full_year", self.figure(forecast.full_year_target, unit, f"{base}/full_year_target")),
                    ("attainment", Share(forecast.outlook_attainment, f"{base}/outlook_attainment")),
                ),
            )
        pace = self.report.kpi_paces.get(r.kpi.id)
        if pace is not None and pace.per_month is not None and pace.months_remaining > 0:
            ref = f"/kpis/{index}/required_pace/per_month"
            per_month = self.figure(pace.per_month, unit, ref, whole=r.counts, pace=r.kpi.direction)
            return Statement("c_next_pace", (("per_month", per_month),))
        return None

    def kpi_statements(self, r: KpiResult, period_name: str = "month") -> tuple[Statement, ...]:
        found = (self.what(r, period_name), self.why(r, period_name), self.next(r))
        return tuple(s for s in found if s is not None)

    # -- goals ------------------------------------------------------------------------------

    def goal_what(self, k: KgiResult) -> Statement | None:
        if k.state is None or k.progress is None:
            return None
        base = f"/kgis/{self.kgi_index[k.kgi.id]}"
        facts: Facts = (
            ("goal", Text(k.kgi.name)),
            ("state", Word(f"state.{k.state}")),
            ("progress", Share(k.progress, f"{base}/progress")),
        )
        if k.expected_progress is None:
            return Statement("c_goal_level", facts)
        return Statement("c_goal", (*facts, ("expected", Share(k.expected_progress, f"{base}/expected_progress"))))

    def goal_landing(self, k: KgiResult, previous: float | None = None) -> Statement | None:
        if k.outlook is None or k.kgi.target is None:
            return None
        base = f"/kgis/{self.kgi_index[k.kgi.id]}"
        unit, whole = self._goal_unit(k), self.goal_counts(k)
        facts: Facts = (
            ("goal", Text(k.kgi.name)),
            ("state", Word(f"state.{k.state}")),
            ("outlook", self.figure(k.outlook, unit, f"{base}/outlook", whole=whole)),
            ("target", self.figure(k.kgi.target, unit, f"{base}/target", whole=whole)),
        )
        if previous is not None and previous != k.outlook:
            # From the previous pack's JSON: named, not a field of this pack's.
            return Statement("c_goal_landing_moved", (*facts, ("previous", Large(previous, unit, whole=whole))))
        return Statement("c_goal_landing", facts)

    def goal_statements(self, k: KgiResult) -> tuple[Statement, ...]:
        drag = self.largest_drag(k)
        pace = self.report.kgi_paces.get(k.kgi.id)
        next_: Statement | None = self.goal_landing(k)
        if pace is not None and pace.per_month:
            ref = f"/kgis/{self.kgi_index[k.kgi.id]}/required_pace/per_month"
            whole = self.goal_counts(k)
            per_month = self.figure(pace.per_month, self._goal_unit(k), ref, whole=whole, pace=k.direction)
            pace_statement = Statement("c_goal_pace", (("per_month", per_month),))
            next_ = pace_statement if next_ is None else next_
        found = (self.goal_what(k), drag[0] if drag else None, next_)
        return tuple(s for s in found if s is not None)


# -- key messages -------------------------------------------------------------------------------


def _attention(k: KgiResult) -> tuple[int, float]:
    """Goals needing attention first: off track, at risk, then the smallest margin over plan."""
    assert k.state is not None and k.progress is not None
    margin = k.progress - (k.expected_progress if k.expected_progress is not None else 1.0)
    return STATE_RANK[k.state], margin


def _decisions(report: Report, drafter: _Drafter) -> Statement | None:
    """One message naming everything that needs a decision."""
    items: list[Phrase] = []
    overdue = 0
    idle: list[Text] = []
    for index, f in enumerate(report.findings):
        ref = f"/findings/{index}"
        subject = drafter.name(f.kpi) if f.kpi else Text(_kgi_name(report, f.kgi))
        if f.code == "REVIEW":
            streak = f.fact("months")
            months = (
                Count(streak, f"/kpis/{drafter.kpi_index[f.kpi]}/red_streak")
                if isinstance(streak, int) and f.kpi in drafter.kpi_index
                else streak
            )
            items.append(Phrase("c_decide_review", (("name", subject), ("months", months or 0)), ref))
        elif f.code == "DISCONNECT":
            items.append(Phrase("c_decide_disconnect", (("goal", subject),), ref))
        elif f.code in {"DRIVER", "ALIGN"} and f.severity == "warning":
            gap, side = f.fact("gap"), f.fact("side")
            if isinstance(gap, Share) and isinstance(side, Word):
                key = "c_decide_driver" if f.code == "DRIVER" else "c_decide_align"
                items.append(Phrase(key, (("goal", subject), ("gap", gap), ("side", side)), ref))
        elif f.code == "OVERDUE":
            overdue += 1
        elif f.code == "NO-ACTION":
            idle.append(subject)
    if overdue:
        items.append(Phrase("c_decide_overdue", (("count", overdue),)))
    if idle:
        items.append(Phrase("c_decide_no_action", (("names", Listing(tuple(idle))),)))
    if not items:
        return None
    return Statement("c_decisions", (("items", Listing(tuple(items))),))


def _kgi_name(report: Report, kgi_id: str | None) -> str:
    return next((k.kgi.name for k in report.kgis if k.kgi.id == kgi_id), kgi_id or "")


def key_messages(
    report: Report, previous_outlooks: dict[str, float] | None = None
) -> tuple[tuple[Statement, ...], ...]:
    """SPEC §3b's key messages, at most five, in its order."""
    drafter = _Drafter(report)
    materiality = report.workbook.settings.materiality
    messages: list[tuple[Statement, ...]] = []
    named: set[str] = set()
    goals = sorted((k for k in report.kgis if k.state is not None and k.progress is not None), key=_attention)
    for k in goals[:GOALS_IN_KEY_MESSAGES]:
        landing = drafter.goal_landing(k, (previous_outlooks or {}).get(k.kgi.id)) or drafter.goal_what(k)
        drag = drafter.largest_drag(k)
        if drag is not None:
            named.add(drag[1])
        message = tuple(s for s in (landing, drag[0] if drag else None) if s is not None)
        if message:
            messages.append(message)
    decisions = _decisions(report, drafter)
    if decisions is not None:
        messages.append((decisions,))
    ranked = [
        (found, r)
        for r in report.kpis
        if r.kpi.id not in named and (found := material_share(r, materiality)) is not None
    ]
    unfavourable = sorted((x for x in ranked if x[0][1].favorable is False), key=lambda x: -x[0][0])
    favourable = sorted((x for x in ranked if x[0][1].favorable), key=lambda x: -x[0][0])
    # Two goals and the decisions leave at least two places: the largest shortfalls fill them,
    # and the largest favourable variance takes one only when no shortfall is left to name.
    places = MAX_KEY_MESSAGES - len(messages)
    chosen = unfavourable[:places]
    if len(chosen) < places and favourable:
        chosen.append(favourable[0])
    for (_, _, period_name), r in chosen:
        what = drafter.what(r, period_name)
        if what is not None:
            messages.append((what,))
    return tuple(messages)


# -- the whole commentary ---------------------------------------------------------------------------


def _note(report: Report, kpi: Kpi) -> OwnerNote | None:
    notes = [c for c in report.comments_for(kpi.id) if c.comment]
    return OwnerNote(notes[0].comment, notes[0].owner) if notes else None


def draft_commentary(report: Report, previous_outlooks: dict[str, float] | None = None) -> Commentary:
    """Every material subject's comment (and any subject the controller wrote on), the key
    messages, and the controller's words for the report month in the pack's language."""
    settings = report.workbook.settings
    rows = [
        row
        for row in report.workbook.commentary
        if row.month == report.month and (row.lang is None or row.lang == settings.locale)
    ]
    controller: dict[str, str] = {}
    for row in rows:
        if row.subject != KEY_MESSAGES:
            controller[row.subject] = (
                f"{controller[row.subject]}\n{row.text}" if row.subject in controller else row.text
            )
    drafter = _Drafter(report)
    subjects: list[SubjectCommentary] = []
    for k in report.kgis:
        material = k.state is not None and k.state != "on_track"
        if material or k.kgi.id in controller:
            statements = drafter.goal_statements(k)
            subjects.append(SubjectCommentary(k.kgi.id, "kgi", statements, None, controller.get(k.kgi.id), material))
    for r in report.kpis:
        material = is_material(r, settings.materiality)
        if material or r.kpi.id in controller:
            found = material_share(r, settings.materiality)
            statements = drafter.kpi_statements(r, found[2] if found else "month")
            subjects.append(
                SubjectCommentary(r.kpi.id, "kpi", statements, _note(report, r.kpi), controller.get(r.kpi.id), material)
            )
    return Commentary(
        key_messages(report, previous_outlooks),
        tuple(row.text for row in rows if row.subject == KEY_MESSAGES),
        tuple(subjects),
    )


def commented(subjects: Sequence[SubjectCommentary], subject: str) -> SubjectCommentary | None:
    return next((s for s in subjects if s.subject == subject), None)
