"""Inline SVG charts: no JavaScript, the same markup in HTML and PDF.

Paths are compact (relative coordinates, one decimal) because WeasyPrint lays out every
chart of every row: small markup is fast markup.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from kpireport.model import Status
from kpireport.presenting.palette import DEFAULT_PALETTE, Palette


def _figure(css: str, width: float, height: float, body: str, label: str, attributes: str = "") -> Markup:
    """An inline SVG chart with its text alternative: ``<title>`` (WeasyPrint writes it as the
    PDF figure's /Alt) and ``aria-label`` (what a screen reader says in the HTML)."""
    alt = Markup.escape(label)
    return Markup(
        f'<svg class="{css}" viewBox="0 0 {width:g} {height:.0f}" {attributes}role="img" aria-label="{alt}">'
        f"<title>{alt}</title>{body}</svg>"
    )


def _sized(width: float, height: float, font: str) -> str:
    # SVG text does not inherit the page's font; without the family WeasyPrint embeds another face.
    return f'width="{width:g}" height="{height:.0f}" font-family="{Markup.escape(font)}" '


def _path(points: Sequence[tuple[float, float] | None]) -> str:
    """An SVG path through the points, broken where a point is missing (no data)."""
    parts: list[str] = []
    pen_down = False
    for point in points:
        if point is None:
            pen_down = False
            continue
        x, y = point
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
        pen_down = True
    return "".join(parts)


def progress_bar(
    progress: float | None,
    expected: float | None,
    status: Status,
    *,
    label: str = "",
    palette: Palette = DEFAULT_PALETTE,
) -> Markup:
    """A KGI's progress bar, in its state's colour, with a marker where progress should be by now."""
    width, height = 220.0, 14.0
    fill = 0.0 if progress is None else max(0.0, min(progress, 1.0)) * width
    colour = palette.status(status)
    marker = ""
    if expected is not None:
        x = max(0.0, min(expected, 1.0)) * width
        marker = f'<path stroke="{palette.marker}" stroke-width="2" d="M{x:.1f} 0V{height:g}"/>'
    body = (
        f'<rect fill="{palette.track}" width="{width:g}" height="{height:g}" rx="3"/>'
        f'<rect fill="{colour}" width="{fill:.1f}" height="{height:g}" rx="3"/>{marker}'
    )
    return _figure("bar", width, height, body, label, 'preserveAspectRatio="none" ')


@dataclass(frozen=True)
class TreeKpi:
    id: str
    name: str
    department: str
    status: Status
    note: str
    status_label: str = ""
    """The status in words (the square's colour is not enough for a screen reader)."""


@dataclass(frozen=True)
class TreeKgi:
    name: str
    note: str
    status: Status
    """The goal's state as a status colour."""
    kpis: tuple[TreeKpi, ...]
    state: str = ""
    """The KGI's state in words, for the drawing's text alternative."""


def _fit(text: str, width: float, size: float) -> str:
    """Shorten ``text`` to about ``width`` px at font ``size``: SVG text does not wrap."""
    used = 0.0
    for index, char in enumerate(text):
        used += size * (1.0 if unicodedata.east_asian_width(char) in "WF" else 0.56)
        if used > width:
            return text[: max(index - 1, 0)] + "…"
    return text


def _svg_text(
    x: float,
    y: float,
    text: str,
    size: float,
    fill: str,
    *,
    bold: bool = False,
    anchor: str = "start",
    kpi: str = "",
) -> str:
    """A label; ``kpi`` names the KPI it stands for (the interactive HTML links it to the
    KPI's detail; WeasyPrint ignores the attribute)."""
    weight = ' font-weight="bold"' if bold else ""
    anchored = "" if anchor == "start" else f' text-anchor="{anchor}"'
    linked = f' data-kpi="{Markup.escape(kpi)}"' if kpi else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}"{weight}{anchored}{linked}>'
        f"{Markup.escape(text)}</text>"
    )


@dataclass(frozen=True)
class WaterfallBar:
    """One bar of a bridge: a total (planned, actual) standing on the axis, or a driver's
    effect floating from the running total before it to the one after it."""

    label: str
    value_text: str
    start: float
    end: float
    tone: str
    """"total", "good" or "bad": the colour, decided by the view."""
    kpi: str = ""
    """The driver's KPI id (none for the totals)."""


# A chart's scale is worked out in floats: a computed figure past this (shown as 1.0E+305) is
# drawn at the edge, so no span, step or coordinate overflows; a span below the smallest step
# (targets of 5e-324) is drawn as that step.
PLOT_LIMIT = 1e300
SMALLEST_STEP = 1e-300


def plottable(value: float) -> float:
    """``value`` where a chart can draw it: within ±PLOT_LIMIT."""
    return max(-PLOT_LIMIT, min(PLOT_LIMIT, value))


