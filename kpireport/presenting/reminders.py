"""What ``kpireport remind`` says to each owner (SPEC §3c): their overdue and due-soon actions of
the report month, one message per address, in the pack's language, every date and name as the
pack shows it. The words only: :mod:`kpireport.delivering.remind` validates and sends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import escape

from kpireport.computing.actions import ActionResult
from kpireport.computing.report import Report
from kpireport.formatting import DASH, Formatter
from kpireport.i18n import labels, message
from kpireport.model import CellRef
from kpireport.presenting.clipping import displayed


@dataclass(frozen=True)
class Reminder:
    address: str
    """The owner's address as typed on the Actions sheet (validated before anything is sent)."""
    where: CellRef | None
    """The e-mail cell it was typed in (the first of the owner's actions)."""
    owner: str
    actions: tuple[str, ...]
    """The ids of the actions it reminds of: overdue first, then due soon, each by due date."""
    subject: str
    paragraphs: tuple[str, ...]
    html: str


@dataclass(frozen=True)
class Reminders:
    reminders: tuple[Reminder, ...]
    unaddressed: tuple[ActionResult, ...]
    """Overdue or due-soon actions with no e-mail address: nobody can be reminded of them."""


def due(results: Sequence[ActionResult]) -> list[ActionResult]:
    """The actions a reminder is about: overdue, then due soon, each by due date."""
    chosen = [r for r in results if r.overdue or r.due_soon]
    return sorted(chosen, key=lambda r: (not r.overdue, r.action.due or dt.date.max))


def one_line(text: str) -> str:
    """Workbook text as one line of a list: its line breaks folded into spaces."""
    return " ".join(text.split())


def _item(result: ActionResult, names: dict[str, str], fmt: Formatter) -> str:
    action = result.action
    return message(
        fmt.locale,
        "remind_item",
        action=one_line(action.action),
        target=one_line(names.get(action.target, action.target)),
        due=fmt.date(action.due) if action.due else DASH,
    )


def _reminder(address: str, where: CellRef | None, results: list[ActionResult], report: Report, fmt: Formatter
              ) -> Reminder:  # fmt: skip
    text = labels(fmt.locale)
    names = {**{k.kgi.id: k.kgi.name for k in report.kgis}, **{r.kpi.id: r.kpi.name for r in report.kpis}}
    owner = one_line(next((r.action.owner for r in results if r.action.owner), address))
    month = fmt.month(report.month)
    overdue = [_item(r, names, fmt) for r in results if r.overdue]
    soon = [_item(r, names, fmt) for r in results if not r.overdue]
    sections = [(text["remind_overdue"], overdue), (text["remind_due_soon"], soon)]
    greeting = message(fmt.locale, "remind_greeting", owner=owner)
    intro = message(fmt.locale, "remind_intro", month=month)
    closing = message(fmt.locale, "remind_close")
    paragraphs = [
        greeting,
        intro,
        *(
            message(fmt.locale, "remind_section", title=title) + "\n" + "\n".join(f"- {item}" for item in items)
            for title, items in sections
            if items
        ),
        closing,
    ]
    lists = "".join(
        f"<p><strong>{escape(title)}</strong></p><ul>{''.join(f'<li>{escape(item)}</li>' for item in items)}</ul>"
        for title, items in sections
        if items
    )
    html = (
        f'<html lang="{fmt.locale}"><body style="font-family:sans-serif">'
        f"<p>{escape(greeting)}</p><p>{escape(intro)}</p>{lists}<p>{escape(closing)}</p></body></html>"
    )
    subject = message(
        fmt.locale,
        "remind_subject",
        company=report.workbook.settings.company,
        overdue=fmt.number(len(overdue)),
        due_soon=fmt.number(len(soon)),
        month=month,
    )
    return Reminder(
        address=address,
        where=where,
        owner=owner,
        actions=tuple(r.action.id for r in results),
        subject=subject,
        paragraphs=tuple(paragraphs),
        html=html,
    )


def reminders(report: Report, fmt: Formatter) -> Reminders:
    """One reminder per address (compared ignoring case and surrounding spaces; written as on
    the sheet's first row that has it), in the order the owners' first actions are due; and the
    actions due that have no address."""
    shown = displayed(report)
    # Clipping for display leaves the e-mail address whole: it is an address, not text to show.
    first: dict[str, tuple[str, CellRef | None]] = {}
    for result in shown.actions:
        address = result.action.email.strip()
        if address:
            first.setdefault(address.casefold(), (address, result.action.email_cell))
    grouped: dict[str, list[ActionResult]] = {}
    unaddressed = []
    for result in due(shown.actions):
        address = result.action.email.strip()
        if not address:
            unaddressed.append(result)
            continue
        grouped.setdefault(address.casefold(), []).append(result)
    return Reminders(
        tuple(_reminder(*first[key], results, shown, fmt) for key, results in grouped.items()),
        tuple(unaddressed),
    )
