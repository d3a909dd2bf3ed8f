"""Reading a sheet of the workbook as a table: its header row, the cells under each column,
and the problems found on the way, each naming its sheet and cell.

Shared by the sheet readers of :mod:`kpireport.reading.workbook` and :mod:`kpireport.reading.series`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kpireport.errors import WorkbookError, WorkbookErrors
from kpireport.model import CellRef, Month, Skipped
from kpireport.reading.xlsx import CellValue, Grid, cell_name
from kpireport.schema import MAX_YEAR, MIN_YEAR, Column, key_of, lookup

HEADER_SEARCH_ROWS = 10


@dataclass
class Problems:
    """What the reader found wrong (errors stop it, together, once a stage is read) and what it
    only notes (warnings on stderr; skipped totals become ``info`` findings)."""

    errors: list[WorkbookError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def error(self, message: str, ref: CellRef | None = None, sheet: str | None = None) -> None:
        if ref is not None:
            self.errors.append(WorkbookError(message, sheet=ref.sheet, cell=ref.cell))
        else:
            self.errors.append(WorkbookError(message, sheet=sheet))

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise WorkbookErrors(self.errors)


def text_of(value: CellValue) -> str:
    """A cell as the text a user sees: whole numbers without ``.0``, Excel's ``_x000D_``
    escape for a carriage return dropped, surrounding spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("_x000D_", "").strip()


def month_in_range(month: Month) -> bool:
    return MIN_YEAR <= month.year <= MAX_YEAR


def year_out_of_range(year: int) -> str:
    return f"the year {year} is outside {MIN_YEAR}-{MAX_YEAR}; type the date again."


def non_empty_rows(grid: Grid) -> list[int]:
    """The rows among the first few that hold anything: where a header may be."""
    return [r for r in range(min(len(grid.rows), HEADER_SEARCH_ROWS)) if any(v not in ("", None) for v in grid.rows[r])]


@dataclass
class Table:
    """A sheet with a header row: column key → index, and the data rows below it."""

    grid: Grid
    header_row: int
    columns: dict[str, int]

    def rows(self) -> Iterable[int]:
        for row in range(self.header_row + 1, len(self.grid.rows)):
            if any(self.grid.value(row, col) is not None for col in self.columns.values()):
                yield row

    def value(self, row: int, key: str) -> CellValue:
        col = self.columns.get(key)
        return None if col is None else self.grid.value(row, col)

    def text(self, row: int, key: str) -> str:
        return text_of(self.value(row, key))

    def ref(self, row: int, key: str) -> CellRef:
        return CellRef(self.grid.name, cell_name(row, self.columns.get(key, 0)))


def find_table(grid: Grid, columns: tuple[Column, ...], required: Iterable[str], problems: Problems) -> Table | None:
    """The table whose header is the first row naming the required columns (a title row above
    it is fine); None, with the problem noted, when there is no such row."""
    names = lookup(columns)
    required = tuple(required)

    def header_keys(row: int) -> dict[str, int]:
        keys: dict[str, int] = {}
        for col, value in enumerate(grid.rows[row]):
            if isinstance(value, str) and key_of(value) in names:
                keys.setdefault(names[key_of(value)], col)
        return keys

    candidates = non_empty_rows(grid)
    if not candidates:
        problems.error(
            "the sheet is empty; it needs a header row: " + " | ".join(c.en for c in columns), sheet=grid.name
        )
        return None
    header_row = next((r for r in candidates if all(k in header_keys(r) for k in required)), candidates[0])
    found = header_keys(header_row)
    missing = [c for c in columns if c.key in required and c.key not in found]
    if missing:
        described = ", ".join(f"{c.en!r}" + (f" ({c.ja})" if c.ja != c.en else "") for c in missing)
        problems.error(
            f"column {described} is missing from the header row {header_row + 1}; add it "
            "(headers are matched in English or Japanese, ignoring case).",
            sheet=grid.name,
        )
        return None
    return Table(grid, header_row, found)


def identified_rows(table: Table, noun: str, example: str, problems: Problems) -> Iterator[tuple[int, str, CellRef]]:
    """(row, id, id cell) of each row with an id seen for the first time; a row without an id
    or with a repeated one is reported and skipped."""
    seen: dict[str, CellRef] = {}
    for row in table.rows():
        row_id = table.text(row, "id")
        ref = table.ref(row, "id")
        if not row_id:
            problems.error(f"this {noun} row has no id; type a short unique id such as {example}.", ref)
        elif row_id in seen:
            problems.error(
                f"{noun} id {row_id!r} is used twice (first at {seen[row_id]}); give each {noun} its own id.", ref
            )
        else:
            seen[row_id] = ref
            yield row, row_id, ref
