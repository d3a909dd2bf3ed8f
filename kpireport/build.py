"""``kpireport build`` for one workbook: read, compute, render, write each output whole."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import glob
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kpireport.computing.report import Report, build_report
from kpireport.delivering.output import write_set
from kpireport.errors import KpiReportError, NotFinalError, WorkbookError, WorkbookErrors
from kpireport.model import KEY_MESSAGES, Locale, Month, Workbook
from kpireport.presenting.formats import DEFAULT_FORMATS, FORMATS, in_order, pack_file_name, parse_pack_file_name
from kpireport.presenting.theme import DEFAULT_THEME, Theme
from kpireport.reading.inputs import read_bounded
from kpireport.reading.workbook import not_a_number_errors, read_workbook
from kpireport.reading.xlsx import MAX_FILE_BYTES
from kpireport.version import __version__

if TYPE_CHECKING:
    from kpireport.presenting.finished import FinishedPack, PdfJob
    from kpireport.presenting.pdf_process import PdfProcess


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
    final: bool = False
    """Refuse while a material subject has only drafted commentary (SPEC §3b)."""
    split: bool = False
    """Also write one pack per audience of the Distribution sheet (SPEC §4b)."""


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
    """The workbook as its pack shows it: in --lang, else Settings' locale, with the names and
    the Translations sheet's words of that language (SPEC §4b)."""
    from kpireport.computing.language import localised

    return localised(workbook, lang or workbook.settings.locale)


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
        name = parse_pack_file_name(candidate.name)
        # A pack per audience holds only its scope: the full pack is the one compared with.
        if name is None or name.stem != path.stem or name.fmt != "json" or name.slug is not None:
            continue
        try:
            found = Month.parse(name.month)
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
    from kpireport.reading.pack_json import load_pack_json

    try:
        changes = compare(load_pack_json(previous), report.workbook)
    except KpiReportError as error:
        warning = f"the previous pack cannot be compared ({error}); no changes are listed."
        workbook = dataclasses.replace(report.workbook, warnings=(*report.workbook.warnings, warning))
        return dataclasses.replace(report, workbook=workbook)
    return with_changes(report, changes)


def build_pack(path: Path, options: BuildOptions) -> BuildResult:
    """Read ``path``, compute its report and write every format asked for, as a set: each
    file whole, or none and the previous pack left as it was."""
    if options.split:
        from kpireport.split import build_split

        return build_split(path, options)
    with contextlib.ExitStack() as stack:
        renderer = None
        if "pdf" in options.formats:
            from kpireport.presenting.pdf_process import PdfProcess

            # Started first: the PDF engine loads while the workbook is read.
            renderer = stack.enter_context(PdfProcess())
        report, rendered = _render(path, options, renderer)
    files = {options.out_dir / pack_file_name(path.stem, report.month, name): data for name, data in rendered.items()}
    write_set(files)
    return BuildResult(path, report, list(files))


def checked_workbook(path: Path) -> Workbook:
    """The workbook a pack is made of: a cell with text where a number belongs stops it, where it
    would silently become "no data" (SPEC §6)."""
    workbook = read_workbook(path)
    bad_cells = not_a_number_errors(workbook)
    if bad_cells:
        raise bad_cells[0] if len(bad_cells) == 1 else WorkbookErrors(bad_cells)
    return workbook


def report_for(path: Path, options: BuildOptions, workbook: Workbook | None = None, lang: Locale | None = None
               ) -> Report:  # fmt: skip
    """The report a pack of ``path`` shows: its numbers checked, in the pack's language (``lang``,
    else --lang, else Settings'), with the changes since the previous pack."""
    book = workbook if workbook is not None else checked_workbook(path)
    report = build_report(_in_language(book, lang or options.lang), options.month, quarterly=options.quarterly)
    return _compared(report, previous_pack(path, report.month, options))


@dataclass(frozen=True)
class Source:
    """The workbook's bytes, read once for its SHA-256 (and the audited PDF's attachment)."""

    path: Path
    data: bytes
    digest: str

    @classmethod
    def read(cls, path: Path) -> Source:
        data = read_bounded(path, MAX_FILE_BYTES, "the workbook", WorkbookError)
        return cls(path, data, hashlib.sha256(data).hexdigest())


