"""How wide a metrics-workbook column must be, and how tall a wrapped row, for what its cells
show: the text each cell shows in its number format (¥114,688,000, +0.4pt), measured in
Excel's width unit, the width of one digit, with East Asian characters counting two.

Excel and LibreOffice size neither on opening a file: a column too narrow for a figure shows
"###", and a wrapped row keeps its one line's height, so its text runs over the rows below.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DIGIT_EM = 0.556  # a digit's width in an Arial-like face, in ems
NARROWEST = 6.0
WIDEST = 50.0
PADDING = 2.5  # a cell's margins and the air between a figure and the next column's text
FILTER_BUTTON = 3.5  # the drop-down a filtered sheet's header draws at its right edge
FILTER_INDENT = 2  # a right-aligned header's indent past that button (an indent is ~3 spaces)
BOLD = 1.1  # a bold header is that much wider than the same text in the regular face
LINE_HEIGHT = 15.0  # points, one line of 11-point text
EAST_ASIAN_LINE_HEIGHT = 18.75  # Meiryo's, whose line is taller
# What a cell wraps between: spaces, and each East Asian character, as such text has no spaces.
TOP, TOP_WRAPPED = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
_TOKENS = re.compile(r"\s+|[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+")
_PLACEHOLDERS = re.compile(r"[#0,]*[#0](?:\.[#0]+)?")


def shown(value: object, number_format: str) -> str:
    """The text a cell shows, near enough to measure: ``value`` in ``number_format``'s
    section for its sign, with its decimals, grouping, percent and quoted text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date | dt.datetime):
        return number_format if number_format != "General" else value.isoformat()
    if not isinstance(value, int | float) or number_format in ("@", "General") or not math.isfinite(value):
        return str(value)
    sections = _parsed(number_format)
    if value < 0 and len(sections) > 1:
        section, number = sections[1], -value
    elif value == 0 and len(sections) > 2:
        section, number = sections[2], value
    else:
        section, number = sections[0], value
    literal, placeholder, decimals, grouped, percent = section
    if not placeholder:
        return literal
    number *= 100 if percent else 1
    digits = f"{number:,.{decimals}f}" if grouped else f"{number:.{decimals}f}"
    return literal.replace(placeholder, digits, 1)


@functools.cache
def _parsed(number_format: str) -> list[tuple[str, str, int, bool, bool]]:
    """Each section of a format as its text without quotes, its digits' placeholder, their
    decimals, whether they are grouped and whether a percent: parsed once per format (a
    workbook measures thousands of cells in a few dozen formats)."""
    parsed = []
    for section in _sections(number_format):
        bare = _unquoted(section)
        found = _PLACEHOLDERS.search(bare)
        pattern = found.group() if found else ""
        parsed.append((section.replace('"', ""), pattern, len(pattern.partition(".")[2]), "," in pattern, "%" in bare))
    return parsed


def _sections(number_format: str) -> list[str]:
    """A format's sections (positive;negative;zero), split where ``;`` is not quoted text."""
    sections, current, quoted = [], "", False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += char
    return [*sections, current]


def _unquoted(section: str) -> str:
    """The section with its quoted text blanked out, so "pt" is not read as a placeholder."""
    return re.sub(r'"[^"]*"', lambda quoted: " " * len(quoted.group()), section)


def text_width(text: str) -> float:
    """``text``'s width in Excel's unit, the digit width of the workbook's default face (the
    pack's, an Arial-like face whose digit is 0.556 em): each character by its class's width
    in such a face; a full-width (East Asian) character counts two digits."""
    return sum(map(_char_width, text))


@functools.cache
def _char_width(char: str) -> float:
    # Cached: a workbook measures tens of thousands of characters, of a few dozen kinds.
    if unicodedata.east_asian_width(char) in "WF":
        return 2.0
    if char.isdigit() or char in "¥$€£+-−%#?_":
        return 1.0
    if char.isupper() or char in "mwMW@":
        return 0.7 / DIGIT_EM
    if char in " .,:;'!|()[]/ilfjt":
        return 0.29 / DIGIT_EM
    return 0.52 / DIGIT_EM


