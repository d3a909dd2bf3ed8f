"""The pack's colours and status classes: presentation data every renderer shares (charts,
the HTML/PDF stylesheet through the theme, and the board formats), so none of them owns it."""

from __future__ import annotations

from dataclasses import dataclass

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