PdfSubmit = Callable[[str, "tuple[str, bytes] | None"], "PdfJob"]
"""Starts a PDF rendering of an HTML (with the workbook to attach, when audited)."""


def start_pack(report: Report, options: BuildOptions, source: Source, formats: Sequence[str],
               pdf: PdfSubmit | None) -> FinishedPack:  # fmt: skip
    """``report`` finished for ``formats``: refused when --final finds drafted words only, its
    fonts checked, its PDF (when asked for) started with ``pdf``."""
    # Imported here: ``check``, which reads through this module too, shows no pack.
    from kpireport.presenting.finished import finish
    from kpireport.presenting.pack_json import PackSource

    chosen = [FORMATS[name] for name in in_order(formats)]
    audit = options.audit or options.theme.audit
    audited = None
    if audit:
        from kpireport.presenting.view import AuditView

        audited = AuditView(source.path.name, source.digest, __version__)
    pack = finish(
        report,
        theme=options.theme,
        with_view=any(f.needs_view for f in chosen),
        templates=options.templates,
        today=options.today,
        audit=audited,
        source=PackSource(
            source.path.name,
            source.digest,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            __version__,
        ),
    )
    if options.final and pack.unsigned:
        raise NotFinalError(_not_final(report, pack.unsigned))
    if pdf is not None and "pdf" in formats:
        from kpireport.presenting.fonts import require_fonts
        from kpireport.presenting.pack_html import render_html

        # A font for every script of its text, not only for its language (SPEC §4b).
        for lang in pack.languages:
            require_fonts(lang, options.theme.font_family)
        # The PDF's HTML has no script, controls or data block: nothing WeasyPrint would parse
        # only to ignore. It renders while the other formats are made.
        job = pdf(render_html(pack.view, options.templates), (source.path.name, source.data) if audit else None)
        pack = dataclasses.replace(pack, pdf_job=job)
    return pack


def render_now(pack: FinishedPack, formats: Sequence[str]) -> dict[str, bytes | str]:
    """The formats made in this process; those rendered elsewhere (the PDF) are collected by
    :func:`collect`."""
    return {name: FORMATS[name].render(pack) for name in in_order(formats) if not FORMATS[name].in_background}


def collect(pack: FinishedPack, formats: Sequence[str], rendered: dict[str, bytes | str]) -> dict[str, bytes | str]:
    """``rendered`` with the formats rendered elsewhere, every format in the registry's order."""
    done = {**rendered, **{n: FORMATS[n].render(pack) for n in in_order(formats) if FORMATS[n].in_background}}
    return {name: done[name] for name in in_order(formats)}


def _render(path: Path, options: BuildOptions, renderer: PdfProcess | None) -> tuple[Report, dict[str, bytes | str]]:
    """Every format of the pack, rendered in memory (in the registry's order): a failed render
    leaves no file behind."""
    report = report_for(path, options)
    if renderer is not None:
        from kpireport.presenting.fonts import require_fonts

        require_fonts(report.workbook.settings.locale, options.theme.font_family)

    def submit(html: str, attached: tuple[str, bytes] | None) -> PdfJob:
        assert renderer is not None
        renderer.submit(html, attached)
        return renderer

    pack = start_pack(report, options, Source.read(path), options.formats, submit if renderer else None)
    return report, collect(pack, options.formats, render_now(pack, options.formats))


def _not_final(report: Report, subjects: Sequence[str]) -> str:
    """Why ``--final`` refuses: each material subject with only drafted text, named."""
    names = {r.kpi.id: r.kpi.name for r in report.kpis} | {k.kgi.id: k.kgi.name for k in report.kgis}
    listed = ", ".join("the key messages (*)" if s == KEY_MESSAGES else f"{s} ({names.get(s, s)})" for s in subjects)
    return (
        f"the pack is not final: only drafted commentary for {listed}. Write the controller's words for "
        f"{report.month} on the Commentary sheet (kpireport draft --write makes a copy to edit), or build "
        "without --final."
    )
