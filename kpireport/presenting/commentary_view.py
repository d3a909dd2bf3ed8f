"""The commentary as the pack lays it out: the key messages that open it and each subject's
comment beside its KPI or goal, every figure linked to the cell it comes from where the pack
shows that cell, drafted text marked as drafted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kpireport.presenting.wording import WordedCommentary, WordedText

# The fields the department tables and the goal cards print, so a figure of a sentence that
# shows one of them can link to it; figures the pack prints nowhere else stay plain text.
_LINKED = re.compile(
    r"^/kpis/\d+/(month/(target|actual|attainment|variance|prior)|ytd/attainment)$"
    r"|^/kgis/\d+/(target|progress|expected_progress)$"
)


def anchor(ref: str) -> str:
    """The id of the cell that shows the JSON field ``ref`` (``/kpis/3/month/variance``)."""
    return "f" + ref.replace("/", "-")


@dataclass(frozen=True)
class Run:
    text: str
    href: str = ""
    """``#id`` of the cell the figure comes from; empty for words and unlinked figures."""


@dataclass(frozen=True)
class CommentaryView:
    runs: tuple[Run, ...]
    note: str
    drafted: bool
    text: str
    """The whole text, note included: for renderers without links (the deck, the workbook)."""
    refs: tuple[str, ...] = ()
    """The JSON pointers of its figures."""


def commentary_view(worded: WordedText) -> CommentaryView:
    runs = tuple(Run(text, f"#{anchor(ref)}" if ref and _LINKED.match(ref) else "") for text, ref in worded.runs)
    return CommentaryView(runs, worded.note, worded.source == "drafted", worded.text, worded.refs)


def key_messages(commentary: WordedCommentary) -> tuple[CommentaryView, ...]:
    return tuple(commentary_view(message) for message in commentary.key_messages)


def by_subject(commentary: WordedCommentary) -> Mapping[str, CommentaryView]:
    return {s.subject: commentary_view(s.worded) for s in commentary.subjects}
