"""Branding: a TOML theme file (``--theme brand.toml``), validated key by key.

Every value that reaches CSS is checked against a strict pattern first, so a theme cannot
inject CSS or point the renderer at a URL; the logo is read here and embedded as a data URI.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml_safely
from markupsafe import Markup

from kpireport.errors import ThemeError
from kpireport.formatting import Formatter
from kpireport.model import Settings
from kpireport.presenting.palette import BASE_COLORS, Palette, contrast_warnings
from kpireport.reading.inputs import read_bounded

MAX_LOGO_BYTES = 2 * 1024 * 1024
# A logo is drawn a few centimetres wide: 4,096 × 4,096 pixels is more than any page needs and
# decodes to at most 128 MiB. A PNG declares its size in its header, and a 50 KB file can
# declare 20,000 × 20,000 (gigabytes once decoded): the size is checked before any decoding.
MAX_LOGO_PIXELS = 4096 * 4096
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_THEME_BYTES = 1024 * 1024
PAPER_SIZES = ("A4", "A3", "Letter", "Legal")
ORIENTATIONS = ("landscape", "portrait")
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_FONT = re.compile(r"^[\w \-\u3000-\u30ff\u4e00-\u9fff]{1,60}$")

_EXAMPLE_THEME = """# kpireport theme: pass it with `kpireport build WORKBOOK --theme brand.toml`.
# Every key is optional; delete what you do not need. As written, it builds on any machine.

company = {company}      # the name printed on the pack (default: Settings' company)
# logo = "logo.png"                    # PNG or SVG, relative to this file, up to 2 MiB
footer = "Confidential - board use only"

[colors]                               # #rgb or #rrggbb
primary = "#1f3a5f"                    # headings, rules, chart lines
accent = "#2f7d95"
green = "#2e7d32"                      # status colours
amber = "#b26a00"
red = "#c62828"
no_data = "#8a8f98"

[font]
# family = "Liberation Sans"           # an installed font (kpireport doctor lists what is found)

[page]
size = "A4"                            # A4, A3, Letter or Legal
orientation = "landscape"              # landscape or portrait

[numbers]
large_yen = "man_oku"                  # Japanese packs show yen as 7.59億円 / 183万円; "plain": ¥759.0M

[pdf]
audit = false                          # true: attach the workbook and print its SHA-256 (as --audit)
"""


def example_theme(company: str) -> str:
    """The commented example theme ``init --theme`` writes, naming ``company``."""
    # A JSON string is a valid TOML basic string: quotes, backslashes and control characters
    # in the name are escaped, so the file stays valid TOML whatever the name.
    return _EXAMPLE_THEME.format(company=json.dumps(company, ensure_ascii=False))


_KEYS: dict[str, set[str]] = {
    "": {"company", "logo", "footer", "colors", "font", "page", "numbers", "pdf"},
    "colors": {"primary", "accent", "green", "amber", "red", "no_data"},
    "font": {"family"},
    "page": {"size", "orientation"},
    "numbers": {"large_yen"},
    "pdf": {"audit"},
}


@dataclass(frozen=True)
class Theme:
    company: str | None = None
    logo_data_uri: str | None = None
    footer: str = ""
    colors: dict[str, str] = field(default_factory=dict)
    font_family: str | None = None
    paper_size: str = "A4"
    orientation: str = "landscape"
    large_yen: bool = True
    audit: bool = False
    warnings: tuple[str, ...] = ()
    """Problems that do not stop a pack: a colour too pale to read text in."""

    def displayed_company(self, settings: Settings) -> str:
        """The name on the pack: the theme's, when it sets one, else Settings' company."""
        return self.company or settings.company

    def formatter(self, settings: Settings) -> Formatter:
        """How the pack writes numbers, money and dates: its locale and currency, with the
        theme's choice of 万/億 for yen."""
        return Formatter.for_settings(settings, large_yen=self.large_yen)

    def palette(self) -> Palette:
        base = Palette()
        chosen = {
            "line": self.colors.get("primary", base.line),
            "green": self.colors.get("green", base.green),
            "amber": self.colors.get("amber", base.amber),
            "red": self.colors.get("red", base.red),
            "none": self.colors.get("no_data", base.none),
            "target": self.colors.get("no_data", base.target),
        }
        return Palette(**{**base.__dict__, **chosen})

    def font_stack(self, locale: str) -> str:
        """The font list for text drawn in SVG, which does not inherit the page's font."""
        if locale == "ja":
            return "IPAexGothic, Liberation Sans, sans-serif"
        return f"{self.font_family or 'Liberation Sans'}, IPAexGothic, sans-serif"

    def css_colors(self) -> dict[str, str]:
        """Every colour pack.css uses, the theme's where it sets one (validated on load)."""
        chosen = {("none" if key == "no_data" else key): value for key, value in self.colors.items()}
        return {**BASE_COLORS, **chosen}

    def css(self) -> Markup:
        """CSS overriding the pack's page set-up and font; every value was validated on load."""
        css = f"@page {{ size: {self.paper_size} {self.orientation}; }}\n"
        if self.font_family:
            css += f'html {{ font-family: "{self.font_family}", "IPAexGothic", sans-serif; }}\n'
        return Markup(css)


