"""Reading a sheet of monthly values (Targets, Actuals): one row per KPI id, one column per
month, into a :data:`~kpireport.model.Series` per KPI.

Total and subtotal columns and rows (Total, FY, Q1, 合計 …, as :mod:`kpireport.reading.labels`
recognises them) are skipped and noted, though never a row whose id is on the KPI sheet; an
empty cell is no data, never zero; a cell the reader cannot use as a number becomes a
:class:`~kpireport.model.CellIssue`, which the KPI design review reports.
"""

from __future__ import annotations

import math
import operator
from array import array

from kpireport.model import CellIssue, CellRef, Month, MonthValues, Series, SheetLayout, Skipped
from kpireport.reading.labels import era_problem, is_total_label, month_of
from kpireport.reading.tables import Problems, month_in_range, non_empty_rows, text_of, year_out_of_range
from kpireport.reading.xlsx import Grid, cell_name
from kpireport.schema import MAX_MAGNITUDE

# What calamine gives for a cell of a numbers sheet that needs no second look: a number, or
# "" for a blank (any other text is checked cell by cell).
_NUMBER_OR_TEXT = frozenset({float, int, str})


def _number_text(value: float) -> str:
    """A number as a message may show it: 1e+30, inf, a 400-digit integer shortened."""
    return f"{value:.6g}" if isinstance(value, float) or abs(value) < 10**300 else f"{str(value)[:12]}…"


def month_header_row(grid: Grid) -> int | None:
    """The first row with a month in it after column A (a title row above it is fine); else
    the first non-empty row, so errors point at what the user typed."""
    candidates = non_empty_rows(grid)
    for row in candidates:
        if any(month_of(value) is not None for value in grid.rows[row][1:]):
            return row
    return candidates[0] if candidates else None


def _month_columns(grid: Grid, header_row: int, problems: Problems) -> dict[int, Month]:
    """Column index → month; a total column is skipped and noted, anything else that is not
    a month is an error naming its cell."""
    header = grid.rows[header_row]
    months: dict[int, Month] = {}
    seen: dict[Month, str] = {}
    for col in range(1, len(header)):
        ref = CellRef(grid.name, cell_name(header_row, col))
        value = grid.value(header_row, col)
        if value is None:
            if any(grid.value(row, col) is not None for row in range(header_row + 1, len(grid.rows))):
                problems.error(
                    "this column has values but no month header; type its month (YYYY-MM) or clear the column.", ref
                )
            continue
        month = month_of(value)
        if month is not None and not month_in_range(month):
            problems.error(year_out_of_range(month.year), ref)
            continue
        if month is None:
            era = era_problem(value)
            if era is not None:
                problems.error(f"{text_of(value)!r} is not a month: {era}.", ref)
            elif isinstance(value, str) and is_total_label(value):
                problems.skipped.append(Skipped(ref, text_of(value), "column"))
            else:
                problems.error(
                    f"{text_of(value)!r} is not a month; type a date or month text such as 2026-04 "
                    "(a total column may be headed Total, FY, Q1 … and is skipped).",
                    ref,
                )
            continue
        if month in seen:
            problems.error(f"month {month} appears twice (also at {seen[month]}); keep one column per month.", ref)
            continue
        seen[month] = ref.cell
        months[col] = month
    return months


def read_series(
    grid: Grid, kpi_ids: set[str], issues: list[CellIssue], problems: Problems
) -> tuple[dict[str, Series], list[Month], SheetLayout]:
    """Each KPI's months → values, the sheet's months in column order, and where they are."""
    header_row = month_header_row(grid)
    if header_row is None:
        problems.error(
            "the month headers are missing: row 1 must hold a date or YYYY-MM text per column, "
            "after the KPI id column.",
            sheet=grid.name,
        )
        return {}, [], SheetLayout(grid.name, {}, {})
    months = _month_columns(grid, header_row, problems)
    series: dict[str, Series] = {}
    first_row: dict[str, int] = {}
    month_columns = list(months.items())
    last_column = max(months, default=0) + 1
    positions = {month: index for index, month in enumerate(months.values())}
    columns = list(months)
    take = operator.itemgetter(*columns) if len(columns) > 1 else None  # a tuple only from two on
    cell_problems = grid.problems
    # The hot loop of a large workbook: plain list access, and a CellRef only for a cell that
    # needs reporting.
    for row in range(header_row + 1, len(grid.rows)):
        cells = grid.rows[row]
        width = len(cells)
        kpi_id = text_of(cells[0] if width and cells[0] != "" else None)
        if not kpi_id:
            has_values = any(col < width and cells[col] != "" for col, _ in month_columns)
            if has_values or any((row, col) in cell_problems for col, _ in month_columns):
                problems.error(
                    "this row has values but no KPI id; type the KPI id in column A or clear the row.",
                    CellRef(grid.name, cell_name(row, 0)),
                )
            continue
        if kpi_id not in kpi_ids:
            ref = CellRef(grid.name, cell_name(row, 0))
            if is_total_label(kpi_id):
                problems.skipped.append(Skipped(ref, kpi_id, "row"))
            else:
                problems.error(f"{kpi_id!r} is not a KPI id on the KPI sheet; fix the id or add the KPI there.", ref)
            continue
        if kpi_id in first_row:
            problems.error(
                f"KPI {kpi_id!r} has two rows (also row {first_row[kpi_id] + 1}); keep one row per KPI.",
                CellRef(grid.name, cell_name(row, 0)),
            )
            continue
        first_row[kpi_id] = row
        if not cell_problems and width >= last_column:
            # The common row, numbers and blanks only, goes straight into an array.
            picked = take(cells) if take else [cells[c] for c in columns]
            kinds = set(map(type, picked))
            if kinds <= _NUMBER_OR_TEXT and (str not in kinds or not any(type(v) is str and v for v in picked)):
                present = [v for v in picked if v != ""] if str in kinds else picked
                # min/max in C; infinities and NaN fall outside too (NaN compares false).
                if not present or (min(present) >= -MAX_MAGNITUDE and max(present) <= MAX_MAGNITUDE):
                    values = [math.nan if v == "" else v for v in picked] if str in kinds else picked
                    series[kpi_id] = MonthValues(positions, array("d", values))  # type: ignore[arg-type]
                    continue
        numbers: dict[Month, float] = {}
        for col, month in month_columns:
            value = cells[col] if col < width else None
            if cell_problems and (row, col) in cell_problems:
                kind, text = cell_problems[(row, col)]
                issues.append(CellIssue(kind, kpi_id, month, CellRef(grid.name, cell_name(row, col)), text))
            elif type(value) is float or type(value) is int:
                if -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
                    numbers[month] = float(value)
                else:
                    where = CellRef(grid.name, cell_name(row, col))
                    issues.append(CellIssue("out_of_range", kpi_id, month, where, _number_text(value)))
            elif value is not None and value != "":
                where = CellRef(grid.name, cell_name(row, col))
                issues.append(CellIssue("not_a_number", kpi_id, month, where, text_of(value)))
        series[kpi_id] = MonthValues.of(positions, numbers)
    layout = SheetLayout(grid.name, first_row, {month: col for col, month in months.items()})
    return series, list(months.values()), layout
