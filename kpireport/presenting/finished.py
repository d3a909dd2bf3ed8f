"""A report finished for every format: the pack's one formatter made once, its findings
worded once, its JSON data and its view model. Each format's renderer (the registry in
:mod:`kpireport.presenting.formats`) reads this object and nothing else."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kpireport.computing.commentary import draft_commentary
from kpireport.computing.language import translated
from kpireport.computing.report import Report
from kpireport.computing.scope import scope_departments
from kpireport.i18n import labels
from kpireport.presenting.clipping import displayed
from kpireport.presenting.pack_json import PackSource, pack_json
from kpireport.presenting.scripts import pack_languages
from kpireport.presenting.summary import Summary, summarise
from kpireport.presenting.theme import DEFAULT_THEME, Theme
from kpireport.presenting.wording import WordedCommentary, WordedFinding, join_list, word_all, word_commentary

if TYPE_CHECKING:
    from kpireport.presenting.view import AuditView, PackView


class PdfJob(Protocol):
    """A PDF being rendered elsewhere (a process of its own, a pool's worker)."""

    def result(self) -> bytes: ...


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
    pdf_job: PdfJob | None = None
    """The process rendering the PDF, when the build started one."""
    languages: tuple[str, ...] = ("en",)
    """The languages whose fonts its text needs: its own, and Japanese wherever its text has
    Japanese (an English pack naming a Japanese owner)."""

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
    scope = scope_label(shown)
    if scope:
        bracketed = f"（{scope}）" if fmt.locale == "ja" else f" ({scope})"
        summary = dataclasses.replace(summary, subject=summary.subject + bracketed)
    data = {
        **pack_json(report, findings, company=summary.company, source=source, commentary=commentary),
        "summary": summary.as_json(),
        **({"scope": _scope_json(report, scope)} if report.scope is not None else {}),
    }
    languages = pack_languages(fmt.locale, data, theme.footer)
    view = None
    if with_view:
        from kpireport.presenting.view import build_view

        view = build_view(
            shown, fmt, findings, summary, commentary, theme=theme, company=summary.company, today=today, audit=audit
        )
        view = dataclasses.replace(
            view,
            scope=scope,
            title=f"{view.title} — {scope}" if scope else view.title,
            east_asian="ja" in languages,
        )
    unsigned = tuple(drafted.unsigned())
    return FinishedPack(shown, data, summary, findings, commentary, unsigned, view, templates, languages=languages)


def scope_label(report: Report) -> str:
    """What a pack per audience holds, in its language ("Sales and HR"); empty for the whole
    company's pack."""
    scope = report.scope
    if scope is None or scope.everything:
        return ""
    workbook = report.workbook
    lang = workbook.settings.locale
    goals = {k.kgi.id: k.kgi.name for k in report.kgis}
    names = [goals.get(name) or translated(workbook.translations, name, lang) for name in scope.names]
    return join_list(names, lang)


def _scope_json(report: Report, label: str) -> dict[str, Any]:
    """The JSON's ``scope`` (v1.2, added): which audience's pack it is."""
    scope = report.scope
    assert scope is not None
    return {
        "label": label or labels(report.workbook.settings.locale)["scope_all"],
        "slug": scope.slug,
        "all": scope.everything,
        "departments": sorted(scope_departments(scope, report.workbook)),
        "kgis": sorted(scope.kgis),
    }
