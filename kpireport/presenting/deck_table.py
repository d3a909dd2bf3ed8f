"""The deck's native tables: a header row in the theme's colour, then the rows, a status colour
or a text colour where the view gives one.

A function over the deck of :mod:`kpireport.presenting.deck`, as its slide methods are."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu

from kpireport.presenting.deck_charts import rgb as _rgb
from kpireport.presenting.palette import BASE_COLORS

if TYPE_CHECKING:
    from kpireport.presenting.deck import _Deck

_TEXT_BODY, _PARAGRAPH, _RUN = qn("a:txBody"), qn("a:p"), qn("a:r")


def native_table(deck: _Deck, slide: Any, header: Sequence[str], rows: Sequence[Sequence[str]], top: int,
                 widths: Sequence[float], fills: Sequence[dict[int, str]] | None, numeric: Sequence[int],
                 inks: Sequence[dict[int, str]] | None, left: int, width: int) -> Any:  # fmt: skip
    """A native table: a header row in the theme's colour, then ``rows``; ``fills`` gives a
    row's cells a status colour (white bold text), ``inks`` a text colour."""
    height = Emu(330_000 * (len(rows) + 1))
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Emu(left), Emu(top), Emu(width), height)
    table = shape.table
    total = sum(widths)
    for col, share in enumerate(widths):
        table.columns[col].width = Emu(int(width * share / total))
    # A table's cells come in a few looks (header, a status fill, plain on white or on the
    # band): each look is styled once through python-pptx, and its other cells are copies
    # of that cell's XML with their own text, a tenth of the time on a 1,000-KPI deck.
    looks: dict[tuple[object, ...], Any] = {}
    for r, values in enumerate([list(header), *[list(v) for v in rows]]):
        for c, value in enumerate(values):
            fill = fills[r - 1].get(c) if fills and r else None
            ink = inks[r - 1].get(c) if inks and r else None
            if r == 0:
                bold, colour, background = True, "#FFFFFF", deck.palette.line
            elif fill:
                bold, colour, background = True, "#FFFFFF", fill
            else:
                bold, colour = False, ink or BASE_COLORS["ink"]
                background = "#FFFFFF" if r % 2 else BASE_COLORS["band"]
            look = (c in numeric, bold, colour, background, deck.marks_japanese(value))
            cell = table.cell(r, c)
            styled = looks.get(look)
            if styled is not None:
                _restyled(cell._tc, styled, value)
                continue
            cell.text = ""
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.RIGHT if c in numeric else PP_ALIGN.LEFT
            run = paragraph.add_run()
            run.text = value
            deck.style(run, 10, bold=bold, colour=colour)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(background)
            looks[look] = cell._tc
    return shape


def _restyled(cell: Any, styled: Any, text: str) -> None:
    """Table cell ``cell`` (an ``a:tc``) as a copy of ``styled``, holding ``text``."""
    for child in list(cell):
        cell.remove(child)
    for child in styled:
        cell.append(copy.deepcopy(child))
    cell.find(f"{_TEXT_BODY}/{_PARAGRAPH}/{_RUN}").text = text  # a:r escapes control characters
