"""The deck's template: the slide's geometry, and python-pptx's own master, layouts and theme
made the deck's, so that a slide added later in PowerPoint looks like the rest: 16:9, the title
left-aligned in the theme's colour, the footer and the slide number small and grey, and the
theme's fonts the deck's (its East Asian one too: a title typed in Japanese later is drawn in
a Japanese face).

Functions over the deck of :mod:`kpireport.presenting.deck`, as its own slide methods are."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.oxml import serialize_part_xml
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.util import Emu

from kpireport.presenting.office_faces import JAPANESE_FACE
from kpireport.presenting.palette import BASE_COLORS

if TYPE_CHECKING:
    from kpireport.presenting.deck import _Deck

# Layout, in EMU (914,400 to the inch): a 13.333 × 7.5 inch (16:9) slide.
WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)
MARGIN = Emu(457_200)
TITLE_TOP, TITLE_HEIGHT, BODY_TOP = Emu(300_000), Emu(460_000), Emu(1_150_000)
FOOTER_TOP, FOOTER_HEIGHT = Emu(HEIGHT - 380_000), Emu(300_000)
NUMBER_WIDTH = Emu(1_200_000)
BODY_WIDTH = Emu(WIDTH - 2 * MARGIN)
TEMPLATE_WIDTH = 9_144_000
"""python-pptx's own template is 4:3 (10 × 7.5 inches): its master and layouts are widened."""
COVER_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
TITLE_SIZE = 24
FOOTER_SIZE = 9
EAST_ASIAN_FACE = {"typeface": JAPANESE_FACE, "panose": "020B0604030504040204", "pitchFamily": "34", "charset": "-128"}
"""The Japanese face every Windows PC since Vista has, as the metrics workbook names it; where
it is missing (LibreOffice on Linux, a Mac without Office's fonts), the Japanese character set
it declares and the text's language pick a Japanese face that is there, such as IPAexGothic."""


def prepare(deck: _Deck) -> None:
    """The master, its layouts and the theme made the deck's (see the module's words)."""
    _name_parts_quickly(deck.prs.part.package)
    master = deck.prs.slide_master
    for shape in [*master.shapes, *(s for layout in deck.prs.slide_layouts for s in layout.shapes)]:
        # Only where the shape places itself: python-pptx reads a layout placeholder's place
        # from the master, and setting it would pin the layout to the master's old place.
        if shape.element.find(f"{qn('p:spPr')}/{qn('a:xfrm')}") is not None:
            shape.left, shape.width = (Emu(int(v * WIDTH / TEMPLATE_WIDTH)) for v in (shape.left, shape.width))
    places = {
        PP_PLACEHOLDER.TITLE: (MARGIN, TITLE_TOP, BODY_WIDTH, TITLE_HEIGHT),
        PP_PLACEHOLDER.FOOTER: (MARGIN, FOOTER_TOP, BODY_WIDTH - NUMBER_WIDTH, FOOTER_HEIGHT),
        PP_PLACEHOLDER.SLIDE_NUMBER: (WIDTH - MARGIN - NUMBER_WIDTH, FOOTER_TOP, NUMBER_WIDTH, FOOTER_HEIGHT),
    }
    for placeholder in master.placeholders:
        kind = placeholder.placeholder_format.type
        if kind not in places:
            continue
        placeholder.left, placeholder.top, placeholder.width, placeholder.height = places[kind]
        body = placeholder.text_frame._txBody
        if kind == PP_PLACEHOLDER.TITLE:  # from the top, one size: a long title wraps
            body.bodyPr.set("anchor", "t")
            for autofit in body.bodyPr.findall(qn("a:normAutofit")):
                body.bodyPr.remove(autofit)
        else:
            level = body.find(f"{qn('a:lstStyle')}/{qn('a:lvl1pPr')}")
            level.set("algn", "l" if kind == PP_PLACEHOLDER.FOOTER else "r")
            deck.run_style(level.find(qn("a:defRPr")), FOOTER_SIZE, colour=BASE_COLORS["muted"])
    title = master.element.find(f"{qn('p:txStyles')}/{qn('p:titleStyle')}/{qn('a:lvl1pPr')}")
    title.set("algn", "l")
    deck.run_style(title.find(qn("a:defRPr")), TITLE_SIZE, bold=True, colour=deck.palette.line)
    _theme_fonts(master.part.part_related_by(RT.THEME), deck.latin, deck.ea)


