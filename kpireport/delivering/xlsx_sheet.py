"""A worksheet's cells written in place (``plan --write``'s targets, ``draft --write``'s rows):
each written cell replaces its element, style kept, or is added to its row, or a row is added
for it; text is an inline string, never a formula."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from kpireport.delivering.xlsx_xml import (
    MAIN,
    Element,
    Walker,
    escape_xml,
    splice,
    start_tag,
)
from kpireport.errors import WorkbookError
from kpireport.presenting.clipping import xml_safe
from kpireport.reading.sheetscan import column_index, column_letters

Value = float | str
"""What a written cell holds: a number, or text (always text, never a formula)."""

# -- a sheet's cells -------------------------------------------------------------------------


Position = tuple[int, int]
"""A cell's zero-based (row, column)."""


def positions(sheet: str, edits: Mapping[str, Value]) -> dict[Position, Value]:
    positions: dict[Position, Value] = {}
    for ref, value in edits.items():
        position = parse_ref(ref)
        if position is None:
            raise ValueError(f"{ref!r} is not a cell reference")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{sheet}!{ref}: {value} cannot be written to a cell")
        positions[position] = value
    return positions


def parse_ref(ref: str) -> Position | None:
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not (letters.isascii() and letters.isalpha() and letters.isupper() and digits and digits[0] != "0"):
        return None
    return int(digits) - 1, column_index(letters)


def cell_ref(position: Position) -> str:
    return f"{column_letters(position[1])}{position[0] + 1}"


@dataclass
class Formula:
    """A formula that spans cells: a shared formula's master, or an array's."""

    cell: Element
    formula: Element
    position: Position
    area: tuple[Position, Position]


@dataclass(frozen=True)
class EditedSheet:
    data: bytes
    replaced_formulas: int


def edit_sheet(data: bytes, sheet: str, edits: Mapping[Position, Value]) -> EditedSheet:
    """The worksheet part ``data`` with ``edits`` written: each cell's element replaced (its
    style kept), or added to its row, or a row added for it."""
    editor = SheetEditor(sheet, edits)
    editor.run(data)
    editor.check_arrays()
    changes: list[tuple[int, int, bytes]] = []
    for position, cell in editor.cells.items():
        changes.append((cell.start, cell.end, cell_xml(cell.prefix, position, cell.attribute("s"), edits[position])))
    changes += editor.moved_masters()
    changes += editor.added(data)
    return EditedSheet(splice(data, changes), len(editor.formulas))