def waterfall_scale(bars: Sequence[WaterfallBar]) -> tuple[float, float]:
    """Where a bridge's value axis starts and ends: below the lowest running total, deep
    enough that plan and actual read as totals of like size (not as 1 against 3), at zero when
    that is near; the same for the pack's drawing and a deck's native chart."""
    levels = [plottable(v) for bar in bars for v in (bar.start, bar.end)]
    low, high = min(levels), max(levels)
    span = high - low or abs(high) or 1.0
    floor = low - span * 2.5
    if low >= 0 and floor < 0:
        floor = 0.0
    return floor, high + span * 0.1


def waterfall(
    bars: Sequence[WaterfallBar], *, label: str, palette: Palette = DEFAULT_PALETTE, font: str = "sans-serif"
) -> Markup:
    """A bridge from plan to actual. The value axis starts near the lowest running total, not
    at zero: the drivers' effects are a few percent of the totals and would otherwise be
    invisible. The totals' bars carry a break mark to say they are cut, and every bar its value."""
    # Wide and low, so a bridge shares its page with the movers above it.
    width, height, top, bottom = 600.0, 210.0, 26.0, 172.0
    floor, ceiling = waterfall_scale(bars)

    def y(value: float) -> float:
        return bottom - (plottable(value) - floor) / (ceiling - floor) * (bottom - top)

    slot = width / len(bars)
    bar_w = min(slot * 0.6, 70.0)
    colours = {"total": palette.line, "good": palette.green, "bad": palette.red}
    shapes: list[str] = [f'<path d="M0 {bottom:g}H{width:g}" stroke="{palette.target}"/>']
    texts: list[str] = []
    size = 11.0
    for index, bar in enumerate(bars):
        x = index * slot + (slot - bar_w) / 2
        total = bar.tone == "total"
        y0, y1 = (bottom, y(bar.end)) if total else (y(bar.start), y(bar.end))
        upper, lower = min(y0, y1), max(y0, y1)
        shapes.append(
            f'<rect x="{x:.1f}" y="{upper:.1f}" width="{bar_w:.1f}" height="{max(lower - upper, 1.0):.1f}" '
            f'fill="{colours[bar.tone]}"/>'
        )
        if total and floor > 0:
            # The break mark: this bar's foot is below the axis shown.
            slash = f"l{bar_w + 4:.1f} -6"
            shapes.append(
                f'<path d="M{x - 2:.1f} {bottom - 9:.1f}{slash}M{x - 2:.1f} {bottom - 5:.1f}{slash}" '
                f'stroke="#fff" stroke-width="2.5"/>'
            )
        if index + 1 < len(bars):
            # The connector carries the running total to the next bar.
            shapes.append(
                f'<path d="M{x + bar_w:.1f} {y(bar.end):.1f}H{(index + 1) * slot + (slot - bar_w) / 2:.1f}" '
                f'stroke="{palette.target}" stroke-dasharray="2 2"/>'
            )
        centre = x + bar_w / 2
        texts.append(_svg_text(centre, upper - 5, bar.value_text, size, palette.marker, bold=total, anchor="middle"))
        texts.append(
            _svg_text(
                centre,
                bottom + 16,
                _fit(bar.label, slot - 4, size),
                size,
                palette.marker,
                anchor="middle",
                kpi=bar.kpi,
            )
        )
    return _figure("waterfall", width, height, "".join(shapes) + "".join(texts), label, _sized(width, height, font))


# KPI rows per tree drawing: one drawing, at the width pack.css gives it (.tree), fits an A4
# landscape page below the section heading. A larger KGI is drawn in parts of equal size, one
# per page (50 KPIs take two pages, not three).
TREE_ROWS_PER_PART = 26


def by_department(kpis: Iterable[TreeKpi]) -> dict[str, list[TreeKpi]]:
    """A tree's KPIs by department, the departments in the order of their first KPI: the rows
    of the drawing, and of the list a narrow screen shows instead."""
    grouped: dict[str, list[TreeKpi]] = {}
    for kpi in kpis:
        grouped.setdefault(kpi.department, []).append(kpi)
    return grouped


