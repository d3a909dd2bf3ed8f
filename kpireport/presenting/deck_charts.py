"""The deck's native charts: a KGI's bridge as a waterfall and a KPI's fiscal year as lines,
drawn as the PDF draws them (:mod:`kpireport.presenting.charts`): the same scale in round
steps, the same line styles (target dashed, last year lighter, the outlook dotted), and every
value axis and data label in a number format of the pack's locale (¥730M, ¥7.30億, 12%), so a
chart's data stays the figures themselves and PowerPoint's "Edit Data" shows them whole.

Functions over the deck of :mod:`kpireport.presenting.deck`, as its own slide methods are:
they read only the view model."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pptx.chart import data as chart_data
from pptx.chart import xlsx as chart_xlsx
from pptx.dml import color
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt
from xlsxwriter import Workbook

from kpireport.presenting.charts import TrendLines, WaterfallBar, nice_ticks, outlook_line, trend_ticks, waterfall_scale

if TYPE_CHECKING:
    from kpireport.presenting.deck import _Deck
    from kpireport.presenting.view import BridgeView, TrendView

WATERFALL_TICKS = 4
"""About this many steps on a bridge's value axis."""
LABEL_ROOM = 0.08
"""Room above a bridge's highest bar for its label, as a share of the axis."""
CHART_TEXT = 9
ACTUAL_WIDTH, LINE_WIDTH = Pt(2), Pt(1.5)

# python-pptx leaves these untyped; they are used through Any.
_RGB: Any = color.RGBColor
_CATEGORY_DATA: Any = chart_data.CategoryChartData
_CATEGORY_WRITER: Any = chart_xlsx.CategoryWorkbookWriter


def rgb(colour: str) -> Any:
    return _RGB.from_string(colour.lstrip("#").upper())


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


def _stacked(bar: WaterfallBar) -> tuple[float, float]:
    """A bar as stacked columns draw it: the invisible base under it and its own height. A
    total stands on the axis; an effect floats from the running total before it (below zero,
    both are negative, as stacked columns stack downwards there)."""
    if bar.tone == "total":
        return 0.0, bar.end
    low, high = sorted((bar.start, bar.end))
    if high <= 0:
        return high, low - high
    foot = max(low, 0.0)
    return foot, high - foot


def _value_axis(deck: _Deck, chart: Any, unit: str, ticks: list[float]) -> None:
    """A value axis from the first tick to the last, a gridline at each, labelled in the
    pack's number format; no axis line (the gridlines carry the scale, as in the PDF)."""
    axis = chart.value_axis
    step = ticks[1] - ticks[0] if len(ticks) > 1 else abs(ticks[0]) or 1.0
    axis.minimum_scale, axis.maximum_scale, axis.major_unit = ticks[0], ticks[-1], step
    axis.tick_labels.number_format = deck.view.fmt.axis_format(unit, max(abs(ticks[0]), abs(ticks[-1])), step)
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = rgb(deck.palette.track)
    axis.format.line.fill.background()


def _text(deck: _Deck, chart: Any) -> None:
    """Every text of a chart (axes, legend) at CHART_TEXT points in the deck's faces."""
    chart.font.size = Pt(CHART_TEXT)
    deck.face(chart.font._rPr)


def _describe(frame: Any, alt: str) -> None:
    """A chart's text alternative, as PowerPoint's Alt Text (the shape's description)."""
    frame._element.nvGraphicFramePr.cNvPr.set("descr", alt)


def _point_format(series: Any, index: int, code: str) -> None:
    """One data label's number format (python-pptx sets only the series')."""
    label = series.points[index].data_label._get_or_add_dLbl()
    label.insert(1, label.makeelement(qn("c:numFmt"), {"formatCode": code, "sourceLinked": "0"}))
    label.get_or_add_dLblPos().set("val", "inBase")


