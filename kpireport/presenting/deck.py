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
import contextlib
import io
from collections.abc import Iterator, Sequence
from typing import Any

from pptx import Presentation
from pptx.chart import data as chart_data
from pptx.chart import xlsx as chart_xlsx
from pptx.dml import color
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt
from xlsxwriter import Workbook

from kpireport.presenting.charts import WaterfallBar, waterfall_scale
from kpireport.presenting.clipping import xml_safe
from kpireport.presenting.deck_actions import tracked_action_slides, under_table_box
from kpireport.presenting.palette import BASE_COLORS, Palette
from kpireport.presenting.view import BridgeView, KgiCard, KpiRow, PackView, TrendView

# Layout, in EMU (914,400 to the inch): a 13.333 × 7.5 inch (16:9) slide.
WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)
MARGIN = Emu(457_200)
TITLE_TOP, BODY_TOP = Emu(300_000), Emu(1_150_000)
BODY_WIDTH = Emu(WIDTH - 2 * MARGIN)
ROWS_PER_SLIDE = 10
ROWS_WITH_COMMENTS = 7
COMMENT_CHARS = 240
KGIS_PER_SLIDE = 6
TRENDS_PER_SLIDE = 4
ACTIONS_PER_SLIDE = 10
FINDINGS_PER_SLIDE = 8
BLANK_LAYOUT = 6
EAST_ASIAN_FACE = "IPAexGothic"
LATIN_FACE = "Arial"


# python-pptx leaves these untyped; they are used through Any.
_RGB: Any = color.RGBColor
_CATEGORY_DATA: Any = chart_data.CategoryChartData
_CATEGORY_WRITER: Any = chart_xlsx.CategoryWorkbookWriter


class _TextWorkbookWriter(_CATEGORY_WRITER):  # type: ignore[misc]
    """The workbook PowerPoint's "Edit Data" opens, with workbook text kept as text.

    python-pptx writes a chart's data with XlsxWriter, whose ``write`` turns a string that
    starts with ``=`` into a formula and one that starts with ``http://``, ``mailto:`` or
    ``external:`` into a hyperlink: a KPI named ``=cmd|' /C calc'!A0`` would run in Excel.
    XlsxWriter's options turn both off for the whole workbook, whatever python-pptx writes.
    """

    @contextlib.contextmanager
    def _open_worksheet(self, xlsx_file: io.BytesIO) -> Iterator[tuple[Any, Any]]:
        workbook = Workbook(xlsx_file, _TEXT_ONLY)
        yield workbook, workbook.add_worksheet()
        workbook.close()


_TEXT_ONLY = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


class _ChartData(_CATEGORY_DATA):  # type: ignore[misc]
    """A category chart's data whose embedded workbook holds text as text."""

    @property
    def _workbook_writer(self) -> Any:
        return _TextWorkbookWriter(self)


