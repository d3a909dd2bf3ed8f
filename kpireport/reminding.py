"""``kpireport remind`` for one workbook: read, judge the actions in the month, word each owner's
reminder, then check every address and send (or write the dry run's messages)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kpireport.computing.report import build_report
from kpireport.delivering.mail import smtp_settings
from kpireport.delivering.remind import (
    check_addresses,
    dry_run_files,
    raise_if_unaddressed,
    send_reminders,
    write_dry_run,
)
from kpireport.errors import WorkbookError
from kpireport.formatting import Formatter
from kpireport.model import Month
from kpireport.presenting.reminders import Reminder, reminders
from kpireport.reading.workbook import read_workbook


def remind_owners(
    workbook: Path,
    month: Month | None,
    *,
    dry_run: bool,
    say: Callable[[str], None],
    warn: Callable[[Sequence[str]], None],
) -> None:
    """Remind each owner of ``workbook``'s Actions sheet of their overdue and due-soon actions
    in ``month`` (default as ``build``'s); ``say`` hears each message sent or written."""
    book = read_workbook(workbook)
    warn(book.warnings)
    if book.actions is None:
        raise WorkbookError(
            f"{workbook.name} has no Actions sheet, so there is no one to remind; add one (kpireport init writes it)."
        )
    report = build_report(book, month)
    found = reminders(report, Formatter.for_settings(book.settings))
    check_addresses(found)
    if not found.reminders and not found.unaddressed:
        say(f"Nothing to remind: no action is overdue or due in {report.month.shift(1)}.")
        return
    if dry_run:
        files = dry_run_files(found, workbook.parent, workbook.stem, report.month)
        write_dry_run(files)
        for path in files:
            say(f"Wrote {path} (not sent)")
        raise_if_unaddressed(found)
        return
    settings = smtp_settings()

    def sent(reminder: Reminder) -> None:
        say(f"Reminded {reminder.owner} <{reminder.address}>: {', '.join(reminder.actions)}")

    send_reminders(found, settings, sent)
