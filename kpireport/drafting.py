"""``kpireport draft --write``: the drafted commentary added to a copy of the workbook, on its
Commentary sheet, for the controller to edit (SPEC §3b). A row for each subject the sheet has
no row for in the month, a ``*`` row for each key message unless the month has some; an
existing row is never changed, and the input is never written."""

from __future__ import annotations

from pathlib import Path

from kpireport.computing.report import Report
from kpireport.model import KEY_MESSAGES, Locale
from kpireport.planning import check_destination
from kpireport.presenting.wording import WordedCommentary
from kpireport.reading.sheetscan import column_letters
from kpireport.schema import COMMENTARY_COLUMNS, COMMENTARY_SHEET

Row = dict[str, str]


def drafted_rows(report: Report, commentary: WordedCommentary) -> list[Row]:
    """The rows to add: subject, month, text and the language they were drafted in."""
    month = report.month
    written = {row.subject for row in report.workbook.commentary if row.month == month}
    lang: Locale = report.workbook.settings.locale
    rows: list[Row] = []
    if KEY_MESSAGES not in written:
        rows += [
            {"subject": KEY_MESSAGES, "month": str(month), "text": m.text, "lang": lang}
            for m in commentary.key_messages
            if m.source == "drafted"
        ]
    rows += [
        {"subject": s.subject, "month": str(month), "text": s.worded.text, "lang": lang}
        for s in commentary.subjects
        if s.subject not in written and s.worded.source == "drafted"
    ]
    return rows


def write_drafts(source: Path, destination: Path, report: Report, commentary: WordedCommentary) -> int:
    """A copy of ``source`` at ``destination`` with :func:`drafted_rows` on its Commentary
    sheet (a new sheet, headed as ``init`` heads it, where it has none); the rows added."""
    # Imported here: the package-editing writer is needed by this command alone.
    from kpireport.delivering.xlsx_copy import write_copy

    destination = check_destination(source, destination)
    rows = drafted_rows(report, commentary)
    layout = report.workbook.commentary_layout
    if layout is not None:
        # The sheet's own columns; a language column it lacks is left out.
        cells = {
            f"{column_letters(layout.columns[key])}{layout.next_row + 1 + index}": value
            for index, row in enumerate(rows)
            for key, value in row.items()
            if key in layout.columns
        }
        write_copy(source, destination, {layout.sheet: cells})
        return len(rows)
    lang = report.workbook.settings.locale
    header = {f"{column_letters(i)}1": column.written(lang) for i, column in enumerate(COMMENTARY_COLUMNS)}
    keys = [column.key for column in COMMENTARY_COLUMNS]
    cells = {
        f"{column_letters(keys.index(key))}{index + 2}": value
        for index, row in enumerate(rows)
        for key, value in row.items()
    }
    write_copy(source, destination, {}, {COMMENTARY_SHEET.written(lang): {**header, **cells}})
    return len(rows)
