"""The pack's colours and status classes: presentation data every renderer shares (charts,
the HTML/PDF stylesheet through the theme, and the board formats), so none of them owns it.

Every colour that carries text, as the text on white or as the background of white text,
meets WCAG AA's 4.5:1; a theme colour that would not is named in a warning (SPEC: a pack a
reader can read)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kpireport.model import Status

STATUS_CLASS: dict[Status, str] = {"green": "st-green", "amber": "st-amber", "red": "st-red", "no_data": "st-none"}

WHITE = "#ffffff"
TEXT_CONTRAST = 4.5
"""WCAG 2.x AA for text (1.4.3): the pack's chips and labels are small text."""

BASE_COLORS = {
    "primary": "#1f3a5f",  # 11.5:1 on white
    "accent": "#2f7d95",  # 4.7:1
    "green": "#2e7d32",  # 5.1:1
    "amber": "#a05e00",  # 5.1:1 (was #b26a00, 4.2:1)
    "red": "#c62828",  # 5.6:1
    "none": "#6b717b",  # 4.9:1 (was #8a8f98, 3.2:1)
    "ink": "#1d2430",
    "muted": "#5d6675",  # 5.8:1
    "rule": "#d8dde4",
    "band": "#f3f5f8",
}

# The theme keys whose colour carries text (headings, labels, chips with white text).
TEXT_KEYS = ("primary", "accent", "green", "amber", "red", "no_data")


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_warnings(colors: Mapping[str, str]) -> list[str]:
    """A warning for each text-carrying colour of a theme below 4.5:1 against white."""
    warnings = []
    for key in TEXT_KEYS:
        colour = colors.get(key)
        if colour is not None and (ratio := contrast(colour, WHITE)) < TEXT_CONTRAST:
            warnings.append(
                f"colors.{key} {colour} has a contrast of {ratio:.2f}:1 with white, below the "
                f"{TEXT_CONTRAST}:1 text needs to be read (WCAG AA); choose a darker colour."
            )
    return warnings


@dataclass(frozen=True)
class Palette:
    """Chart colours, as SVG presentation attributes: WeasyPrint's SVG renderer does not
    apply the page's CSS classes to inline SVG."""

    line: str = BASE_COLORS["primary"]
    target: str = BASE_COLORS["none"]
    prior: str = "#b9c0ca"
    """Last year's line: lighter than the actual's, carrying no text."""
    track: str = "#e4e8ee"
    marker: str = BASE_COLORS["ink"]
    green: str = BASE_COLORS["green"]
    amber: str = BASE_COLORS["amber"]
    red: str = BASE_COLORS["red"]
    none: str = BASE_COLORS["none"]

    def status(self, status: Status) -> str:
        return {"green": self.green, "amber": self.amber, "red": self.red, "no_data": self.none}[status]


DEFAULT_PALETTE = Palette()
