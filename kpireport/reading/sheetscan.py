"""One streaming pass over a worksheet's XML, with a real XML parser (expat), before any grid
is built: the sheet's true extent, and the cells calamine shows as empty although they hold
an error value (``#DIV/0!``) or a formula without a cached value.

The extent is taken from the cells themselves, never from ``<dimension>`` (which may lie): a
single cell at XFD1048576 would make calamine allocate seventeen billion cells and abort the
process. A cell or row without a reference takes the next position, as Excel and calamine do.
Everything is linear in the size of the part; a DTD anywhere stops the scan (Excel never
writes one), and expat is never asked to fetch an external entity.
"""

from __future__ import annotations

import pyexpat
from dataclasses import dataclass, field
from typing import IO, Literal

ProblemKind = Literal["formula_without_value", "error_value"]
CHUNK_BYTES = 1024 * 1024
# Excel's own grid: a reference past it is not a cell any application can hold.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384

# The spreadsheet namespaces (transitional and strict); a part without one is read alike.
_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_SEPARATOR = "}"


def _tags(local: str) -> set[str]:
    return {local, *(f"{ns}{_SEPARATOR}{local}" for ns in _NAMESPACES)}


_ROW, _CELL, _FORMULA, _VALUE = _tags("row"), _tags("c"), _tags("f"), _tags("v")
_DIGITS = "0123456789"


class ScanError(ValueError):
    """The part is not a worksheet kpireport can read; the message says why."""