class SheetEditor:
    """One pass over a worksheet: the cells to write as they stand, and what is around them
    that a write must keep whole (shared and array formulas, rows)."""

    def __init__(self, sheet: str, edits: Mapping[Position, Value]) -> None:
        self.sheet = sheet
        self.edits = edits
        self.edit_rows = {row for row, _ in edits}
        self.row = -1
        self.next_column = 0
        self.position: Position = (0, 0)
        self.cells: dict[Position, Element] = {}
        """The cells to write, as they stand in the sheet."""
        self.formulas: dict[Position, Element] = {}
        """The <f> of each cell to write that holds a formula."""
        self.masters: dict[str, Formula] = {}
        """Shared formulas, by ``si``, whose master is a cell to write."""
        self.dependents: dict[str, list[tuple[Position, Element]]] = {}
        """The other cells of those shared formulas: (position, its <f>), in sheet order."""
        self.arrays: list[Formula] = []
        self.rows: dict[int, Element] = {}
        """The row elements of the rows where a cell is to be written."""
        self.later_rows: list[tuple[int, Element]] = []
        """Every row element with its number: a row to add goes before the first one after it."""
        self.row_cells: dict[int, list[tuple[int, Element]]] = {}
        """The cells (column, element) of the rows where a cell is to be written."""
        self.sheet_data: Element | None = None

    def error(self, reason: str) -> WorkbookError:
        return WorkbookError(f"the sheet cannot be written: {reason}. Save the workbook again from Excel.",
                             sheet=self.sheet)  # fmt: skip

    def run(self, data: bytes) -> None:
        walker = Walker(data, self.visit, frozenset({"f"}), self.error)

        def start(qname: str, attributes: list[str]) -> None:
            # Rows and cells are placed as they open: a cell's <f> needs the cell's position.
            walker.start(qname, attributes)
            element = walker.open[-1]
            if element.uri not in MAIN:
                return
            if element.local == "row":
                number = element.attribute("r")
                plain = number.isascii() and number.isdigit() and number[:1] != "0" and len(number) <= 7
                self.row = int(number) - 1 if plain else self.row + 1
                self.next_column = 0
            elif element.local == "c":
                placed = parse_ref(element.attribute("r"))
                self.position = placed if placed is not None else (self.row, self.next_column)
                self.next_column = self.position[1] + 1

        walker.parser.StartElementHandler = start
        walker.run()

    def visit(self, element: Element, parents: list[Element]) -> None:
        """Called as each element ends; ``self.row`` and ``self.position`` are still its own."""
        if element.uri not in MAIN:
            return
        if element.local == "f" and parents and parents[-1].local == "c":
            self.formula(element, parents[-1])
        elif element.local == "c":
            if self.position in self.edits:
                self.cells[self.position] = element
            if self.position[0] in self.edit_rows:
                self.row_cells.setdefault(self.position[0], []).append((self.position[1], element))
        elif element.local == "row":
            self.later_rows.append((self.row, element))
            if self.row in self.edit_rows:
                self.rows[self.row] = element
        elif element.local == "sheetData":
            self.sheet_data = element

    def formula(self, formula: Element, cell: Element) -> None:
        position = self.position
        kind, si = formula.attribute("t"), formula.attribute("si")
        written = position in self.edits
        if written:
            self.formulas[position] = formula
        area = area_of(formula.attribute("ref"))
        if kind == "shared" and si:
            if area is not None and written:
                self.masters[si] = Formula(cell, formula, position, area)
            elif si in self.masters and not written:
                self.dependents.setdefault(si, []).append((position, formula))
        elif kind in ("array", "dataTable") and area is not None:
            self.arrays.append(Formula(cell, formula, position, area))

    def check_arrays(self) -> None:
        """Excel cannot change one cell of an array formula or a data table: the whole of it,
        or none."""
        for array in self.arrays:
            (top, left), (bottom, right) = array.area
            inside = [p for p in self.edits if top <= p[0] <= bottom and left <= p[1] <= right]
            if inside and len(inside) < (bottom - top + 1) * (right - left + 1):
                first = min(inside)
                raise WorkbookError(
                    f"the cell is part of the array formula in {cell_ref(array.area[0])}:"
                    f"{cell_ref(array.area[1])}, and "
                    "Excel changes an array formula only as a whole. Replace it with plain formulas or numbers, "
                    "then retry.",
                    sheet=self.sheet,
                    cell=cell_ref(first),
                )

    def moved_masters(self) -> list[tuple[int, int, bytes]]:
        """A shared formula whose master cell is written lives on in its other cells: the
        first of them becomes the master, with the formula as it reads from there."""
        from openpyxl.formula.translate import Translator, TranslatorError

        changes = []
        for si, master in self.masters.items():
            rest = self.dependents.get(si)
            if not rest:
                continue
            position, formula = rest[0]
            text = "".join(master.formula.text)
            try:
                moved = Translator("=" + text, origin=cell_ref(master.position)).translate_formula(cell_ref(position))
            except (TranslatorError, ValueError) as exc:
                raise WorkbookError(
                    f"its shared formula ={text[:80]} cannot be moved to the cells it still fills ({exc}); replace "
                    "it with plain formulas, then retry.",
                    sheet=self.sheet,
                    cell=cell_ref(master.position),
                ) from None
            rows = [p[0] for p, _ in rest]
            columns = [p[1] for p, _ in rest]
            area = f"{cell_ref((min(rows), min(columns)))}:{cell_ref((max(rows), max(columns)))}"
            pairs = master.formula.attributes
            attributes = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2) if pairs[i] != "ref"]
            tag = start_tag(formula.qname, [*attributes, ("ref", area)], empty=False)
            changes.append(
                (formula.start, formula.end, tag + escape_xml(moved[1:]).encode() + f"</{formula.qname}>".encode())
            )
        return changes

    def added(self, data: bytes) -> list[tuple[int, int, bytes]]:
        """The cells to write that the sheet does not hold yet: in their row, in column order,
        or in a row of their own, in row order."""
        missing: dict[int, list[Position]] = {}
        for position in sorted(self.edits):
            if position not in self.cells:
                missing.setdefault(position[0], []).append(position)
        changes: list[tuple[int, int, bytes]] = []
        new_rows: list[tuple[int, bytes]] = []
        for row, positions in missing.items():
            element = self.rows.get(row)
            if element is None:
                prefix = self.sheet_data.prefix if self.sheet_data is not None else ""
                cells = b"".join(cell_xml(prefix, p, "", self.edits[p]) for p in positions)
                new_rows.append((row, f'<{prefix}row r="{row + 1}">'.encode() + cells + f"</{prefix}row>".encode()))
            elif element.empty:
                cells = b"".join(cell_xml(element.prefix, p, "", self.edits[p]) for p in positions)
                changes.append((element.start, element.end, opened(data, element) + cells + closing(element)))
            else:
                existing = sorted(self.row_cells.get(row, []), key=lambda item: item[0])
                for position in positions:
                    after = next((cell.start for column, cell in existing if column > position[1]), element.close)
                    changes.append((after, after, cell_xml(element.prefix, position, "", self.edits[position])))
        return changes + self._rows_added(data, new_rows)

    def _rows_added(self, data: bytes, new_rows: list[tuple[int, bytes]]) -> list[tuple[int, int, bytes]]:
        if not new_rows:
            return []
        sheet_data = self.sheet_data
        if sheet_data is None:
            raise self.error("it has no sheetData element")
        if sheet_data.empty:
            rows = b"".join(xml for _, xml in new_rows)
            return [(sheet_data.start, sheet_data.end, opened(data, sheet_data) + rows + closing(sheet_data))]
        later = sorted(self.later_rows, key=lambda item: item[0])
        changes = []
        for row, xml in new_rows:
            before = next((element.start for number, element in later if number > row), sheet_data.close)
            changes.append((before, before, xml))
        return changes


