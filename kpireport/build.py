"""``kpireport build`` for one workbook: read, compute, render, write each output whole."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import glob
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kpireport.computing.report import Report, build_report, to_json
from kpireport.delivering.output import write_set
from kpireport.errors import KpiReportError, WorkbookError, WorkbookErrors
from kpireport.model import Locale, Month, Workbook
from kpireport.presenting.summary import pack_summary
from kpireport.presenting.theme import DEFAULT_THEME, Theme
from kpireport.reading.inputs import read_bounded
from kpireport.reading.workbook import not_a_number_errors, read_workbook
from kpireport.reading.xlsx import MAX_FILE_BYTES

if TYPE_CHECKING:
    from kpireport.presenting.pdf_process import PdfProcess

FORMATS = ("pdf", "html", "json", "pptx", "xlsx")
DEFAULT_FORMATS = ("pdf", "html", "json")


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path = Path()
    month: Month | None = None
    formats: Sequence[str] = DEFAULT_FORMATS
    templates: Path | None = None
    lang: Locale | None = None
    today: dt.date | None = None
    quarterly: bool = False
    theme: Theme = DEFAULT_THEME
    audit: bool = False
    """Attach the workbook to the PDF (PDF/A-3b) and print its SHA-256 on the last page."""
    since: Path | None = None
    """The previous pack's JSON to compare with (SPEC §7); else the latest earlier one in out_dir."""


@dataclass(frozen=True)
class BuildResult:
    workbook: Path
    report: Report
    outputs: list[Path] = field(default_factory=list)


def load_report(path: Path, month: Month | None = None) -> Report:
    """The report ``check`` reviews: every cell problem stays a finding, none stops it, and a
    workbook with targets but no actual yet is reviewed as a design (SPEC §4)."""
    return build_report(read_workbook(path), month, design_review=True)


def _in_language(workbook: Workbook, lang: Locale | None) -> Workbook:
    """The workbook with --lang overriding Settings' locale."""
    if lang is None:
        return workbook
    return dataclasses.replace(workbook, settings=dataclasses.replace(workbook.settings, locale=lang))


def output_path(workbook: Path, report: Report, out_dir: Path, fmt: str) -> Path:
    return out_dir / f"{workbook.stem}-{report.month}.{fmt}"


_PACK_JSON = re.compile(r"^(?P<stem>.+)-(?P<month>\d{4}-\d{2})\.json$")


def previous_pack(path: Path, month: Month, options: BuildOptions) -> Path | None:
    """``--since``, else the pack JSON of the same workbook stem for the latest month before
    ``month`` in the output folder (SPEC §7)."""
    if options.since is not None:
        return options.since
    earlier: list[tuple[Month, Path]] = []
    try:
        candidates = list(options.out_dir.glob(f"{glob.escape(path.stem)}-*.json"))
    except OSError:
        return None
    for candidate in candidates:
        match = _PACK_JSON.match(candidate.name)
        if match is None or match.group("stem") != path.stem:
            continue
        try:
            found = Month.parse(match.group("month"))
        except ValueError:
            continue
        if found < month:
            earlier.append((found, candidate))
    return max(earlier)[1] if earlier else None


def _compared(report: Report, previous: Path | None) -> Report:
    """The report with what changed since ``previous``; a previous JSON that is broken or not
    a kpireport pack is a warning, never a failure."""
    if previous is None:
        return report
    from kpireport.computing.changes import compare
    from kpireport.computing.report import with_changes
    from kpireport.delivering.mail import load_pack_json

    try:
        changes = compare(load_pack_json(previous), report.workbook)
    except KpiReportError as error:
        warning = f"the previous pack cannot be compared ({error}); no changes are listed."
        workbook = dataclasses.replace(report.workbook, warnings=(*report.workbook.warnings, warning))
        return dataclasses.replace(report, workbook=workbook)
    return with_changes(report, changes)


def build_pack(path: Path, options: BuildOptions) -> BuildResult:
    with contextlib.ExitStack() as stack:
        renderer = None
        if "pdf" in options.formats:
            from kpireport.presenting.pdf_process import PdfProcess

            # Started first: the PDF engine loads while the workbook is read.
            renderer = stack.enter_context(PdfProcess())
        result, rendered = _render(path, options, renderer)
    # Written as a set: every format is in place, or none and the previous pack stays whole.
    files = {
        output_path(path, result.report, options.out_dir, fmt): rendered[fmt] for fmt in FORMATS if fmt in rendered
    }
    write_set(files)
    result.outputs.extend(files)
    return result


def _render(
    path: Path, options: BuildOptions, renderer: PdfProcess | None
) -> tuple[BuildResult, dict[str, bytes | str]]:
    """Every format of the pack, rendered in memory: a failed render leaves no file behind."""
    workbook = read_workbook(path)
    # Text in a number cell would silently become "no data"; a pack must not hide it (SPEC §6).
    bad_cells = not_a_number_errors(workbook)
    if bad_cells:
        raise bad_cells[0] if len(bad_cells) == 1 else WorkbookErrors(bad_cells)
    report = build_report(_in_language(workbook, options.lang), options.month, quarterly=options.quarterly)
    report = _compared(report, previous_pack(path, report.month, options))
    if renderer is not None:
        from kpireport.presenting.fonts import require_fonts

        require_fonts(report.workbook.settings.locale, options.theme.font_family)
    result = BuildResult(path, report)
    rendered: dict[str, bytes | str] = {}
    # One summary for every output: the pack's executive summary, its JSON and its e-mail.
    summary = pack_summary(report, options.theme)
    if {"html", "pdf", "pptx", "xlsx"} & set(options.formats):
        from kpireport import __version__
        from kpireport.presenting.pack_html import render_html
        from kpireport.presenting.view import AuditView, build_view, with_explore

        audit = options.audit or options.theme.audit
        source = read_bounded(path, MAX_FILE_BYTES, "the workbook", WorkbookError) if audit else b""
        view = build_view(
            report,
            today=options.today,
            theme=options.theme,
            audit=AuditView(path.name, hashlib.sha256(source).hexdigest(), __version__) if audit else None,
            summary=summary,
        )
        if renderer is not None:
            # The PDF's HTML has no script, controls or data block: nothing WeasyPrint would
            # parse only to ignore. It renders while the other formats are made.
            renderer.submit(render_html(view, options.templates), (path.name, source) if audit else None)
    data = {**to_json(report, company=summary.company), "summary": summary.as_json()}
    if "json" in options.formats:
        rendered["json"] = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if "html" in options.formats:
        explored = with_explore(view, report, options.theme)
        rendered["html"] = render_html(explored, options.templates, interactive=True)
    if "xlsx" in options.formats:
        from kpireport.presenting.metrics_workbook import render_xlsx

        rendered["xlsx"] = render_xlsx(view, data, options.theme.palette())
    if "pptx" in options.formats:
        from kpireport.presenting.deck import render_pptx

        rendered["pptx"] = render_pptx(view, options.theme.palette(), options.theme.font_family)
    if renderer is not None:
        rendered["pdf"] = renderer.result()
    return result, rendered
