"""The pack as an editable PowerPoint deck (``build --format pptx``), 16:9, for board prep.

Every slide is native and editable: text boxes, tables and charts (never pictures of the PDF),
made with python-pptx from the same view model as the PDF, one function per slide kind. Long
tables are split across slides rather than shrunk. Japanese decks name an East Asian typeface
(``a:ea``) on every run, so PowerPoint and LibreOffice pick a Japanese face. Charts carry the
pack's text alternative as their description; each department slide's speaker notes carry the
comments and actions of its KPIs.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Sequence
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu

from kpireport.presenting.clipping import xml_safe
from kpireport.presenting.deck_actions import tracked_action_slides, under_table_box
from kpireport.presenting.deck_charts import rgb as _rgb
from kpireport.presenting.deck_charts import trend_chart, waterfall_chart
from kpireport.presenting.deck_table import native_table
from kpireport.presenting.deck_template import (
    BODY_TOP,
    BODY_WIDTH,
    COVER_LAYOUT,
    EAST_ASIAN_FACE,
    FOOTER_SIZE,
    HEIGHT,
    MARGIN,
    TITLE_HEIGHT,
    TITLE_ONLY_LAYOUT,
    TITLE_SIZE,
    TITLE_TOP,
    WIDTH,
    copy_placeholder,
    faces,
    prepare,
    run_properties,
)
from kpireport.presenting.office_faces import LATIN_FACE
from kpireport.presenting.palette import BASE_COLORS, Palette
from kpireport.presenting.scripts import has_japanese
from kpireport.presenting.view import BridgeView, KgiCard, KpiRow, PackView

ROWS_PER_SLIDE = 10
ROWS_WITH_COMMENTS = 7
COMMENT_CHARS = 240
KGIS_PER_SLIDE = 6
TRENDS_PER_SLIDE = 4
ACTIONS_PER_SLIDE = 10
FINDINGS_PER_SLIDE = 8


class _Deck:
    def __init__(self, view: PackView, palette: Palette, font: str | None) -> None:
        self.view = view
        self.palette = palette
        self.latin = font or LATIN_FACE
        self.t = view.labels
        # A Japanese deck, or any deck whose text has Japanese (an English deck naming a
        # Japanese owner), names an East Asian face so that text is drawn, not boxes.
        self.ea = EAST_ASIAN_FACE if view.lang == "ja" or view.east_asian else None
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        prepare(self)

    # -- text -----------------------------------------------------------------------------------

    def style(self, run: Any, size: float, *, bold: bool = False, colour: str = BASE_COLORS["ink"]) -> None:
        self.run_style(run._r.get_or_add_rPr(), size, bold=bold, colour=colour, text=run.text)

    def run_style(self, properties: Any, size: float, *, bold: bool = False, colour: str = BASE_COLORS["ink"],
                  text: str = "") -> None:  # fmt: skip
        """Run properties (a run's, or a style's default for its runs) in the deck's faces."""
        run_properties(properties, size, bold, colour)
        self.face(properties, text)

    def face(self, properties: Any, text: str = "") -> None:
        """The Latin typeface, and for a Japanese deck the East Asian one. Japanese text is
        marked as such (``lang``), as PowerPoint marks what is typed in Japanese: where the face
        is missing, LibreOffice then picks a Japanese one in the weight asked for (bold titles
        stay bold)."""
        faces(properties, self.latin, self.ea)
        if self.marks_japanese(text):
            properties.set("lang", "ja-JP")

    def marks_japanese(self, text: str) -> bool:
        """Whether a run of ``text`` is marked as Japanese (see :meth:`face`)."""
        return self.ea is not None and (self.view.lang == "ja" or has_japanese(text))

    def text(self, slide: Any, left: int, top: int, width: int, height: int, lines: Sequence[tuple[str, float, bool]],
             colour: str = BASE_COLORS["ink"]) -> Any:  # fmt: skip
        box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
        frame = box.text_frame
        frame.word_wrap = True
        for index, (content, size, bold) in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = content
            self.style(run, size, bold=bold, colour=colour)
        return box

    def slide(self, title: str, subtitle: str = "") -> Any:
        """A slide with its title in the layout's title placeholder (PowerPoint's outline and
        navigation read it), the subtitle under it, the footer and the slide's number."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[TITLE_ONLY_LAYOUT])
        self.title(slide.shapes.title, [(title, TITLE_SIZE, True)])
        if subtitle:
            top = TITLE_TOP + TITLE_HEIGHT - 40_000
            self.text(slide, MARGIN, top, BODY_WIDTH, Emu(350_000), [(subtitle, 12, False)], colour=self.palette.line)
        footer = copy_placeholder(slide, PP_PLACEHOLDER.FOOTER).text_frame.paragraphs[0].add_run()
        footer.text = f"{self.view.company} · {self.view.month}"
        self.style(footer, FOOTER_SIZE, colour=BASE_COLORS["muted"])
        # The number is a field PowerPoint renumbers when slides move; its text is this one's.
        field = copy_placeholder(slide, PP_PLACEHOLDER.SLIDE_NUMBER).element.find(f".//{qn('a:fld')}")
        field.find(qn("a:t")).text = str(len(self.prs.slides))
        self.run_style(field.find(qn("a:rPr")), FOOTER_SIZE, colour=BASE_COLORS["muted"])
        return slide

    def title(self, shape: Any, lines: Sequence[tuple[str, float, bool]]) -> None:
        """A title placeholder's text, left-aligned, in the deck's faces."""
        frame = shape.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.TOP
        frame.text = ""
        for index, (content, size, bold) in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.alignment = PP_ALIGN.LEFT
            run = paragraph.add_run()
            run.text = content
            self.style(run, size, bold=bold, colour=self.palette.line)

    def table(self, slide: Any, header: Sequence[str], rows: Sequence[Sequence[str]], top: int, widths: Sequence[float],
              fills: Sequence[dict[int, str]] | None = None, numeric: Sequence[int] = (),
              inks: Sequence[dict[int, str]] | None = None, left: int = MARGIN,
              width: int = BODY_WIDTH) -> Any:  # fmt: skip
        """A native table (:func:`kpireport.presenting.deck_table.native_table`)."""
        return native_table(self, slide, header, rows, top, widths, fills, numeric, inks, left, width)

    # -- slides ---------------------------------------------------------------------------------

    def title_slide(self) -> None:
        """The cover: the company in the layout's title, the review and its date under it; no
        number and no footer."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[COVER_LAYOUT])
        view = self.view
        logo = _logo_png(view.logo)
        if logo is not None:
            slide.shapes.add_picture(io.BytesIO(logo), MARGIN, Emu(500_000), height=Emu(700_000))
        title, subtitle = slide.placeholders
        title.left, title.top, title.width, title.height = MARGIN, Emu(2_200_000), BODY_WIDTH, Emu(700_000)
        self.title(title, [(view.company, 36, True)])
        subtitle.left, subtitle.top, subtitle.width, subtitle.height = MARGIN, Emu(2_900_000), BODY_WIDTH, Emu(900_000)
        self.title(subtitle, [(view.title, 22, False), (f"{self.t['prepared']}: {view.prepared}", 12, False)])

    def summary_slides(self) -> None:
        """Status counts, the KGIs (split across slides beyond KGIS_PER_SLIDE) and the movers
        (beside the KGIs when they fit, else on their own slide)."""
        t = self.t
        cards = self.view.kgis
        parts = _chunks(cards, KGIS_PER_SLIDE) or [()]
        top: int = BODY_TOP
        for number, part in enumerate(parts, start=1):
            slide = self.slide(t["summary"] + (f" ({number}/{len(parts)})" if len(parts) > 1 else ""),
                               t["status_counts"] if number == 1 else "")  # fmt: skip
            top = BODY_TOP
            if number == 1:
                self.status_boxes(slide)
                top = BODY_TOP + 950_000
            if part:
                fills = [{5: self.palette.status(c.status)} for c in part]
                self.table(slide, [t["kgi"], t["actual"], t["target"], t["progress"], t["expected"], t["status"],
                                   t["outlook"]], [_kgi_row(c) for c in part], top, [3, 2, 2, 1.2, 1.2, 1.3, 4], fills,
                           numeric=(1, 2, 3, 4))  # fmt: skip
                top += 330_000 * (len(part) + 1) + 300_000
        movers = self.view.summary.movers
        if not movers:
            return
        if top + 380_000 + 330_000 * (len(movers) + 1) > HEIGHT - 500_000:
            slide, top = self.slide(t["movers"]), BODY_TOP
        else:
            self.text(slide, MARGIN, top, BODY_WIDTH, Emu(350_000), [(t["movers"], 14, True)], colour=self.palette.line)
            top += 380_000
        self.table(slide, [t["kpi"], t["department"], t["mom"], "%"],
                   [[m.name, m.department, m.delta, m.delta_pct] for m in movers], top, [5, 3, 2, 1.5],
                   numeric=(2, 3))  # fmt: skip

    def status_boxes(self, slide: Any) -> None:
        counts = self.view.summary.counts
        box_width = int(BODY_WIDTH / len(counts)) - 100_000
        for index, count in enumerate(counts):
            shape = slide.shapes.add_shape(1, Emu(MARGIN + index * (box_width + 100_000)), BODY_TOP,
                                           Emu(box_width), Emu(700_000))  # fmt: skip
            shape.fill.solid()
            shape.fill.fore_color.rgb = _rgb(self.palette.status(count.status))
            shape.line.fill.background()
            frame = shape.text_frame
            frame.paragraphs[0].alignment = PP_ALIGN.CENTER
            run = frame.paragraphs[0].add_run()
            run.text = f"{count.count}  {count.label}"
            self.style(run, 18, bold=True, colour="#FFFFFF")

    def bridge_slide(self, bridge: BridgeView) -> None:
        slide = self.slide(f"{self.t['bridges']}: {bridge.kgi}", bridge.formula)
        self.text(slide, MARGIN, BODY_TOP, BODY_WIDTH, Emu(600_000),
                  [(bridge.span, 12, False), (bridge.sentence, 12, True)])  # fmt: skip
        if not bridge.bars:
            return
        waterfall_chart(self, slide, bridge, MARGIN, BODY_TOP + 700_000, int(BODY_WIDTH * 0.62), 4_300_000)
        inks = [{1: self.palette.green if row.tone == "good" else self.palette.red} for row in bridge.rows]
        self.table(slide, [self.t["kpi"], self.t["effect"]], [[row.name, row.effect] for row in bridge.rows],
                   BODY_TOP + 700_000, [2, 1], numeric=(1,), inks=inks, left=MARGIN + int(BODY_WIDTH * 0.65),
                   width=int(BODY_WIDTH * 0.35))  # fmt: skip

    def key_messages_slide(self) -> None:
        """The key messages, first after the title: what happened, why and what comes next."""
        messages = self.view.key_messages
        if not messages:
            return
        slide = self.slide(self.t["key_messages"])
        lines: list[tuple[str, float, bool]] = []
        for number, message in enumerate(messages, start=1):
            # An empty small line between messages: each reads as its own point.
            lines += [(f"{number}. {_marked(message.text, message.drafted, self.t)}", 16, False), ("", 8, False)]
        if any(m.drafted for m in messages):
            lines.append((self.t["drafted_legend"], 10, False))
        self.text(slide, MARGIN, BODY_TOP, BODY_WIDTH, Emu(HEIGHT - BODY_TOP - 600_000), lines)

    def department_slides(self) -> None:
        t = self.t
        for department in self.view.departments:
            # A department with comments or open actions gives up rows a slide, so they sit under
            # its table.
            commented = any(row.commentary or row.open_actions for row in department.rows)
            parts = _chunks(department.rows, ROWS_WITH_COMMENTS if commented else ROWS_PER_SLIDE)
            for number, rows in enumerate(parts, start=1):
                title = department.name + (f" ({number}/{len(parts)})" if len(parts) > 1 else "")
                counts = " · ".join(f"{c.label} {c.count}" for c in department.counts if c.count)
                slide = self.slide(title, counts)
                self.table(slide, [t["kpi"], t["target"], t["actual"], t["attainment"], t["status"], t["variance"],
                                   t["mom"], t["yoy"], t["ytd"]],
                           [_kpi_row(row) for row in rows], BODY_TOP, [3.9, 1.4, 1.4, 1, 1.2, 1.3, 1.8, 1.5, 1.2],
                           [{4: self.palette.status(row.chip.status)} for row in rows],
                           numeric=(1, 2, 3, 5, 6, 7, 8))  # fmt: skip
                under_table_box(self, slide, rows, BODY_TOP + 330_000 * (len(rows) + 1) + 150_000)
                slide.notes_slide.notes_text_frame.text = _notes(rows, t)

    def trend_slides(self) -> None:
        trends = [chart for page in self.view.trend_pages for chart in page.charts]
        parts = _chunks(trends, TRENDS_PER_SLIDE)
        half_w, half_h = int(BODY_WIDTH / 2) - 60_000, Emu(2_550_000)
        for number, charts in enumerate(parts, start=1):
            slide = self.slide(self.t["trends"] + (f" ({number}/{len(parts)})" if len(parts) > 1 else ""))
            for index, trend in enumerate(charts):
                left = MARGIN + (index % 2) * (half_w + 120_000)
                top = BODY_TOP - Emu(150_000) + (index // 2) * (half_h + 80_000)
                trend_chart(self, slide, trend, left, top, half_w, half_h)

    def action_slides(self) -> None:
        tracked_action_slides(self)
        t = self.t
        parts = _chunks(self.view.actions, ACTIONS_PER_SLIDE)
        title = t["comment_actions"] if self.view.tracked_actions.tracked else t["actions"]
        for number, actions in enumerate(parts, start=1):
            slide = self.slide(title + (f" ({number}/{len(parts)})" if len(parts) > 1 else ""))
            self.table(slide, [t["month"], t["kpi"], t["action"], t["owner"], t["status"]],
                       [[a.month, a.kpi, a.action, a.owner, a.chip.label] for a in actions], BODY_TOP,
                       [1.2, 3, 6, 1.6, 1.2], [{4: self.palette.status(a.chip.status)} for a in actions])  # fmt: skip

    def quarterly_slides(self) -> None:
        """The quarterly review: each KPI's months of the quarter, its QTD and its change on the
        same months of the last quarter."""
        quarter = self.view.quarterly
        if quarter is None:
            return
        t = self.t
        parts = _chunks(quarter.lines, ROWS_PER_SLIDE)
        for number, lines in enumerate(parts, start=1):
            title = t["quarterly"] + (f" ({number}/{len(parts)})" if len(parts) > 1 else "")
            slide = self.slide(title, quarter.span)
            header = [t["kpi"], *quarter.months, t["qtd"], t["qoq"]]
            rows = [[line.name, *(cell.actual for cell in line.cells), f"{line.qtd_chip.label} {line.qtd}",
                     f"{line.change} {line.change_pct}".strip()] for line in lines]  # fmt: skip
            months = len(quarter.months)
            self.table(slide, header, rows, BODY_TOP, [4, *([1.4] * months), 1.8, 2.2],
                       [{months + 1: self.palette.status(line.qtd_chip.status)} for line in lines],
                       numeric=tuple(range(1, months + 3)))  # fmt: skip

    def finding_slides(self) -> None:
        t = self.t
        findings = [(group.label, f) for group in self.view.finding_groups for f in group.findings]
        parts = _chunks(findings, FINDINGS_PER_SLIDE)
        for number, chunk in enumerate(parts, start=1):
            slide = self.slide(t["findings"] + (f" ({number}/{len(parts)})" if len(parts) > 1 else ""))
            rows = [[f.code, label, xml_safe(f.message), str(f.where or "")] for label, f in chunk]
            self.table(slide, [t["code"], t["status"], t["finding"], t["where"]], rows, BODY_TOP, [1.3, 1.2, 9, 1.5])


def _marked(text: str, drafted: bool, t: dict[str, str]) -> str:
    """Drafted text says so, as in the PDF."""
    return f"{text} [{t['drafted']}]" if drafted else text


def _clipped(text: str) -> str:
    """A comment cut to what a slide holds under its table; the notes keep the long form."""
    return text if len(text) <= COMMENT_CHARS else text[: COMMENT_CHARS - 1].rstrip() + "…"


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """``items`` in as few parts of at most ``size`` as hold them, as even as they go: seven
    actions six a slide are four and three, never six and one alone on a slide."""
    parts = -(-len(items) // size)
    cuts = [-(-len(items) * index // parts) for index in range(parts + 1)] if parts else []
    return [items[cuts[i] : cuts[i + 1]] for i in range(parts)]


def _kgi_row(card: KgiCard) -> list[str]:
    return [card.name, card.actual, card.target, card.progress, card.expected, card.state, card.landing]


def _kpi_row(row: KpiRow) -> list[str]:
    return [row.name, row.target, row.actual, row.attainment, row.chip.label, row.variance,
            f"{row.mom} {row.mom_pct}".strip(), row.yoy, row.ytd]  # fmt: skip


def _notes(rows: Sequence[KpiRow], t: dict[str, str]) -> str:
    """The speaker notes of a department slide: its KPIs' commentary in full, comments and actions."""
    lines = []
    for row in rows:
        if row.commentary:
            lines.append(f"{row.name}: {row.commentary.text}")
        for comment in row.comments:
            lines.append(f"{row.name}: {comment.comment}")
            if comment.action:
                lines.append(f"  {t['action']}: {comment.action}" + (f" ({comment.owner})" if comment.owner else ""))
        lines.extend(f"{row.name}: {t['open_action']}: {action}" for action in row.open_actions)
    return "\n".join(lines)


def _logo_png(data_uri: str | None) -> bytes | None:
    """The theme's logo when it is a PNG or JPEG (a deck cannot show an SVG logo everywhere)."""
    if not data_uri or not data_uri.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")):
        return None
    try:
        return base64.b64decode(data_uri.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


def render_pptx(view: PackView) -> bytes:
    """The deck of one pack, in the theme's colours and font (its family, when it sets one)."""
    deck = _Deck(view, view.palette, view.font_family)
    deck.title_slide()
    deck.key_messages_slide()
    deck.summary_slides()
    for bridge in view.bridges:
        deck.bridge_slide(bridge)
    deck.department_slides()
    deck.trend_slides()
    deck.quarterly_slides()
    deck.action_slides()
    deck.finding_slides()
    deck.prs.core_properties.title = view.title
    deck.prs.core_properties.author = view.company
    output = io.BytesIO()
    deck.prs.save(output)
    return output.getvalue()
