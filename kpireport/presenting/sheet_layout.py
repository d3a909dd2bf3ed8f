"""How wide a metrics-workbook column must be, and how tall a wrapped row, for what its cells
show: the text each cell shows in its number format (¥114,688,000, +0.4pt), measured in
Excel's width unit, the width of one digit, with East Asian characters counting two.

Excel and LibreOffice size neither on opening a file: a column too narrow for a figure shows
"###", and a wrapped row keeps its one line's height, so its text runs over the rows below.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping

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
    if not isinstance(value, int | float) or number_format in ("@", "General"):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    sections = _sections(number_format)
    if value < 0 and len(sections) > 1:
        section, number = sections[1], -value
    elif value == 0 and len(sections) > 2:
        section, number = sections[2], value
    else:
        section, number = sections[0], value
    literal = section.replace('"', "")
    if "%" in _unquoted(section):
        number *= 100
    placeholder = _PLACEHOLDERS.search(_unquoted(section))
    if placeholder is None:
        return literal
    pattern = placeholder.group()
    decimals = len(pattern.partition(".")[2])
    digits = f"{number:,.{decimals}f}" if "," in pattern else f"{number:.{decimals}f}"
    return literal.replace(pattern, digits, 1)


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
    digits = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in "WF":
            digits += 2
        elif char.isdigit() or char in "¥$€£+-−%#?_":
            digits += 1
        elif char.isupper() or char in "mwMW@":
            digits += 0.7 / DIGIT_EM
        elif char in " .,:;'!|()[]/ilfjt":
            digits += 0.29 / DIGIT_EM
        else:
            digits += 0.52 / DIGIT_EM
    return digits


def _east_asian(text: str) -> bool:
    return any(unicodedata.east_asian_width(char) in "WF" for char in text)


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
        line = ""
        for token in re.findall(r"\s+|[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+", paragraph):
            if line and text_width(line + token) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
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
    for row in sheet.iter_rows():
        for cell in row:
            if cell.row in skipped or cell.value is None or not isinstance(cell.column, int):
                continue
            if header and cell.row == 1:
                need = header_width(str(cell.value)) * BOLD + (FILTER_BUTTON if filtered else 0)
            else:
                need = text_width(shown(cell.value, cell.number_format))
            needs[cell.column] = max(needs.get(cell.column, 0.0), need)
    widths = {
        column: min(max(need + PADDING, NARROWEST), wrapped.get(column, WIDEST)) for column, need in needs.items()
    }
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = round(width, 1)
    first = 2 if header else 1
    for row in sheet.iter_rows(min_row=first):
        count = max(
            (
                len(wrapped_lines(str(cell.value), widths[cell.column] - PADDING))
                for cell in row
                if isinstance(cell.column, int) and cell.column in wrapped and cell.value is not None
            ),
            default=1,
        )
        if count > 1:
            east_asian = any(_east_asian(str(cell.value)) for cell in row if cell.value is not None)
            sheet.row_dimensions[row[0].row].height = count * (EAST_ASIAN_LINE_HEIGHT if east_asian else LINE_HEIGHT)
            for cell in row:  # a row of several lines reads from its top, as a table does
                cell.alignment = Alignment(wrap_text=cell.alignment.wrap_text, vertical="top")
    if header:
        _align_headers(sheet, filtered)


def _align_headers(sheet: Worksheet, filtered: bool) -> None:
    """A figure's header over its right edge, as the figures are: a header left over a
    right-aligned column of numbers reads as the heading of the column before it. In a
    filtered sheet it keeps clear of the filter's button, which Excel draws at that edge."""
    for column in range(1, sheet.max_column + 1):
        values = [sheet.cell(row=row, column=column).value for row in range(2, sheet.max_row + 1)]
        figures = [value for value in values if value is not None]
        if figures and all(isinstance(value, int | float) and not isinstance(value, bool) for value in figures):
            title = sheet.cell(row=1, column=column)
            title.alignment = Alignment(
                wrap_text=True, vertical="center", horizontal="right", indent=FILTER_INDENT if filtered else 0
            )