def _rgb(colour: str) -> Any:
    return _RGB.from_string(colour.lstrip("#").upper())


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

    # -- text -----------------------------------------------------------------------------------

    def style(self, run: Any, size: float, *, bold: bool = False, colour: str = BASE_COLORS["ink"]) -> None:
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = _rgb(colour)
        self.face(run.font, run._r.get_or_add_rPr())

    def face(self, font: Any, properties: Any) -> None:
        """The Latin typeface, and for a Japanese deck the East Asian one (``a:ea``), which
        python-pptx does not expose."""
        font.name = self.latin
        if self.ea:
            east_asian = properties.find(qn("a:ea"))
            if east_asian is None:
                east_asian = properties.makeelement(qn("a:ea"), {})
                properties.append(east_asian)
            east_asian.set("typeface", self.ea)

    def chart_text(self, chart: Any) -> None:
        """Every text of a chart (axes, legend) at 9 pt in the deck's faces."""
        chart.font.size = Pt(9)
        self.face(chart.font, chart.font._rPr)

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
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[BLANK_LAYOUT])
        lines = [(title, 24, True)] + ([(subtitle, 12, False)] if subtitle else [])
        self.text(slide, MARGIN, TITLE_TOP, BODY_WIDTH, Emu(800_000), lines, colour=self.palette.line)
        footer = f"{self.view.company} · {self.view.month}"
        self.text(slide, MARGIN, HEIGHT - Emu(380_000), BODY_WIDTH, Emu(300_000), [(footer, 9, False)],
                  colour=BASE_COLORS["muted"])  # fmt: skip
        return slide

    def table(self, slide: Any, header: Sequence[str], rows: Sequence[Sequence[str]], top: int, widths: Sequence[float],
              fills: Sequence[dict[int, str]] | None = None, numeric: Sequence[int] = (),
              inks: Sequence[dict[int, str]] | None = None, left: int = MARGIN,
              width: int = BODY_WIDTH) -> Any:  # fmt: skip
        """A native table: a header row in the theme's colour, then ``rows``; ``fills`` gives a
        row's cells a status colour (white bold text), ``inks`` a text colour."""
        height = Emu(330_000 * (len(rows) + 1))
        shape = slide.shapes.add_table(len(rows) + 1, len(header), Emu(left), Emu(top), Emu(width), height)
        table = shape.table
        total = sum(widths)
        for col, share in enumerate(widths):
            table.columns[col].width = Emu(int(width * share / total))
        for r, values in enumerate([list(header), *[list(v) for v in rows]]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.text = ""
                paragraph = cell.text_frame.paragraphs[0]
                paragraph.alignment = PP_ALIGN.RIGHT if c in numeric else PP_ALIGN.LEFT
                run = paragraph.add_run()
                run.text = value
                fill = fills[r - 1].get(c) if fills and r else None
                ink = inks[r - 1].get(c) if inks and r else None
                if r == 0:
                    self.style(run, 10, bold=True, colour="#FFFFFF")
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = _rgb(self.palette.line)
                elif fill:
                    self.style(run, 10, bold=True, colour="#FFFFFF")
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = _rgb(fill)
                else:
                    self.style(run, 10, colour=ink or BASE_COLORS["ink"])
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = _rgb("#FFFFFF" if r % 2 else BASE_COLORS["band"])
        return shape

    @staticmethod
    def describe(frame: Any, alt: str) -> None:
        """A chart's text alternative, as PowerPoint's Alt Text (the shape's description)."""
        frame._element.nvGraphicFramePr.cNvPr.set("descr", alt)

    # -- slides ---------------------------------------------------------------------------------

    def title_slide(self) -> None:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[BLANK_LAYOUT])
        view = self.view
        logo = _logo_png(view.logo)
        if logo is not None:
            slide.shapes.add_picture(io.BytesIO(logo), MARGIN, Emu(500_000), height=Emu(700_000))
        self.text(slide, MARGIN, Emu(2_200_000), BODY_WIDTH, Emu(2_400_000), [
            (view.company, 36, True), (view.title, 22, False), (f"{self.t['prepared']}: {view.prepared}", 12, False),
        ], colour=self.palette.line)  # fmt: skip

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
        data = _ChartData(number_format="#,##0")
        data.categories = [bar.label for bar in bridge.bars]
        floor, ceiling = waterfall_scale(bridge.bars)
        # A waterfall as stacked columns: an invisible base up to each bar's foot, then the bar.
        base: list[float | None] = [0.0 if bar.tone == "total" else min(bar.start, bar.end) for bar in bridge.bars]
        for tone in ("total", "good", "bad"):
            values = [_height(bar) if bar.tone == tone else None for bar in bridge.bars]
            data.add_series({"total": self.t["actual"], "good": "+", "bad": "−"}[tone], values)
        data.add_series("base", base)
        frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_STACKED, MARGIN, BODY_TOP + Emu(700_000),
                                       Emu(int(BODY_WIDTH * 0.62)), Emu(4_300_000), data)  # fmt: skip
        chart = frame.chart
        plot = chart.plots[0]
        plot.gap_width = 60
        plot.overlap = 100
        series = list(plot.series)
        # The base is drawn first (at the axis), the bars on top of it.
        plot._element.remove(series[3]._element)
        plot._element.insert(plot._element.index(series[0]._element), series[3]._element)
        for item, colour in zip(series[:3], (self.palette.line, self.palette.green, self.palette.red), strict=True):
            item.format.fill.solid()
            item.format.fill.fore_color.rgb = _rgb(colour)
        series[3].format.fill.background()
        chart.value_axis.minimum_scale = floor
        chart.value_axis.maximum_scale = ceiling
        chart.value_axis.tick_labels.number_format = "#,##0"
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.has_legend = False
        self.chart_text(chart)
        self.describe(frame, bridge.sentence + " " + bridge.span)
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
                           [_kpi_row(row) for row in rows], BODY_TOP, [4, 1.6, 1.6, 1, 1.2, 1.6, 1.6, 1.2, 1.6],
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
                self.trend_chart(slide, trend, left, top, half_w, half_h)

    def trend_chart(self, slide: Any, trend: TrendView, left: int, top: int, width: int, height: int) -> None:
        data = _ChartData(number_format=trend.number_format)
        data.categories = list(trend.months)
        t = self.t
        for name, values in ((t["legend_actual"], trend.actual), (t["legend_target"], trend.target),
                             (t["legend_prior"], trend.prior)):  # fmt: skip
            data.add_series(name, list(values))
        frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE, Emu(left), Emu(top), Emu(width), Emu(height), data)
        chart = frame.chart
        self.chart_text(chart)
        chart.has_title = True
        chart.chart_title.text_frame.text = trend.name
        for paragraph in chart.chart_title.text_frame.paragraphs:
            for run in paragraph.runs:
                self.style(run, 12, bold=True)
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.value_axis.tick_labels.number_format = trend.number_format
        chart.value_axis.tick_labels.number_format_is_linked = False
        for line, colour in zip(
            chart.plots[0].series, (self.palette.line, self.palette.target, "#B9C0CA"), strict=True
        ):
            line.format.line.color.rgb = _rgb(colour)
            line.smooth = False
        self.describe(frame, trend.alt)

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


def _height(bar: WaterfallBar) -> float:
    """A total stands on the axis; an effect floats from the running total before it."""
    return abs(bar.end) if bar.tone == "total" else abs(bar.end - bar.start)


def _marked(text: str, drafted: bool, t: dict[str, str]) -> str:
    """Drafted text says so, as in the PDF."""
    return f"{text} [{t['drafted']}]" if drafted else text


def _clipped(text: str) -> str:
    """A comment cut to what a slide holds under its table; the notes keep the long form."""
    return text if len(text) <= COMMENT_CHARS else text[: COMMENT_CHARS - 1].rstrip() + "…"


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


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
