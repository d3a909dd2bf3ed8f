"""``kpireport remind`` (SPEC §3c): each owner e-mailed their overdue and due-soon actions, one
message per owner, over ``send``'s SMTP settings, with ``send``'s guarantees.

Every address is checked before anything is sent (a bad one is named by its cell); each message
goes to its owner's address alone; headers are built as ``send`` builds them, so no workbook text
can add a header or a recipient. A refused owner is named and the others are still reminded;
nothing is reported as sent that the server did not accept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from pathlib import Path

from kpireport.delivering.mail import (
    Body,
    Outgoing,
    SmtpSettings,
    address_slug,
    compose,
    dry_run_sender,
    send_each,
    validate_address,
)
from kpireport.delivering.output import write_set
from kpireport.errors import ConfigurationError, DeliveryError, WorkbookError, WorkbookErrors
from kpireport.model import Month
from kpireport.presenting.reminders import Reminder, Reminders
from kpireport.reading.inputs import single_line


def check_addresses(found: Reminders) -> None:
    """Every owner's address, before anything is sent: a bad one is a workbook error naming its
    cell (several are named together)."""
    errors = []
    for reminder in found.reminders:
        try:
            validate_address(reminder.address)
        except ConfigurationError as error:
            where = reminder.where
            errors.append(
                WorkbookError(str(error), sheet=where.sheet, cell=where.cell) if where else WorkbookError(str(error))
            )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise WorkbookErrors(errors)


def message_of(reminder: Reminder, sender: str) -> EmailMessage:
    body = Body(reminder.subject, list(reminder.paragraphs), reminder.html)
    return compose(body, [], sender=sender, to=[reminder.address])


def _named(reminder: Reminder) -> str:
    return f"{single_line(reminder.owner)} <{reminder.address}>"


def send_reminders(found: Reminders, settings: SmtpSettings, on_sent: Callable[[Reminder], None]) -> None:
    """Each reminder over one connection; ``on_sent`` hears of each once the server accepted it.
    Raise :class:`DeliveryError` naming every owner not reminded (refused, or without an
    address), after the others were."""
    outgoing = [Outgoing(r, message_of(r, settings.sender), r.address, _named(r)) for r in found.reminders]
    partial = "The owners listed above were reminded; not reminded"
    refused = send_each(settings, outgoing, on_sent, partial=partial)
    _raise_if_missed(refused, found, settings.label)


def _raise_if_missed(refused: Sequence[str], found: Reminders, server: str) -> None:
    problems = []
    if refused:
        problems.append(f"{server} refused {', '.join(refused)}")
    for result in found.unaddressed:
        where = result.action.email_cell
        cell = f" ({where})" if where else ""
        problems.append(f"action {single_line(result.action.id)} has no e-mail address{cell}")
    if problems:
        others = "; the other owners were reminded." if found.reminders and len(refused) < len(found.reminders) else "."
        raise DeliveryError("not reminded: " + "; ".join(problems) + others)


def dry_run_files(found: Reminders, folder: Path, stem: str, month: Month, environ: Mapping[str, str] | None = None
                  ) -> dict[Path, bytes]:  # fmt: skip
    """Each reminder as ``<stem>-<YYYY-MM>-remind-<address>.eml`` in ``folder``."""
    sender = dry_run_sender(environ)
    return {
        folder / f"{stem}-{month}-remind-{address_slug(r.address)}.eml": bytes(message_of(r, sender))
        for r in found.reminders
    }


def write_dry_run(files: Mapping[Path, bytes]) -> None:
    """The dry run's messages, written as one set."""
    write_set(dict(files))


def raise_if_unaddressed(found: Reminders) -> None:
    """After a dry run, as after a real one: the actions no one can be reminded of."""
    _raise_if_missed((), found, "")