def _east_asian(text: str) -> bool:
    return not text.isascii() and any(_char_width(char) == 2 for char in text)


def header_width(title: str) -> float:
    """The narrowest width at which a header, wrapped, takes at most the two lines the header
    row is tall."""
    words = title.split()
    if not words:
        return 0.0
    width = max(text_width(word) for word in words)
    while len(wrapped_lines(title, width)) > 2:
        width += 1
    return width


def wrapped_lines(text: str, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` as a cell wraps it: at spaces, and
    anywhere in a run of East Asian text, which has none."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKENS.findall(paragraph):
            size = text_width(token)
            if line and used + size > width:
                lines.append(line.rstrip())
                line = token.lstrip()
                used = text_width(line)
            else:
                line, used = line + token, used + size
        lines.append(line.rstrip())
    return lines


def fit_columns(
    sheet: Worksheet,
    *,
    header: bool = True,
    filtered: bool = False,
    wrapped: Mapping[int, float] | None = None,
    skip_rows: Iterable[int] = (),
) -> None:
    """Each column as wide as its widest cell shows (NARROWEST to WIDEST), its header wrapped
    on two lines; a ``wrapped`` column (its number → its widest) holds long text, wrapped at
    that width, each of its rows made as tall as its lines. ``skip_rows`` are titles left to
    run over the empty cells beside them."""
    wrapped = wrapped or {}
    skipped = set(skip_rows)
    needs: dict[int, float] = {}
    figures: dict[int, bool] = {}  # whether each column's cells below the header are all numbers
    long_text: dict[int, list[Cell]] = {}  # the cells of the wrapped columns, by row
    written: dict[int, list[Cell]] = {}  # every cell written, by row (``sheet[row]`` walks the whole sheet)
    # The cells written, not every cell of the sheet's rectangle: iter_rows would make (and the
    # file then hold) an empty cell in every gap, eleven rows of each KPI's block on the trends sheet.
    for cell in list(sheet._cells.values()):
        written.setdefault(cell.row, []).append(cell)
        if cell.row in skipped or cell.value is None:
            continue
        column = cell.column
        if header and cell.row == 1:
            need = header_width(str(cell.value)) * BOLD + (FILTER_BUTTON if filtered else 0)
        elif column in wrapped:
            long_text.setdefault(cell.row, []).append(cell)
            need = text_width(str(cell.value))
        else:
            need = text_width(shown(cell.value, cell.number_format))
            number = isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
            figures[column] = figures.get(column, True) and number
        needs[column] = max(needs.get(column, 0.0), need)
    widths = {
        column: min(max(need + PADDING, NARROWEST), wrapped.get(column, WIDEST)) for column, need in needs.items()
    }
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = round(width, 1)
    for row_number, cells in long_text.items():
        count = max(len(wrapped_lines(str(cell.value), widths[cell.column] - PADDING)) for cell in cells)
        if count > 1:
            east_asian = any(_east_asian(str(cell.value)) for cell in cells)
            sheet.row_dimensions[row_number].height = count * (EAST_ASIAN_LINE_HEIGHT if east_asian else LINE_HEIGHT)
            for cell in written[row_number]:  # a row of several lines reads from its top, as a table does
                cell.alignment = TOP_WRAPPED if cell.alignment.wrap_text else TOP
    if header:
        _align_headers(sheet, [column for column, numbers in figures.items() if numbers], filtered)


def _align_headers(sheet: Worksheet, columns: Iterable[int], filtered: bool) -> None:
    """A figure's header over its right edge, as the figures are: a header left over a
    right-aligned column of numbers reads as the heading of the column before it. In a
    filtered sheet it keeps clear of the filter's button, which Excel draws at that edge."""
    indent = FILTER_INDENT if filtered else 0
    alignment = Alignment(wrap_text=True, vertical="center", horizontal="right", indent=indent)
    for column in columns:
        sheet.cell(row=1, column=column).alignment = alignment
