"""Terminal presentation of findings (Rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

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