def column_index(letters: str) -> int:
    """``A`` → 0, ``XFD`` → 16383."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class SheetScan:
    """What the scan found: the last used row and column (zero-based; -1 for an empty
    sheet) and the problem cells by zero-based (row, column)."""

    last_row: int = -1
    last_column: int = -1
    problems: dict[tuple[int, int], tuple[ProblemKind, str]] = field(default_factory=dict)
    lowest: str = ""
    """The cell that reaches the last row, and the one that reaches the last column."""
    rightmost: str = ""

    @property
    def rows(self) -> int:
        return self.last_row + 1

    @property
    def columns(self) -> int:
        return self.last_column + 1


def _split(ref: str) -> tuple[str, str] | None:
    """``AB12`` → (``AB``, ``12``); None for anything that is not a plain cell reference."""
    digits_at = len(ref.rstrip(_DIGITS))
    letters, digits = ref[:digits_at], ref[digits_at:]
    if 0 < len(letters) <= 3 and letters.isalpha() and letters.isascii() and letters.isupper() and 0 < len(digits) <= 8:
        return letters, digits
    return None


class _Scanner:
    """The expat handlers and their state. A large sheet has millions of elements, so the
    common cell (one with a reference, no formula, no error) costs a few string comparisons:
    the farthest row and column are kept as text, compared by length then by characters
    (``AB`` > ``Z``; ``100`` > ``99``), and turned into numbers once at the end."""

    def __init__(self) -> None:
        self.scan = SheetScan()
        self.row = -1  # the current row element's index
        self.previous: tuple[int, int] | None = None  # the last cell placed by position
        self.last_ref = ""  # the last cell's reference, parsed only when a position is needed
        # The farthest column letters and row digits seen, as (length, text): compared as
        # tuples, AB is past Z and 100 past 99.
        self.far_letters = (0, "")
        self.far_digits = (0, "")
        self.far_letters_ref = ""
        self.far_digits_ref = ""
        self.seen_letters: set[str] = set()  # the column letters seen, each found a plain reference
        self.row_digits: str | None = None  # the last cell's row digits, found plain (none yet)
        self.cell_error = False
        self.cell_formula = False
        self.cell_value = False
        self.formula_text: list[str] = []
        self.value_text: list[str] = []
        self.parser = parser = pyexpat.ParserCreate(namespace_separator=_SEPARATOR)
        parser.ordered_attributes = True
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.entity
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    @staticmethod
    def doctype(*_: object) -> None:
        raise ScanError("it declares XML entities (a DTD), which Excel never writes; it may be an XML bomb or XXE")

    @staticmethod
    def entity(*_: object) -> None:
        raise ScanError("it declares XML entities (a DTD), which Excel never writes; it may be an XML bomb")

    def _collect(self, into: list[str]) -> None:
        into.clear()
        self.parser.CharacterDataHandler = into.append
        self.parser.EndElementHandler = self.end

    def end(self, name: str) -> None:
        self.parser.CharacterDataHandler = None
        self.parser.EndElementHandler = None

    def start(self, name: str, attributes: list[str]) -> None:
        if name in _CELL:
            if self.cell_error or self.cell_formula:
                self.finish_cell()
            ref = attributes[1] if attributes and attributes[0] == "r" else _attribute(attributes, "r") or ""
            if ref:
                letters = ref.rstrip(_DIGITS)
                digits = ref[len(letters) :]
                # A sheet has a few dozen columns and one row number per row: each distinct
                # spelling is checked, and compared with the farthest, once, not once a cell.
                if letters not in self.seen_letters:
                    self.new_letters(letters, ref)
                if digits != self.row_digits:
                    self.new_digits(digits, ref)
                self.previous = None
            else:
                ref, letters, digits = self.place_by_position()
                self.new_letters(letters, ref)
                self.new_digits(digits, ref)
            self.last_ref = ref
            self.cell_value = False
            # Only an error cell matters here; "e" among the values is a cheap first test.
            self.cell_error = "e" in attributes and _attribute(attributes, "t") == "e"
        elif name in _VALUE:
            self.cell_value = True
            if self.cell_error or self.cell_formula:
                self._collect(self.value_text)
        elif name in _FORMULA:
            self.cell_formula = True
            self._collect(self.formula_text)
        elif name in _ROW:
            if self.cell_error or self.cell_formula:
                self.finish_cell()
            number = _attribute(attributes, "r")
            if number is None:
                row = self.row + 1
            elif number.isascii() and number.isdigit() and number[0] != "0" and len(number) <= 7:
                row = int(number) - 1
            else:
                raise ScanError(f"it has a row numbered {number[:20]!r}, which is not a row number")
            self.row, self.previous, self.last_ref = row, None, ""
            if self.row >= EXCEL_ROWS:
                raise ScanError(f"it has a row numbered {self.row + 1:,}, past Excel's last row ({EXCEL_ROWS:,})")

    def new_letters(self, letters: str, ref: str) -> None:
        # Only a plain reference (A1, not a1, $A1, A0 or A-1): calamine reads other spellings
        # differently, and the extent must be the one calamine will build.
        if not (letters.isalpha() and letters.isascii() and letters.isupper()):
            raise ScanError(f"it has a cell reference {ref[:20]!r} that is not a cell")
        self.seen_letters.add(letters)
        if (len(letters), letters) > self.far_letters:
            self.far_letters, self.far_letters_ref = (len(letters), letters), ref

    def new_digits(self, digits: str, ref: str) -> None:
        if not digits or digits[0] == "0":
            raise ScanError(f"it has a cell reference {ref[:20]!r} that is not a cell")
        self.row_digits = digits
        if (len(digits), digits) > self.far_digits:
            self.far_digits, self.far_digits_ref = (len(digits), digits), ref

    def position(self, ref: str) -> tuple[int, int]:
        """(row, column) of the cell ``ref`` names, or of the next position when it names none."""
        parts = _split(ref) if ref else None
        if parts is None:
            return self.previous or (self.row, -1)
        return int(parts[1]) - 1, column_index(parts[0])

    def place_by_position(self) -> tuple[str, str, str]:
        """Place a cell without a usable reference after the previous one, as calamine does:
        its reference, column letters and row digits."""
        row, column = self.position(self.last_ref) if self.previous is None else self.previous
        row, column = max(row, self.row, 0), column + 1
        self.previous = (row, column)
        letters, digits = column_letters(column), str(row + 1)
        return letters + digits, letters, digits

    def finish_cell(self) -> None:
        where = self.position(self.last_ref)
        if self.cell_error:
            text = "".join(self.value_text).strip() if self.cell_value else ""
            self.scan.problems[where] = ("error_value", text or "#ERROR")
        elif self.cell_formula and not (self.cell_value and "".join(self.value_text).strip()):
            self.scan.problems[where] = ("formula_without_value", "".join(self.formula_text))
        self.cell_error = self.cell_formula = self.cell_value = False
        self.value_text.clear()

    def result(self) -> SheetScan:
        if self.cell_error or self.cell_formula:
            self.finish_cell()
        scan = self.scan
        if self.far_letters[1]:
            if _split(self.far_letters_ref) is None or _split(self.far_digits_ref) is None:
                raise ScanError(f"it has a cell reference {self.far_letters_ref!r} that is not a cell")
            scan.last_column, scan.rightmost = column_index(self.far_letters[1]), self.far_letters_ref
            scan.last_row, scan.lowest = int(self.far_digits[1]) - 1, self.far_digits_ref
        if scan.last_row >= EXCEL_ROWS or scan.last_column >= EXCEL_COLUMNS:
            far = scan.lowest if scan.last_row >= EXCEL_ROWS else scan.rightmost
            raise ScanError(f"it has a cell at {far}, outside Excel's grid")
        return scan


def _attribute(attributes: list[str], name: str) -> str | None:
    """An attribute's value from expat's ordered list [name, value, name, value, …]."""
    for index in range(0, len(attributes) - 1, 2):
        if attributes[index] == name:
            return attributes[index + 1]
    return None


class _Prolog(Exception):
    """Raised at the root element: the prolog, where a DTD must stand, has been read."""


def check_prolog(stream: IO[bytes]) -> None:
    """Raise :class:`ScanError` if the XML part declares a DTD or entities. Only the prolog
    is parsed (up to the root element), with a real parser, however long the comments and
    processing instructions before it; expat never expands an entity before the handler
    for its declaration has refused it."""
    parser = pyexpat.ParserCreate()
    parser.StartDoctypeDeclHandler = _Scanner.doctype
    parser.EntityDeclHandler = _Scanner.entity
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def root(*_: object) -> None:
        raise _Prolog

    parser.StartElementHandler = root
    try:
        while data := stream.read(64 * 1024):
            parser.Parse(data, False)
        parser.Parse(b"", True)
    except (_Prolog, pyexpat.ExpatError):
        # The root is reached, or the XML is broken before it: no DTD either way, and a
        # broken part is for the reader to report.
        return


def scan_sheet(stream: IO[bytes]) -> SheetScan:
    """Scan a worksheet part read from ``stream`` a megabyte at a time; raise
    :class:`ScanError` for a part that is not well-formed XML or declares a DTD."""
    scanner = _Scanner()
    try:
        while data := stream.read(CHUNK_BYTES):
            scanner.parser.Parse(data, False)
        scanner.parser.Parse(b"", True)
    except pyexpat.ExpatError as exc:
        raise ScanError(f"its XML is not well-formed ({pyexpat.ErrorString(exc.code)}, line {exc.lineno})") from None
    return scanner.result()
