"""Terminal presentation (Rich): findings, the batch summary, the doctor's checks. Text that
came from a workbook, a theme or a pack is shown with its control characters escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from kpireport.batch import Outcome
from kpireport.computing.drivers import shortfall
from kpireport.computing.report import Report
from kpireport.doctor import Check
from kpireport.formatting import Formatter, month_name
from kpireport.i18n import labels
from kpireport.model import STATUSES, Workbook
from kpireport.planning import Plan
from kpireport.presenting.wording import WordedCommentary, WordedFinding

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATE_STYLE = {"ok": "green", "missing": "bold red", "optional": "yellow", "info": "cyan"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe_text(text: str) -> str:
    """Text from a workbook, a theme or a pack as it may go to a terminal: every control
    character (ESC sequences that retitle or clear the screen, bidi overrides) shown escaped."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def print_findings(report: Report, findings: Sequence[WordedFinding], console: Console | None = None) -> None:
    """``report``'s findings, as worded for it, in a table."""
    console = console or Console(soft_wrap=False)
    settings = report.workbook.settings
    if not findings:
        console.print(
            f"{safe_text(settings.company)} {report.month}: no findings — the KPI set passes every check.",
            markup=False,
            highlight=False,
        )
        return
    company = escape(safe_text(settings.company))
    table = Table(title=f"{company} — {report.month}: {len(findings)} finding(s)", show_lines=False)
    for column in ("code", "severity", "KPI/KGI", "where", "message", "suggestion"):
        table.add_column(column, overflow="fold")
    for f in findings:
        table.add_row(
            f.code,
            f"[{SEVERITY_STYLE[f.severity]}]{f.severity}[/]",
            *(escape(safe_text(text)) for text in (f.kpi or f.kgi or "", f.where or "", f.message, f.suggestion)),
        )
    console.print(table)


def print_commentary(commentary: WordedCommentary, report: Report, console: Console | None = None) -> None:
    """``kpireport draft``: the key messages, then each subject's comment, each marked as the
    controller's or drafted."""
    console = console or Console(soft_wrap=True)
    names = {r.kpi.id: r.kpi.name for r in report.kpis} | {k.kgi.id: k.kgi.name for k in report.kgis}
    settings = report.workbook.settings
    t = labels(settings.locale)
    source = {"drafted": t["drafted"], "controller": t["controller"]}

    def show(text: str, style: str = "") -> None:
        console.print(safe_text(text), markup=False, highlight=False, style=style)

    show(f"{settings.company} — {month_name(settings.locale, report.month)}: {t['key_messages']}", "bold")
    for number, message in enumerate(commentary.key_messages, start=1):
        show(f"{number}. [{source[message.source]}] {message.text}")
    for subject in commentary.subjects:
        show("")
        show(f"{subject.subject} {names.get(subject.subject, '')} [{source[subject.worded.source]}]", "bold")
        show(subject.worded.text)


def print_plan(plan: Plan, workbook: Workbook, console: Console | None = None) -> None:
    """The back-cast of ``kpireport plan``: the factor, and the month-by-month targets before
    and after it with the other drivers' targets, which stay as they are."""
    console = console or Console(soft_wrap=False)
    settings = workbook.settings
    formatter = Formatter.for_settings(settings)
    solution, kgi = plan.solution, plan.kgi
    units = {k.id: k.unit for k in workbook.kpis}

    def show(text: str) -> None:
        console.print(safe_text(text), markup=False, highlight=False, soft_wrap=True)

    show(f"{kgi.id} {kgi.name}: target {formatter.value(solution.goal, kgi.unit)}, formula {plan.formula.text}")
    gap = shortfall(solution.before, solution.goal)
    side = "short" if gap is not None and gap < 0 else "over"
    show(
        f"The KPI targets imply {formatter.value(solution.before, kgi.unit)}"
        + (f" ({formatter.percent(abs(gap))} {side})." if gap else ".")
    )
    if solution.factor is None:
        return
    how = (
        f"exact: the formula is linear in {plan.kpi.id}"
        if solution.method == "exact"
        else "found numerically: the formula is not linear in it"
    )
    show(f"Scale the monthly targets of {plan.kpi.id} {plan.kpi.name} by ×{solution.factor:.6g} ({how}).")
    table = Table(title=f"Monthly targets, {plan.months[0]} to {plan.months[-1]}")
    table.add_column("month")
    table.add_column(f"{escape(safe_text(plan.kpi.id))} now", justify="right")
    table.add_column(f"{escape(safe_text(plan.kpi.id))} solved", justify="right", style="bold")
    others = [k for k in plan.formula.kpis if k != plan.kpi.id]
    for other in others:
        table.add_column(f"{escape(safe_text(other))} (kept)", justify="right")
    own = workbook.target_series(plan.kpi.id)
    for month in plan.months:
        table.add_row(
            str(month),
            formatter.value(own.get(month), plan.kpi.unit),
            formatter.value(solution.targets.get(month), plan.kpi.unit),
            *(formatter.value(workbook.target_series(o).get(month), units.get(o, "number")) for o in others),
        )
    console.print(table)
    show(f"With them the KPI targets imply {formatter.value(plan.implied_after, kgi.unit)}.")


class BatchProgress:
    """A Rich progress bar on a terminal; one plain line per workbook otherwise (CI, logs)."""

    def __init__(self, total: int, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True, soft_wrap=True)
        self.total = total
        self.done = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> BatchProgress:
        if self.console.is_terminal:
            self._progress = Progress(console=self.console, transient=True)
            self._progress.start()
            self._task = self._progress.add_task("Building packs", total=self.total)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, outcome: Outcome) -> None:
        self.done += 1
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
        else:
            state = "ok" if outcome.ok else f"FAILED: {outcome.error.splitlines()[0]}"
            self.console.print(
                f"[{self.done}/{self.total}] {outcome.workbook.name}: {state}", markup=False, highlight=False
            )


def print_summary(outcomes: Sequence[Outcome], out_dir: Path, console: Console | None = None) -> None:
    """One line per workbook that fits an 80-column terminal: the folder is named once, the
    status counts share one column, and each pack is listed by the formats written (the file
    names are the workbook's name and the month)."""
    console = console or Console(soft_wrap=False)
    table = Table(
        title=f"{sum(o.ok for o in outcomes)} of {len(outcomes)} packs built",
        caption=f"status: green/amber/red/no data; written to {escape(safe_text(str(out_dir)))}",
    )
    table.add_column("workbook", no_wrap=True, overflow="ellipsis")
    table.add_column("month", no_wrap=True)
    table.add_column("status", no_wrap=True, justify="center")
    table.add_column("written / error", overflow="fold", min_width=14)
    for o in outcomes:
        counts = dict(o.counts)
        status = "/".join(str(counts.get(s, "–")) for s in STATUSES) if o.ok else ""
        detail = " ".join(p.suffix[1:] for p in o.outputs) if o.ok else f"[red]{escape(safe_text(o.error))}[/]"
        table.add_row(escape(safe_text(o.workbook.name)), o.month, status, detail)
    console.print(table)


def print_checks(checks: Sequence[Check], console: Console | None = None) -> None:
    console = console or Console(soft_wrap=False)
    table = Table(title="What this machine can do")
    for column in ("check", "state", "found", "to fix"):
        table.add_column(column, overflow="fold")
    for check in checks:
        table.add_row(
            check.name,
            f"[{STATE_STYLE[check.state]}]{check.state}[/]",
            escape(safe_text(check.found)),
            escape(safe_text(check.fix)),
        )
    console.print(table)