DEFAULT_THEME = Theme()


def _fail(path: Path, key: str, problem: str) -> ThemeError:
    return ThemeError(f"theme {path.name}: {key}: {problem}")


def _check_keys(path: Path, table: dict[str, Any], section: str) -> None:
    for key in table:
        if key not in _KEYS[section]:
            where = f"{section}.{key}" if section else key
            allowed = ", ".join(sorted(_KEYS[section]))
            raise _fail(path, where, f"unknown key; the keys here are {allowed}.")


def _text(path: Path, key: str, value: Any, limit: int = 120) -> str:
    if not isinstance(value, str):
        raise _fail(path, key, "must be text in quotes.")
    return " ".join(value.split())[:limit]


def _logo(path: Path, value: Any) -> str:
    logo = path.parent / _text(path, "logo", value, 500)
    data = read_bounded(logo, MAX_LOGO_BYTES, f"theme {path.name}: logo:", ThemeError)
    if data.startswith(_PNG_SIGNATURE):
        _check_png(path, logo, data)
        kind = "image/png"
    elif logo.suffix.lower() == ".svg" and b"<svg" in data[:4096]:
        _check_svg(path, data)
        kind = "image/svg+xml"
    else:
        raise _fail(path, "logo", f"{logo.name} is neither a PNG nor an SVG image.")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _check_png(path: Path, logo: Path, data: bytes) -> None:
    """A PNG logo is decoded here, once, within MAX_LOGO_PIXELS: one too large or that does not
    decode (a truncated file) is refused naming the key, not found by a renderer later."""
    width, height = _png_size(path, logo, data)
    if width * height > MAX_LOGO_PIXELS:
        raise _fail(
            path,
            "logo",
            f"{logo.name} is {width:,} × {height:,} pixels; a logo may have at most {MAX_LOGO_PIXELS:,} "
            "(4,096 × 4,096): save it smaller.",
        )
    from PIL import Image, ImageFile

    # WeasyPrint, once imported, tells Pillow to accept truncated images everywhere in the
    # process (a batch's workers load it first): this check must not.
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
    # A decoder fed arbitrary bytes can fail in many ways (OSError, SyntaxError, zlib.error,
    # struct.error, EOFError ...): every one means this file is not a logo a pack can show.
    except Exception as exc:
        raise _fail(path, "logo", f"{logo.name} cannot be decoded as a PNG ({exc}); save it again.") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _png_size(path: Path, logo: Path, data: bytes) -> tuple[int, int]:
    """The width and height a PNG declares: its first chunk must be IHDR (length 13), whose
    first eight bytes they are."""
    header = data[len(_PNG_SIGNATURE) : len(_PNG_SIGNATURE) + 16]
    if len(header) < 16 or header[:8] != b"\x00\x00\x00\x0dIHDR":
        raise _fail(path, "logo", f"{logo.name} is not a whole PNG: its header is missing or cut; save it again.")
    width, height = struct.unpack(">II", header[8:])
    if not width or not height:
        raise _fail(path, "logo", f"{logo.name} declares {width} × {height} pixels; save it again.")
    return width, height