def waterfall_chart(deck: _Deck, slide: Any, bridge: BridgeView, left: int, top: int, width: int, height: int) -> None:
    """A bridge as stacked columns: an invisible base up to each bar's foot, the bar (plan and
    actual in the theme's colour, each driver's effect in its tone's), and an invisible bar on
    top whose label is the bar's figure as the PDF writes it (¥751.1M, +¥7.6M), just above it."""
    fmt, unit, bars = deck.view.fmt, bridge.unit, bridge.bars
    data = _ChartData(number_format=fmt.excel_format(unit))
    data.categories = [bar.label for bar in bars]
    stacks = [_stacked(bar) for bar in bars]
    data.add_series("base", [base for base, _ in stacks])
    names = {"total": deck.t["actual"], "good": "+", "bad": "−"}
    for tone, name in names.items():
        data.add_series(name, [size if bar.tone == tone else None for bar, (_, size) in zip(bars, stacks, strict=True)])
    # The labels' bar holds each figure as the PDF shows it (¥7.6M as 7.6): it is invisible,
    # and sits on its bar, so its label is just above it.
    data.add_series("label", [size for size, _ in bridge.labels])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_STACKED, Emu(left), Emu(top), Emu(width), Emu(height), data)
    chart = frame.chart
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = 100
    base, *shown, labels = plot.series
    for series in (base, labels):
        series.format.fill.background()
        series.format.line.fill.background()
    for series, colour in zip(shown, (deck.palette.line, deck.palette.green, deck.palette.red), strict=True):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = rgb(colour)
    floor, ceiling = waterfall_scale(bars)
    _value_axis(deck, chart, unit, nice_ticks(floor, ceiling + (ceiling - floor) * LABEL_ROOM, WATERFALL_TICKS))
    chart.has_legend = False
    _text(deck, chart)
    texts = labels.data_labels
    texts.show_value = True
    texts.position = XL_LABEL_POSITION.INSIDE_BASE
    texts.font.size = Pt(CHART_TEXT + 1)
    texts.font.bold = True
    for index, (_, code) in enumerate(bridge.labels):
        _point_format(labels, index, code)
    _describe(frame, bridge.sentence + " " + bridge.span)


def trend_chart(deck: _Deck, slide: Any, trend: TrendView, left: int, top: int, width: int, height: int) -> None:
    """A KPI's fiscal year as the PDF draws it: actual (solid), target (dashed), last year
    (lighter) and the outlook from the last actual on (dotted), on the PDF's scale."""
    t = deck.t
    lines = TrendLines(trend.target, trend.actual, trend.prior, trend.outlook)
    outlook = outlook_line(lines)
    drawn = [
        (t["legend_actual"], trend.actual, deck.palette.line, ACTUAL_WIDTH, None),
        (t["legend_target"], trend.target, deck.palette.target, LINE_WIDTH, MSO_LINE_DASH_STYLE.DASH),
        (t["legend_prior"], trend.prior, deck.palette.prior, LINE_WIDTH, None),
    ]
    if any(v is not None for v in outlook):
        dotted = MSO_LINE_DASH_STYLE.ROUND_DOT
        drawn.append((t["legend_outlook"], tuple(outlook), deck.palette.line, LINE_WIDTH, dotted))
    data = _ChartData(number_format=trend.number_format)
    data.categories = list(trend.months)
    for name, values, *_ in drawn:
        data.add_series(name, list(values))
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE, Emu(left), Emu(top), Emu(width), Emu(height), data)
    chart = frame.chart
    _text(deck, chart)
    chart.has_title = True
    chart.chart_title.text_frame.text = trend.name
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            deck.style(run, 12, bold=True)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    _value_axis(deck, chart, trend.unit, trend_ticks(lines))
    for series, (_, _, colour, weight, dash) in zip(chart.plots[0].series, drawn, strict=True):
        line = series.format.line
        line.color.rgb = rgb(colour)
        line.width = weight
        if dash is not None:
            line.dash_style = dash
        series.smooth = False
    _describe(frame, trend.alt)
