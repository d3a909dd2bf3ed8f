"""Inline SVG charts: no JavaScript, the same markup in HTML and PDF.

Paths are compact (relative coordinates, one decimal) because WeasyPrint lays out every
chart of every row: small markup is fast markup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from kpireport.model import Status

STATUS_CLASS: dict[Status, str] = {"green": "st-green", "amber": "st-amber", "red": "st-red", "no_data": "st-none"}


@dataclass(frozen=True)
class Palette:
    """Chart colours, as SVG presentation attributes: WeasyPrint's SVG renderer does not
    apply the page's CSS classes to inline SVG."""

    line: str = "#1f3a5f"
    target: str = "#8a8f98"
    track: str = "#e4e8ee"
    marker: str = "#1d2430"
    green: str = "#2e7d32"
    amber: str = "#b26a00"
    red: str = "#c62828"
    none: str = "#8a8f98"

    def status(self, status: Status) -> str:
        return {"green": self.green, "amber": self.amber, "red": self.red, "no_data": self.none}[status]


DEFAULT_PALETTE = Palette()


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


def trend_chart(
    actuals: Sequence[float | None],
    targets: Sequence[float | None],
    status: Status,
    *,
    width: float = 96,
    height: float = 26,
    label: str = "",
    palette: Palette = DEFAULT_PALETTE,
) -> Markup:
    """Twelve months: actuals as bars (the report month's in its status colour) against the
    target as a dashed line. Months without data leave a gap, never a zero bar."""
    pad = 2.0
    present = [v for v in [*actuals, *targets] if v is not None]
    # Bars stand on zero, and the chart's top is its own largest value: a rate of 12-14% fills
    # the chart as a count of thousands does (a fixed floor of 1.0 drew it as a flat line).
    low = min([0.0, *present])
    high = max([0.0, *present])
    scale = (height - 2 * pad) / (high - low if high > low else 1.0)
    step = (width - 2 * pad) / max(len(actuals), 1)
    base_y = height - pad - (0 - low) * scale
    last = max((i for i, v in enumerate(actuals) if v is not None), default=None)
    # All earlier months' bars are one path and the report month's bar one rect: WeasyPrint
    # lays out and draws every SVG element, so fewer elements is a faster pack.
    history: list[str] = []
    current = ""
    bar_width = step * 0.64
    for index, value in enumerate(actuals):
        if value is None:
            continue
        x = pad + index * step + step * 0.18
        y = height - pad - (value - low) * scale
        top, size = min(y, base_y), max(abs(base_y - y), 0.6)
        if index == last:
            current = (
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_width:.1f}" height="{size:.1f}" '
                f'fill="{palette.status(status)}"/>'
            )
        else:
            history.append(f"M{x:.1f} {top:.1f}h{bar_width:.1f}v{size:.1f}h{-bar_width:.1f}z")
    target_points = [
        None if value is None else (pad + (i + 0.5) * step, height - pad - (value - low) * scale)
        for i, value in enumerate(targets)
    ]
    bars = f'<path fill="{palette.line}" fill-opacity=".45" d="{"".join(history)}"/>' if history else ""
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
        f'role="img" aria-label="{Markup.escape(label)}">{bars}{current}'
        f'<path fill="none" stroke="{palette.marker}" stroke-width="1" stroke-dasharray="2.5 1.5" '
        f'd="{_path(target_points)}"/></svg>'
    )


def progress_bar(
    progress: float | None,
    expected: float | None,
    on_track: bool | None,
    *,
    label: str = "",
    palette: Palette = DEFAULT_PALETTE,
) -> Markup:
    """A KGI's progress bar with a marker where progress should be by now."""
    width, height = 220.0, 14.0
    fill = 0.0 if progress is None else max(0.0, min(progress, 1.0)) * width
    colour = palette.none if on_track is None else palette.green if on_track else palette.red
    marker = ""
    if expected is not None:
        x = max(0.0, min(expected, 1.0)) * width
        marker = f'<path stroke="{palette.marker}" stroke-width="2" d="M{x:.1f} 0V{height:g}"/>'
    return Markup(
        f'<svg class="bar" viewBox="0 0 {width:g} {height:g}" preserveAspectRatio="none" '
        f'role="img" aria-label="{Markup.escape(label)}">'
        f'<rect fill="{palette.track}" width="{width:g}" height="{height:g}" rx="3"/>'
        f'<rect fill="{colour}" width="{fill:.1f}" height="{height:g}" rx="3"/>{marker}</svg>'
    )


@dataclass(frozen=True)
class TreeKpi:
    name: str
    department: str
    status: Status
    note: str


@dataclass(frozen=True)
class TreeKgi:
    name: str
    note: str
    on_track: bool | None
    kpis: tuple[TreeKpi, ...]


def _fit(text: str, width: float, size: float) -> str:
    """Shorten ``text`` to about ``width`` px at font ``size``: SVG text does not wrap."""
    used = 0.0
    for index, char in enumerate(text):
        used += size * (1.0 if unicodedata.east_asian_width(char) in "WF" else 0.56)
        if used > width:
            return text[: max(index - 1, 0)] + "…"
    return text


def _svg_text(x: float, y: float, text: str, size: float, fill: str, *, bold: bool = False, end: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    anchor = ' text-anchor="end"' if end else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}"{weight}{anchor}>{Markup.escape(text)}</text>'
    )


# KPI rows per tree drawing: one drawing, scaled to the page width, fits an A4 landscape page
# below the section heading. A larger KGI is drawn in parts of equal size, one per page.
TREE_ROWS_PER_PART = 24


def kgi_tree(kgi: TreeKgi, *, palette: Palette = DEFAULT_PALETTE, font: str = "sans-serif") -> tuple[Markup, ...]:
    """One KGI on the left, its departments in the middle, their KPIs on the right, each KPI
    marked with its status colour and its attainment as text (readable in grey-scale).

    A KGI with more KPIs than fit a page is drawn in parts ("name (1/3)"…), so no KPI is ever
    cut off at the bottom of the page."""
    by_department: dict[str, list[TreeKpi]] = {}
    for kpi in kgi.kpis:
        by_department.setdefault(kpi.department, []).append(kpi)
    ordered = [kpi for kpis in by_department.values() for kpi in kpis]
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
    departments: dict[str, list[TreeKpi]] = {}
    for kpi in kpis:
        departments.setdefault(kpi.department, []).append(kpi)
    height = max(row * max(len(kpis), 1) + 8, 60.0)
    mid_y = height / 2
    colour = palette.none if kgi.on_track is None else palette.green if kgi.on_track else palette.red
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
            parts.append(_svg_text(kpi_x + 18, kpi_y + 3, _fit(kpi.name, kpi_w - 80, size), size, palette.marker))
            parts.append(_svg_text(width - 2, kpi_y + 3, kpi.note, size, status, end=True))
            y += row
    # One path for every connector and one per status colour keep the element count low.
    parts.insert(0, f'<path d="{"".join(connectors)}" fill="none" stroke="{palette.target}"/>')
    parts.extend(f'<path d="{"".join(d)}" fill="{colour}"/>' for colour, d in squares.items())
    return Markup(
        f'<svg class="tree" viewBox="0 0 {width:g} {height:.0f}" width="{width:g}" height="{height:.0f}" '
        # SVG text does not inherit the page's font; without this WeasyPrint embeds another face.
        f'font-family="{Markup.escape(font)}" role="img" aria-label="{Markup.escape(title)}">{"".join(parts)}</svg>'
    )