def opened(data: bytes, element: Element) -> bytes:
    """An empty element's tag (``<row r="3"/>``) as a start tag (``<row r="3">``)."""
    return data[element.start : element.content - 2].rstrip() + b">"


def closing(element: Element) -> bytes:
    return f"</{element.qname}>".encode()


def area_of(ref: str) -> tuple[Position, Position] | None:
    first, _, last = ref.partition(":")
    top_left, bottom_right = parse_ref(first), parse_ref(last or first)
    if top_left is None or bottom_right is None:
        return None
    return top_left, bottom_right


def cell_xml(prefix: str, position: Position, style: str, value: Value) -> bytes:
    """A cell holding ``value``: a number, or text as an inline string (never a formula, never
    a shared string, so the shared strings part is copied as it is)."""
    attributes = f' r="{cell_ref(position)}"' + (f' s="{escape_xml(style)}"' if style else "")
    if isinstance(value, str):
        text = escape_xml(xml_safe(value))
        body = f'<{prefix}is><{prefix}t xml:space="preserve">{text}</{prefix}t></{prefix}is>'
        return f'<{prefix}c{attributes} t="inlineStr">{body}</{prefix}c>'.encode()
    return f"<{prefix}c{attributes}><{prefix}v>{float(value)!r}</{prefix}v></{prefix}c>".encode()
