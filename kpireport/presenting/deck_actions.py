"""The deck's part of the actions loop (SPEC §3c): the Actions sheet's actions on slides of
their own, in the actions page's order (overdue first, then open by due date, then those ended
this quarter, each with its effect), and each KPI's open actions under its department table.

Functions over the deck of :mod:`kpireport.presenting.deck`, as its own slide methods are: they
read only the view model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pptx.util import Emu

from kpireport.presenting.deck_template import BODY_TOP, BODY_WIDTH, HEIGHT, MARGIN
from kpireport.presenting.palette import BASE_COLORS
from kpireport.presenting.view.actions import ActionView

if TYPE_CHECKING:
    from kpireport.presenting.deck import _Deck
    from kpireport.presenting.view import KpiRow

TRACKED_PER_SLIDE = 6
LINE_HEIGHT = 220_000
"""A 10-point line of text, in EMU, with its spacing."""
FOOTER_SPACE = 450_000
CHARS_PER_LINE = 150


def _effect(row: ActionView) -> str:
    return "\n".join(part for part in (row.effect_moved, row.expected) if part)


def tracked_action_slides(deck: _Deck) -> None:
    """The Actions sheet's actions, a table of them a slide, coloured by where each stands."""
    from kpireport.presenting.deck import _chunks

    plan = deck.view.tracked_actions
    if not plan.tracked:
        return
    t = deck.t
    rows = plan.listed
    counts = " · ".join(f"{group.label} {len(group.rows)}" for group in plan.groups)
    if not rows:
        slide = deck.slide(t["tracked_actions"])
        deck.text(slide, MARGIN, BODY_TOP, BODY_WIDTH, Emu(400_000), [(t["no_tracked_actions"], 12, False)])
        return
    parts = _chunks(rows, TRACKED_PER_SLIDE)
    for number, part in enumerate(parts, start=1):
        slide = deck.slide(t["tracked_actions"] + (f" ({number}/{len(parts)})" if len(parts) > 1 else ""), counts)
        deck.table(
            slide,
            [t["action"], t["action_target"], t["owner"], t["due"], t["status"], t["effect_column"]],
            [[row.action, row.target, row.owner, row.due, row.chip.label, _effect(row)] for row in part],
            BODY_TOP,
            [3.7, 2.1, 1.5, 2.0, 1.3, 4.6],
            [{4: deck.palette.status(row.chip.status)} for row in part],
        )


def under_table_box(deck: _Deck, slide: Any, rows: Sequence[KpiRow], top: int) -> None:
    """Under a department's table: each KPI's comment (drafted ones marked), then the open
    actions on its KPIs (overdue first), as many lines as fit above the footer; the rest are
    counted and left to the notes and the actions slides."""
    from kpireport.presenting.deck import _clipped, _marked

    t = deck.t
    comments = [
        # A drafted comment opens with the KPI's name; the controller's words are introduced by it.
        (_marked(_clipped(c.text), c.drafted, t) if c.drafted else f"{row.name}: {_clipped(c.text)}", 9.0, False)
        for row in rows
        if (c := row.commentary) is not None
    ]
    actions = [f"{row.name}: {action}" for row in rows for action in row.open_actions]
    room = int((HEIGHT - FOOTER_SPACE - top) // LINE_HEIGHT) - 1
    lines: list[tuple[str, float, bool]] = []
    used = 0
    for entry in comments:
        # A comment runs to about two lines at 9pt across the slide.
        need = len(entry[0]) // CHARS_PER_LINE + 1
        if used + need > room:
            break
        lines.append(entry)
        used += need
    if actions and used + 2 <= room:
        shown = actions[: room - used - 1]
        hidden = len(actions) - len(shown)
        if hidden:
            shown = [*shown[:-1], t["more_actions"].format(count=hidden + 1)]
        lines += [(t["open_actions"], 10.0, True), *((line, 9.0, False) for line in shown)]
    if lines:
        deck.text(slide, MARGIN, top, BODY_WIDTH, Emu(HEIGHT - FOOTER_SPACE - top), lines,
                  colour=BASE_COLORS["ink"])  # fmt: skip
