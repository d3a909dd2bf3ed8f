"""``send --distribution WORKBOOK PACKDIR`` (SPEC v1.2 §4b): each recipient of the Distribution
sheet e-mailed the pack of their scope and language, in their formats, one message each, with
``send``'s guarantees.

Every address was checked when the sheet was read (a bad one is named by its cell) and every
recipient's files are found before anything is sent. Each message goes to its recipient's
address alone, its body from the pack's JSON as ``send`` makes it; all of them go over one
connection. A recipient the server refuses is named with the server's reply and the others still
get theirs; nothing is reported as sent that the server did not accept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from kpireport.delivering.mail import (
    Outgoing,
    PackFiles,
    SmtpSettings,
    address_slug,
    compose_pack,
    dry_run_sender,
    send_each,
)
from kpireport.delivering.output import write_set
from kpireport.errors import DeliveryError, KpiReportError, PackError, WorkbookError
from kpireport.model import Locale, Month, Recipient, Workbook
from kpireport.presenting.formats import pack_file_name
from kpireport.reading.inputs import single_line


@dataclass(frozen=True)
class Delivery:
    """One recipient's message: their pack's files to attach, and its JSON (the body)."""

    recipient: Recipient
    attachments: tuple[Path, ...]
    json: Path | None

    @property
    def named(self) -> str:
        return f"{single_line(self.recipient.name)} <{self.recipient.email}>"


def deliveries(workbook: Workbook, stem: str, folder: Path, month: Month, lang: Locale | None = None) -> list[Delivery]:
    """Each recipient's files in ``folder`` (the packs ``build --split`` wrote for ``month``);
    a row without a language gets ``lang``, else the workbook's. Raise :class:`PackError`
    naming every file missing, before anything is sent."""
    if not workbook.distribution:
        raise WorkbookError(
            "the workbook has no Distribution sheet, so there is no one to send to; add one "
            "(recipient | email | scope | lang | formats).",
            sheet="Distribution",
        )
    found: list[Delivery] = []
    missing: list[str] = []
    for recipient in workbook.distribution:
        pack_lang = recipient.lang or lang or workbook.settings.locale
        slug = recipient.scope.slug

        def path(fmt: str, *, slug: str = slug, pack_lang: Locale = pack_lang) -> Path:
            return folder / pack_file_name(stem, month, fmt, slug=slug, lang=pack_lang)

        attachments = tuple(path(fmt) for fmt in recipient.formats)
        missing.extend(p.name for p in attachments if not p.is_file())
        body = path("json")
        found.append(Delivery(recipient, attachments, body if body.is_file() else None))
    if missing:
        listed = ", ".join(dict.fromkeys(missing))
        raise PackError(
            f"not in {folder}: {listed}. Build the packs per audience first: kpireport build WORKBOOK --split "
            f"-o {folder}; nothing was sent."
        )
    return found


def message_of(delivery: Delivery, sender: str, subject: str | None) -> EmailMessage:
    first, *others = delivery.attachments
    pack = PackFiles(first, delivery.json, tuple(others))
    return compose_pack(pack, sender=sender, to=[delivery.recipient.email], cc=[], subject=subject)


def send_deliveries(
    found: Sequence[Delivery], settings: SmtpSettings, subject: str | None, on_sent: Callable[[Delivery], None]
) -> None:
    """Each recipient's message over one connection; ``on_sent`` hears of each once the server
    accepted it. Raise :class:`DeliveryError` naming every recipient not served, after the others
    were."""
    outgoing = [  # every file read before the first message goes
        Outgoing(d, message_of(d, settings.sender, subject), d.recipient.email, d.named) for d in found
    ]
    partial = "The recipients listed above received their pack; not sent"
    refused = send_each(settings, outgoing, on_sent, partial=partial)
    if refused:
        others = "; the other recipients received theirs." if len(refused) < len(found) else "."
        raise DeliveryError(f"{settings.label} refused {', '.join(refused)}{others}")


def dry_run_files(found: Sequence[Delivery], subject: str | None, environ: Mapping[str, str] | None = None
                  ) -> dict[Path, bytes]:  # fmt: skip
    """Each message as ``<pack>-to-<address>.eml`` beside the pack it carries."""
    sender = dry_run_sender(environ)
    files = {}
    for delivery in found:
        first = delivery.attachments[0]
        target = first.parent / f"{first.name.rsplit('.', 1)[0]}-to-{address_slug(delivery.recipient.email)}.eml"
        files[target] = bytes(message_of(delivery, sender, subject))
    return files


def write_dry_run(files: Mapping[Path, bytes]) -> None:
    write_set(dict(files))


def distribute(
    workbook_path: Path,
    folder: Path,
    *,
    month: Month | None = None,
    lang: Locale | None = None,
    subject: str | None = None,
    dry_run: bool = False,
    say: Callable[[str], None] = lambda line: None,
) -> None:
    """E-mail each recipient of ``workbook_path``'s Distribution sheet their pack from ``folder``
    (the month: ``month``, else the one ``build`` reports on), or write the messages for a dry
    run; ``say`` hears each message sent or written."""
    from kpireport.computing.report import choose_month
    from kpireport.delivering.mail import smtp_settings
    from kpireport.reading.workbook import read_workbook

    workbook = read_workbook(workbook_path)
    chosen = month or choose_month(workbook, None)
    found = deliveries(workbook, workbook_path.stem, folder, chosen, lang)
    if dry_run:
        files = dry_run_files(found, subject)
        write_dry_run(files)
        for path in files:
            say(f"Wrote {path} (not sent)")
        return
    settings = smtp_settings()

    def sent(delivery: Delivery) -> None:
        say(f"Sent {', '.join(p.name for p in delivery.attachments)} to {delivery.named}")

    send_deliveries(found, settings, subject, sent)


def distribute_built(
    built: Sequence[tuple[Path, Month]],
    folder: Path,
    *,
    lang: Locale | None,
    subject: str | None,
    say: Callable[[str], None],
    failed: Callable[[str], None],
) -> int:
    """``build --split --email-distribution``: each built workbook's recipients sent their
    packs. A workbook whose recipients were not all served is named to ``failed`` and the
    others are still sent; 1 then, else 0 (the exit code)."""
    code = 0
    for path, month in built:
        try:
            distribute(path, folder, month=month, lang=lang, subject=subject, say=say)
        except KpiReportError as error:
            code = 1
            failed(f"{path.name}: {error}" if len(built) > 1 else str(error))
    return code