def _check_svg(path: Path, data: bytes) -> None:
    """An SVG logo is markup: parsed with entities and DTDs refused, and refused itself if it
    holds a script, foreign HTML or a reference to anything but itself or an inline image
    (file:, http:, a loopback address), so the pack never runs or fetches anything for it."""
    try:
        root = parse_xml_safely(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:
        raise _fail(path, "logo", f"the SVG cannot be read safely ({exc}).") from None
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag in {"script", "foreignObject", "iframe", "object", "embed"}:
            raise _fail(path, "logo", f"the SVG holds a <{tag}> element; use a plain picture.")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.startswith("on"):
                raise _fail(path, "logo", f"the SVG has an event handler ({local}); use a plain picture.")
            refers = local == "href" or "url(" in value
            if refers and not _internal_reference(value):
                raise _fail(path, "logo", f"the SVG refers to {value[:80]!r}; embed images instead of linking them.")


def _internal_reference(value: str) -> bool:
    target = value.strip()
    if "url(" in target:
        target = target.split("url(", 1)[1].strip("'\" )")
    return target.startswith("#") or target.startswith("data:image/")


def load_theme(path: Path) -> Theme:
    raw = read_bounded(path, MAX_THEME_BYTES, "theme", ThemeError)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ThemeError(f"theme {path.name} is not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"theme {path.name} is not valid TOML: {exc}.") from None
    except RecursionError:
        raise ThemeError(f"theme {path.name} nests its tables or arrays too deeply to be a theme.") from None
    _check_keys(path, data, "")
    sections: dict[str, dict[str, Any]] = {}
    for section in ("colors", "font", "page", "numbers", "pdf"):
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise _fail(path, section, "must be a [section] of keys.")
        _check_keys(path, table, section)
        sections[section] = table
    colors = {}
    for key, value in sections["colors"].items():
        if not isinstance(value, str) or not _COLOUR.match(value):
            raise _fail(path, f"colors.{key}", f"{value!r} is not a colour; write #rrggbb, e.g. #1f3a5f.")
        colors[key] = value
    family = sections["font"].get("family")
    if family is not None and (not isinstance(family, str) or not _FONT.match(family)):
        raise _fail(path, "font.family", f"{family!r} is not a font name (letters, digits, spaces and hyphens).")
    size = sections["page"].get("size", "A4")
    if size not in PAPER_SIZES:
        raise _fail(path, "page.size", f"{size!r} is not one of {', '.join(PAPER_SIZES)}.")
    orientation = sections["page"].get("orientation", "landscape")
    if orientation not in ORIENTATIONS:
        raise _fail(path, "page.orientation", f"{orientation!r} is not landscape or portrait.")
    large_yen = sections["numbers"].get("large_yen", "man_oku")
    if large_yen not in ("plain", "man_oku"):
        raise _fail(path, "numbers.large_yen", f"{large_yen!r} is not plain or man_oku.")
    audit = sections["pdf"].get("audit", False)
    if not isinstance(audit, bool):
        raise _fail(path, "pdf.audit", "must be true or false.")
    return Theme(
        company=_text(path, "company", data["company"]) if "company" in data else None,
        logo_data_uri=_logo(path, data["logo"]) if "logo" in data else None,
        footer=_text(path, "footer", data["footer"]) if "footer" in data else "",
        colors=colors,
        warnings=tuple(f"theme {path.name}: {w}" for w in contrast_warnings(colors)),
        font_family=family,
        paper_size=size,
        orientation=orientation,
        large_yen=large_yen == "man_oku",
        audit=audit,
    )