def _name_parts_quickly(package: Any) -> None:
    """Each new part's name (a chart, its data, a slide's notes) from the names handed out so
    far. python-pptx finds it by walking every relationship of the package each time
    (scanny/python-pptx#644): a deck of 200 trend charts spent a third of its time there. The
    deck only adds parts, and only through this for the names it asks for, so none repeats."""
    used = {str(part.partname) for part in package.iter_parts()}

    def next_partname(template: str) -> PackURI:
        number = 1
        while template % number in used:
            number += 1
        used.add(template % number)
        return PackURI(template % number)

    package.next_partname = next_partname


def _theme_fonts(theme: Any, latin: str, ea: dict[str, str] | None) -> None:
    """The theme's heading and body fonts: the deck's Latin face, and its East Asian one (also
    for Japanese script, which PowerPoint reads where a text's East Asian face is unnamed)."""
    root = parse_xml(theme.blob)
    for scheme in ("a:majorFont", "a:minorFont"):
        fonts = root.find(f".//{qn(scheme)}")
        fonts.find(qn("a:latin")).set("typeface", latin)
        if ea:
            fonts.find(qn("a:ea")).attrib.update(ea)
            for script in fonts.findall(qn("a:font")):
                if script.get("script") == "Jpan":
                    script.set("typeface", ea["typeface"])
    # python-pptx keeps the theme as bytes it writes back as they are.
    theme._blob = serialize_part_xml(root)


# What follows a fill and what follows the faces in a run's properties (the schema's order).
_AFTER_FILL = ("a:effectLst", "a:effectDag", "a:highlight", "a:uLnTx", "a:uLn", "a:uFillTx", "a:uFill", "a:latin",
               "a:ea", "a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")  # fmt: skip
_AFTER_FACES = ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")
_FILLS = frozenset(qn(f"a:{kind}") for kind in ("noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill"))
_FACES = frozenset((qn("a:latin"), qn("a:ea")))


def run_properties(properties: Any, size: float, bold: bool, colour: str) -> None:
    """A run's (or a style's) size in points, weight and colour, written as its elements:
    python-pptx's font objects took a millisecond a run, a third of a deck's time."""
    properties.set("sz", str(round(size * 100)))
    properties.set("b", "1" if bold else "0")
    for old in [child for child in properties if child.tag in _FILLS]:
        properties.remove(old)
    fill = properties.makeelement(qn("a:solidFill"), {})
    fill.append(fill.makeelement(qn("a:srgbClr"), {"val": colour.lstrip("#").upper()}))
    properties.insert_element_before(fill, *_AFTER_FILL)


def faces(properties: Any, latin: str, east_asian: dict[str, str] | None) -> None:
    """A run's (or a style's) Latin face, and its East Asian one (``a:ea``, which python-pptx
    does not expose) where given, each in the schema's place."""
    for old in [child for child in properties if child.tag in _FACES]:
        properties.remove(old)
    named = properties.makeelement(qn("a:latin"), {"typeface": latin})
    properties.insert_element_before(named, *_AFTER_FACES)
    if east_asian:
        named.addnext(properties.makeelement(qn("a:ea"), east_asian))


def copy_placeholder(slide: Any, kind: PP_PLACEHOLDER) -> Any:
    """The slide's copy of its layout's footer or slide-number placeholder (python-pptx copies
    only the title and body ones): PowerPoint's Header & Footer then governs it."""
    layout = next(p for p in slide.slide_layout.placeholders if p.placeholder_format.type == kind)
    element = copy.deepcopy(layout.element)
    element.nvSpPr.cNvPr.id = slide.shapes._next_shape_id
    slide.shapes._spTree.insert_element_before(element, "p:extLst")
    return slide.placeholders[layout.placeholder_format.idx]
