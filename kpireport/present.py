"""Terminal presentation of findings (Rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from kpireport.batch import Outcome
from kpireport.report import Report

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_findings(report: Report, console: Console | None = None) -> None:
    console = console or Console(soft_wrap=False)
    settings = report.workbook.settings
    if not report.findings:
        console.print(f"{settings.company} {report.month}: no findings — the KPI set passes every check.")
        return
    table = Table(title=f"{settings.company} — {report.month}: {len(report.findings)} finding(s)", show_lines=False)
    for column in ("code", "severity", "KPI/KGI", "where", "message", "suggestion"):
        table.add_column(column, overflow="fold")
    for f in report.findings:
        table.add_row(
            f.code,
            f"[{SEVERITY_STYLE[f.severity]}]{f.severity}[/]",
            f.kpi or f.kgi or "",
            str(f.where or ""),
            f.message,
            f.suggestion,
        )
    console.print(table)


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


def print_summary(outcomes: Sequence[Outcome], console: Console | None = None) -> None:
    console = console or Console(soft_wrap=False)
    table = Table(title=f"{sum(o.ok for o in outcomes)} of {len(outcomes)} packs built")
    for column in ("workbook", "month", "green", "amber", "red", "no data", "outputs / error"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        counts = dict(o.counts)
        detail = ", ".join(p.name for p in o.outputs) if o.ok else f"[red]{escape(o.error)}[/]"
        table.add_row(
            escape(o.workbook.name),
            o.month,
            *(str(counts.get(s, "")) for s in ("green", "amber", "red", "no_data")),
            detail,
        )
    console.print(table)
