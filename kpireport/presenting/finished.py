"""A report finished for every format: the pack's one formatter made once, its findings
worded once, its JSON data and its view model. Each format's renderer (the registry in
:mod:`kpireport.presenting.formats`) reads this object and nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpireport.computing.commentary import draft_commentary
from kpireport.computing.report import Report
from kpireport.presenting.clipping import displayed
from kpireport.presenting.pack_json import PackSource, pack_json
from kpireport.presenting.summary import Summary, summarise
from kpireport.presenting.theme import DEFAULT_THEME, Theme
from kpireport.presenting.wording import WordedCommentary, WordedFinding, word_all, word_commentary

if TYPE_CHECKING:
    from kpireport.presenting.pdf_process import PdfProcess
    from kpireport.presenting.view import AuditView, PackView


@dataclass(frozen=True)
class FinishedPack:
    report: Report
    """The report as the pack shows it: its workbook text clipped for display."""
    data: dict[str, Any]
    """The pack's JSON (SPEC §5) with its summary."""
    summary: Summary
    findings: tuple[WordedFinding, ...]
    """The report's findings in the pack's words."""
    commentary: WordedCommentary
    unsigned: tuple[str, ...]
    """The material subjects (``*`` for the key messages) with only drafted text."""
    view_model: PackView | None
    """None where no format needs one (a JSON-only build)."""
    templates: Path | None = None
    pdf_job: PdfProcess | None = None
    """The process rendering the PDF, when the build started one."""

    @property
    def view(self) -> PackView:
        assert self.view_model is not None, "finish(..., with_view=True) for a format drawn from the view"
        return self.view_model

    def interactive_view(self) -> PackView:
        """The view with each KPI's detail, for the interactive HTML."""
        from kpireport.presenting.view import with_explore

        return with_explore(self.view, self.report)

    def pdf(self) -> bytes:
        """The PDF: from the build's renderer process, else rendered here."""
        if self.pdf_job is not None:
            return self.pdf_job.result()
        from kpireport.presenting.pack_html import render_html, render_pdf

        return render_pdf(render_html(self.view, self.templates))


def finish(
    report: Report,
    *,
    theme: Theme = DEFAULT_THEME,
    with_view: bool = True,
    templates: Path | None = None,
    today: dt.date | None = None,
    audit: AuditView | None = None,
    source: PackSource | None = None,
) -> FinishedPack:
    """Everything the formats show of ``report``, decided once with the pack's one formatter."""
    settings = report.workbook.settings
    fmt = theme.formatter(settings)
    shown = displayed(report)
    findings = word_all(report.findings, fmt)
    previous = report.changes.outlooks if report.changes is not None else None
    drafted = draft_commentary(report, dict(previous or {}))
    commentary = word_commentary(drafted, fmt)
    # The company as the pack shows it (clipped), in the JSON and the e-mail too.
    company = theme.displayed_company(shown.workbook.settings)
    summary = summarise(shown, fmt, company, tuple(m.text for m in commentary.key_messages))
    data = {
        **pack_json(report, findings, company=summary.company, source=source, commentary=commentary),
        "summary": summary.as_json(),
    }
    view = None
    if with_view:
        from kpireport.presenting.view import build_view

        view = build_view(
            shown, fmt, findings, summary, commentary, theme=theme, company=summary.company, today=today, audit=audit
        )
    return FinishedPack(shown, data, summary, findings, commentary, tuple(drafted.unsigned()), view, templates)
