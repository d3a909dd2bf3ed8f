"""The Commentary sheet (SPEC §3b): the controller's own words for a subject and a month,
read with the rigour of every sheet: an unknown subject, a bad month or language names its cell."""

from __future__ import annotations

from collections.abc import Callable

from kpireport.model import KEY_MESSAGES, CellRef, CommentaryRow, Month, TableLayout
from kpireport.reading.tables import Problems, Table, find_table
from kpireport.reading.xlsx import CellValue, Grid
from kpireport.schema import COMMENTARY_COLUMNS, COMMENTARY_REQUIRED, LOCALES, key_of

MonthReader = Callable[[CellValue, CellRef], Month | None]


def read_commentary(
    grid: Grid, subjects: set[str], problems: Problems, month_of: MonthReader
) -> tuple[list[CommentaryRow], TableLayout | None]:
    """Every row with text (``subjects`` are the KPI and KGI ids and ``*``), and where the
    sheet's columns and its next free row are."""
    table = find_table(grid, COMMENTARY_COLUMNS, COMMENTARY_REQUIRED, problems)
    if table is None:
        return [], None
    found = (_row(table, row, subjects, problems, month_of) for row in table.rows())
    layout = TableLayout(grid.name, dict(table.columns), len(grid.rows))
    return [row for row in found if row is not None and row.text], layout


def _row(table: Table, row: int, subjects: set[str], problems: Problems, month_of: MonthReader) -> CommentaryRow | None:
    subject = table.text(row, "subject")
    if subject not in subjects:
        problems.error(
            f"{subject!r} is not a KPI or KGI id, nor {KEY_MESSAGES} for the key messages; fix the subject or "
            "clear the row.",
            table.ref(row, "subject"),
        )
        return None
    month = month_of(table.value(row, "month"), table.ref(row, "month"))
    lang_text = key_of(table.text(row, "lang"))
    lang = LOCALES.get(lang_text) if lang_text else None
    if lang_text and lang is None:
        problems.error(
            f"{table.text(row, 'lang')!r} is not a pack language; type en or ja, or clear the cell.",
            table.ref(row, "lang"),
        )
        return None
    if month is None:
        return None
    return CommentaryRow(subject, month, table.text(row, "text"), lang, table.ref(row, "text"))
