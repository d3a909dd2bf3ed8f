"""The registry of a pack's formats: each declared once, with its file suffix, its MIME type,
whether an e-mail may attach it, and the thin adapter that turns the finished pack into bytes.

Everything that lists, parses, names, renders or attaches a format asks this module: ``build``,
``send``, ``watch``, the command line's options and the e-mail. Adapters import their renderer
when called, so a JSON-only build never loads WeasyPrint or python-pptx.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kpireport.model import Month

if TYPE_CHECKING:
    from kpireport.presenting.finished import FinishedPack


@dataclass(frozen=True)
class Format:
    name: str
    mime: tuple[str, str]
    render: Callable[[FinishedPack], bytes | str]
    attachable: bool = True
    """Whether an e-mail attaches it (the JSON is the e-mail's body instead)."""
    in_background: bool = False
    """Rendered in a process of its own while the other formats are made: collected last."""
    needs_view: bool = True
    """Made from the view model (every format but the JSON, which is the pack's data)."""

    @property
    def suffix(self) -> str:
        return f".{self.name}"


def _pdf(pack: FinishedPack) -> bytes:
    return pack.pdf()


def _html(pack: FinishedPack) -> str:
    from kpireport.presenting.pack_html import render_html

    return render_html(pack.interactive_view(), pack.templates, interactive=True)


def _json(pack: FinishedPack) -> str:
    import json

    return json.dumps(pack.data, ensure_ascii=False, indent=2) + "\n"


def _pptx(pack: FinishedPack) -> bytes:
    from kpireport.presenting.deck import render_pptx

    return render_pptx(pack.view)


def _xlsx(pack: FinishedPack) -> bytes:
    from kpireport.presenting.metrics_workbook import render_xlsx

    return render_xlsx(pack.view)


_OOXML = "vnd.openxmlformats-officedocument"
# In the order the files are listed, written and attached.
REGISTRY: tuple[Format, ...] = (
    Format("pdf", ("application", "pdf"), _pdf, in_background=True),
    Format("html", ("text", "html"), _html),
    Format("json", ("application", "json"), _json, attachable=False, needs_view=False),
    Format("pptx", ("application", f"{_OOXML}.presentationml.presentation"), _pptx),
    Format("xlsx", ("application", f"{_OOXML}.spreadsheetml.sheet"), _xlsx),
)
FORMATS: dict[str, Format] = {f.name: f for f in REGISTRY}
NAMES: tuple[str, ...] = tuple(FORMATS)
DEFAULT_FORMATS: tuple[str, ...] = ("pdf", "html", "json")
DEFAULT_ATTACHED: tuple[str, ...] = ("pdf", "html")
ATTACHABLE: tuple[str, ...] = tuple(f.name for f in REGISTRY if f.attachable)
MAIL_NEEDS: tuple[str, ...] = ("pdf", "json")
"""What a pack sent by e-mail always has: the PDF attached, and the JSON its body is read from."""


def in_order(names: Sequence[str]) -> list[str]:
    """``names`` once each, in the registry's order."""
    return [name for name in NAMES if name in set(names)]


def parse_formats(text: str, *, allowed: Sequence[str] = NAMES) -> list[str]:
    """A comma-separated list of format names (any case, spaces around them ignored); a
    ValueError saying what to choose from when it names none or another."""
    chosen = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not chosen or any(name not in allowed for name in chosen):
        raise ValueError(f"choose from {', '.join(allowed)} (comma-separated), not {text!r}.")
    return in_order(chosen)


# -- a pack's file names -------------------------------------------------------------------------

_PACK_FILE = re.compile(r"^(?P<stem>.+)-(?P<month>\d{4}-\d{2})$")
# A pack per audience (SPEC §4b): <stem>-<YYYY-MM>-<slug>-<lang>. Its name ends in a language,
# never in a month, so it is never read as the pack of a workbook named <stem>-<YYYY-MM>-<slug>.
_AUDIENCE_FILE = re.compile(r"^(?P<stem>.+)-(?P<month>\d{4}-\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)-(?P<lang>en|ja)$")


def pack_file_name(stem: str, month: Month, fmt: str, *, slug: str | None = None, lang: str | None = None) -> str:
    """``<workbook stem>-<YYYY-MM>.<format>``, and for a pack per audience
    ``<workbook stem>-<YYYY-MM>-<slug>-<lang>.<format>``: the one rule for a pack's file names."""
    audience = f"-{slug}-{lang}" if slug and lang else ""
    return f"{stem}-{month}{audience}{FORMATS[fmt].suffix}"


@dataclass(frozen=True)
class PackName:
    stem: str
    """The workbook's file name without its suffix."""
    month: str
    """The month as written in the name (YYYY-MM); :meth:`Month.parse` checks it."""
    fmt: str | None
    """The format its suffix names; None for another suffix."""
    slug: str | None = None
    """A pack per audience's scope, as its name writes it; None for the full pack."""
    lang: str | None = None
    """A pack per audience's language; None for the full pack."""


def parse_pack_file_name(name: str) -> PackName | None:
    """What a file name written by :func:`pack_file_name` says; None for any other name."""
    base, _, suffix = name.rpartition(".")
    fmt: str | None = suffix.lower()
    if not base or fmt not in FORMATS:
        # No format's suffix (kpi.v2-2026-11 has none at all): the whole name is the pack's.
        base, fmt = name, None
    match = _PACK_FILE.match(base)
    if match is not None:
        return PackName(match.group("stem"), match.group("month"), fmt)
    audience = _AUDIENCE_FILE.match(base)
    if audience is None:
        return None
    return PackName(
        audience.group("stem"), audience.group("month"), fmt, audience.group("slug"), audience.group("lang")
    )