def kgi_tree(kgi: TreeKgi, *, palette: Palette = DEFAULT_PALETTE, font: str = "sans-serif") -> tuple[Markup, ...]:
    """One KGI on the left, its departments in the middle, their KPIs on the right, each KPI
    marked with its status colour and its attainment as text (readable in grey-scale).

    A KGI with more KPIs than fit a page is drawn in parts ("name (1/3)"…), so no KPI is ever
    cut off at the bottom of the page."""
    ordered = [kpi for kpis in by_department(kgi.kpis).values() for kpi in kpis]
    parts = max(1, -(-len(ordered) // TREE_ROWS_PER_PART))
    size = -(-len(ordered) // parts) if ordered else 0
    if parts == 1:
        return (_tree_part(kgi.name, kgi, ordered, palette, font),)
    return tuple(
        _tree_part(f"{kgi.name} ({index + 1}/{parts})", kgi, ordered[index * size : (index + 1) * size], palette, font)
        for index in range(parts)
    )


def _tree_part(title: str, kgi: TreeKgi, kpis: list[TreeKpi], palette: Palette, font: str) -> Markup:
    row, size = 18.0, 8.5
    kgi_w, dept_x, dept_w, kpi_x, kpi_w = 190.0, 230.0, 130.0, 395.0, 360.0
    width = kpi_x + kpi_w
    departments = by_department(kpis)
    height = max(row * max(len(kpis), 1) + 8, 60.0)
    mid_y = height / 2
    colour = palette.status(kgi.status)
    parts = [
        f'<rect x="0" y="{mid_y - 22:.1f}" width="{kgi_w:g}" height="44" rx="4" fill="#fff" '
        f'stroke="{colour}" stroke-width="2"/>',
        _svg_text(8, mid_y - 5, _fit(title, kgi_w - 16, size + 1), size + 1, palette.marker, bold=True),
        _svg_text(8, mid_y + 12, _fit(kgi.note, kgi_w - 16, size), size, colour),
    ]
    y = 4.0
    connectors: list[str] = []
    squares: dict[str, list[str]] = {}
    for department, members in departments.items():
        dept_y = y + row * len(members) / 2
        connectors.append(
            f"M{kgi_w:g} {mid_y:.1f}C{kgi_w + 20:g} {mid_y:.1f} {dept_x - 20:g} {dept_y:.1f} {dept_x:g} {dept_y:.1f}"
        )
        parts.append(
            _svg_text(dept_x + 4, dept_y + 3, _fit(department, dept_w - 8, size), size, palette.line, bold=True)
        )
        for kpi in members:
            kpi_y = y + row / 2
            status = palette.status(kpi.status)
            connectors.append(f"M{dept_x + dept_w - 6:g} {dept_y:.1f}L{kpi_x - 8:g} {kpi_y:.1f}")
            squares.setdefault(status, []).append(f"M{kpi_x:g} {kpi_y - 6:.1f}h12v12h-12z")
            parts.append(
                _svg_text(kpi_x + 18, kpi_y + 3, _fit(kpi.name, kpi_w - 80, size), size, palette.marker, kpi=kpi.id)
            )
            parts.append(_svg_text(width - 2, kpi_y + 3, kpi.note, size, status, anchor="end"))
            y += row
    # One path for every connector and one per status colour keep the element count low.
    parts.insert(0, f'<path d="{"".join(connectors)}" fill="none" stroke="{palette.target}"/>')
    parts.extend(f'<path d="{"".join(d)}" fill="{colour}"/>' for colour, d in squares.items())
    # The text alternative reads the drawing: the goal and its state, then each KPI as shown.
    shown = [f"{kpi.name} {kpi.note} {kpi.status_label}".strip() for kpi in kpis]
    label = f"{title}: {kgi.note} {kgi.state}".strip() + (". " + "; ".join(shown) if shown else "")
    return _figure("tree", width, height, "".join(parts), label, _sized(width, height, font))


@dataclass(frozen=True)
class TrendLines:
    """One KPI's fiscal year for :func:`trend_panel`: for each line, a value a month (None
    where a month has none)."""

    target: Sequence[float | None]
    actual: Sequence[float | None]
    prior: Sequence[float | None]
    outlook: Sequence[float | None]


def nice_ticks(low: float, high: float, count: int = 3) -> list[float]:
    """About ``count`` round steps (1, 2 or 5 × a power of ten, so a tick reads exactly with
    one decimal in a compact label: ¥2.2M, never 2.25M shown as 2.2M) from a multiple below
    ``low`` to one at or above ``high``."""
    low, high = plottable(low), plottable(high)
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = max((high - low) / count, SMALLEST_STEP)
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw * (1 - 1e-9))
    first = math.floor(low / step + 1e-9) * step  # 0.015 / 0.005 is 2.9999999999999996
    ticks = [first]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(ticks[-1] + step)
    return ticks


# A trend chart's text size in its own units: the chart is drawn at 160 units across a card a
# sixth of an A4 landscape page wide (about 42 mm), where 10 units print at 7.5 pt.
TREND_TEXT = 10.0
# Where a trend chart's plot starts and ends across its width: pack.css places the quarters'
# month names (.trend-months, HTML under the chart: WeasyPrint lays SVG text out a letter at a
# time, four times what the same names cost as HTML) under these, so the two go together.
TREND_WIDTH, TREND_LEFT, TREND_RIGHT = 160.0, 44.0, 4.0


def _trend_values(lines: TrendLines) -> list[float]:
    return [v for series in (lines.target, lines.actual, lines.prior, lines.outlook) for v in series if v is not None]


def trend_ticks(lines: TrendLines, values: Sequence[float] | None = None) -> list[float]:
    """A trend chart's scale: the values' own (every line's, the outlook's too), in round
    steps from the bottom tick to the top one; the PDF's drawing and the deck's chart share it.
    ``values`` are the lines' values where the caller has them already."""
    values = _trend_values(lines) if values is None else values
    return nice_ticks(min(values, default=0.0), max(values, default=1.0), count=2)


def outlook_line(lines: TrendLines) -> list[float | None]:
    """The outlook as drawn: from the last actual on, so it reads as the actual's continuation
    (no line where no month after the last actual has an outlook)."""
    months = len(lines.target)
    last = max((i for i, v in enumerate(lines.actual) if v is not None), default=None)
    if last is None or not any(v is not None for v in lines.outlook[last + 1 :]):
        return [None] * months
    return [None] * last + [lines.actual[last], *lines.outlook[last + 1 :]]


def trend_panel(
    lines: TrendLines,
    axis: Callable[[float, float, float], str],
    *,
    label: str = "",
    width: float = TREND_WIDTH,
    height: float = 132,
    palette: Palette = DEFAULT_PALETTE,
    font: str = "sans-serif",
) -> Markup:
    """A fiscal year as lines, one tick a month: actual (solid), target (dashed), last year's
    actual (light) and the outlook for the months to come (dotted, from the last actual).
    The scale is the values' own (a rate of 12-14% fills the chart as a count of thousands
    does); ``axis(value, step, largest)`` formats the tick labels in the pack's locale, in one
    unit for the axis. The chart's
    title and the months under its axis belong to the page around it (see TREND_LEFT)."""
    months = len(lines.target)
    if not months:
        return Markup("")
    size = TREND_TEXT
    left, right, top, bottom = TREND_LEFT, TREND_RIGHT, 6.0, 8.0
    values = _trend_values(lines)
    ticks = trend_ticks(lines, values)
    bottom_value, top_value = ticks[0], ticks[-1]
    span = (top_value - bottom_value) or 1.0
    plot_h = height - top - bottom
    step = (width - left - right) / months

    def x(index: int) -> float:
        return left + (index + 0.5) * step

    # Clamped only where some value is past what a chart draws: a pack draws thousands of points.
    clamp = any(not -PLOT_LIMIT <= v <= PLOT_LIMIT for v in values)

    def y(value: float) -> float:
        if clamp:
            value = plottable(value)
        return top + plot_h - (value - bottom_value) / span * plot_h

    def points(series: Sequence[float | None]) -> list[tuple[float, float] | None]:
        return [None if v is None else (x(i), y(v)) for i, v in enumerate(series)]

    outlook = points(outlook_line(lines))
    # Gridlines and a tick under each month share one path (a longer tick where a quarter
    # starts); each line style is one path more (WeasyPrint draws every element of every
    # chart, so fewer is faster).
    axis_y = height - bottom
    grid = "".join(f"M{left:.1f} {y(t):.1f}H{width - right:.1f}" for t in ticks) + "".join(
        f"M{x(i):.1f} {axis_y:.1f}v{4 if i % 3 == 0 else 2}" for i in range(months)
    )
    lines_drawn = (
        (f'stroke="{palette.prior}" stroke-width="1.5"', _path(points(lines.prior))),
        (f'stroke="{palette.target}" stroke-width="1.5" stroke-dasharray="4 3"', _path(points(lines.target))),
        (f'stroke="{palette.line}" stroke-width="1.5" stroke-dasharray="1.5 2.5"', _path(outlook)),
        (f'stroke="{palette.line}" stroke-width="2" stroke-linejoin="round"', _path(points(lines.actual))),
    )
    parts = [f'<path stroke="{palette.track}" stroke-width="1" d="{grid}"/>'] + [
        f'<path fill="none" {style} d="{d}"/>'
        for style, d in lines_drawn
        if d  # no empty elements
    ]
    step_value = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    # Text is what WeasyPrint spends most on in a chart (about 0.8 ms an element): the top and
    # bottom ticks carry each chart's own scale; the months are named by the page.
    largest = max(abs(ticks[0]), abs(ticks[-1]))
    texts = [
        _svg_text(left - 3, y(t) + size * 0.35, axis(t, step_value, largest), size, palette.marker, anchor="end")
        for t in (ticks[0], ticks[-1])
    ]
    return _figure("trend", width, height, "".join(parts) + "".join(texts), label, _sized(width, height, font))
