"""``build --split`` (SPEC v1.2 §4b): the full pack and, beside it, one pack per distinct (scope,
language) of the Distribution sheet, written as one set with it.

The workbook is read once; the report is computed once per language (the names and words of
that language put in first, SPEC §2) and filtered per scope after it was computed, so every
figure of a scoped pack is the full pack's. The PDFs are laid out by a pool of workers while
this process makes the other formats. A scope of ``all`` in the full pack's language is the full
pack: its files are the full pack's bytes under the audience's name.

A pack per audience is written in the formats asked for with ``--format``, those its recipients
asked for on the Distribution sheet, and JSON (what ``send --distribution`` reads the e-mail's
body from).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kpireport.build import (
    BuildOptions,
    BuildResult,
    Source,
    checked_workbook,
    collect,
    render_now,
    report_for,
    start_pack,
)
from kpireport.computing.report import Report
from kpireport.computing.scope import Audience, audiences, scope_kpis, scoped
from kpireport.delivering.output import write_set
from kpireport.errors import WorkbookError
from kpireport.model import Locale, Month, Scope, Workbook
from kpireport.presenting.formats import in_order, pack_file_name

if TYPE_CHECKING:
    from kpireport.presenting.finished import FinishedPack

ScopeKey = tuple[bool, frozenset[str], frozenset[str]]


@dataclass
class _Pack:
    """One pack to make: its report, the formats it is made in, and, once made, its files."""

    report: Report
    formats: list[str]
    finished: FinishedPack | None = None
    rendered: dict[str, bytes | str] | None = None


def audiences_of(workbook: Workbook, options: BuildOptions) -> list[Audience]:
    """The packs per audience of ``workbook``: one per distinct (scope, language)."""
    if not workbook.distribution:
        raise WorkbookError(
            "build --split needs a Distribution sheet with a row per recipient (recipient | email | scope | "
            "lang | formats); add one, or build without --split.",
            sheet="Distribution",
        )
    return audiences(workbook.distribution, options.lang or workbook.settings.locale)


def build_split(path: Path, options: BuildOptions) -> BuildResult:
    """Write the full pack and every pack per audience as one set: all of them, or none."""
    with contextlib.ExitStack() as stack:
        pool = None
        if "pdf" in options.formats:
            from kpireport.presenting.pdf_pool import PdfPool

            # Started first: the workers load the PDF engine while the workbook is read.
            pool = stack.enter_context(PdfPool())
        workbook = checked_workbook(path)
        groups = audiences_of(workbook, options)
        full_lang: Locale = options.lang or workbook.settings.locale
        if pool is None and any("pdf" in a.formats for a in groups):
            from kpireport.presenting.pdf_pool import PdfPool

            pool = stack.enter_context(PdfPool())
        reports: dict[Locale, Report] = {}

        def report_in(lang: Locale) -> Report:
            if lang not in reports:
                reports[lang] = report_for(path, options, workbook, lang)
            return reports[lang]

        everything: ScopeKey = (True, frozenset(), frozenset())
        packs: dict[tuple[ScopeKey, Locale], _Pack] = {(everything, full_lang): _Pack(report_in(full_lang), [])}
        packs[(everything, full_lang)].formats = list(options.formats)
        for audience in groups:
            key = (audience.scope.key, audience.lang)
            if key not in packs:
                packs[key] = _Pack(_scoped(report_in(audience.lang), workbook, audience.scope), list(options.formats))
            packs[key].formats = in_order([*packs[key].formats, *audience.formats, "json"])
        source = Source.read(path)
        submit = pool.submit if pool is not None else None
        for pack in packs.values():
            pack.finished = start_pack(pack.report, options, source, pack.formats, submit)
            pack.rendered = render_now(pack.finished, pack.formats)
        for pack in packs.values():
            assert pack.finished is not None and pack.rendered is not None
            pack.rendered = collect(pack.finished, pack.formats, pack.rendered)
    full = packs[(everything, full_lang)]
    month = full.report.month
    files = _files(path.stem, month, full, options.formats, None, None)
    for audience in groups:
        pack = packs[(audience.scope.key, audience.lang)]
        wanted = in_order([*options.formats, *audience.formats, "json"])
        files.update(_files(path.stem, month, pack, wanted, audience.scope.slug, audience.lang))
    placed = {options.out_dir / name: data for name, data in files.items()}
    write_set(placed)
    return BuildResult(path, full.report, list(placed))


def _scoped(report: Report, workbook: Workbook, scope: Scope) -> Report:
    return scoped(report, scope, scope_kpis(workbook, scope))


def _files(stem: str, month: Month, pack: _Pack, formats: Sequence[str], slug: str | None, lang: str | None
           ) -> dict[str, bytes | str]:  # fmt: skip
    assert pack.rendered is not None
    return {pack_file_name(stem, month, name, slug=slug, lang=lang): pack.rendered[name] for name in formats}
