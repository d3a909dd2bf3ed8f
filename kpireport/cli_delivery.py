"""The commands that deliver packs and reminders: send, remind and watch (registered on the
command group in :mod:`kpireport.cli`)."""

from __future__ import annotations

from pathlib import Path

import click

from kpireport.cli_options import (
    LANGS,
    MonthType,
    addresses,
    email_options,
    formats_option,
    month_option,
    sent_line,
    warn,
)
from kpireport.model import Month


@click.command()
@click.argument("packs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--to", "to", multiple=True, callback=addresses, help="Recipient address (repeatable).")
@click.option("--cc", multiple=True, callback=addresses, help="Copy recipient (repeatable).")
@click.option("--subject", help="Subject (default: company, review and month).")
@click.option("--dry-run", is_flag=True, help="Write the message as a .eml file beside the PDF instead of sending it.")
@click.option(
    "--distribution",
    nargs=2,
    type=click.Path(path_type=Path),
    metavar="WORKBOOK PACKDIR",
    help="E-mail each recipient of WORKBOOK's Distribution sheet their pack from PACKDIR (built with build --split).",
)
@click.option("--month", type=MonthType(), help="With --distribution: the packs' month (default: as build chooses).")
@click.option("--lang", type=LANGS, help="With --distribution: the language of rows without one, as build --lang.")
def send(
    packs: tuple[Path, ...],
    to: list[str],
    cc: list[str],
    subject: str | None,
    dry_run: bool,
    distribution: tuple[Path, Path] | None,
    month: Month | None,
    lang: str | None,
) -> None:
    """E-mail built PACKs (the PDF attached, and the HTML, deck or workbook given beside it; the
    body from the pack's JSON), or with --distribution each recipient their pack per audience.
    SMTP from KPIREPORT_SMTP_URL, KPIREPORT_SMTP_PASSWORD and KPIREPORT_FROM."""

    if distribution:
        if packs or to or cc:
            raise click.UsageError("--distribution takes its recipients from the workbook: give no PACK, --to or --cc.")
        from kpireport.delivering.distribution import distribute
        from kpireport.terminal import safe_text

        workbook, folder = distribution
        distribute(
            workbook,
            folder,
            month=month,
            lang="ja" if lang == "ja" else "en" if lang == "en" else None,
            subject=subject,
            dry_run=dry_run,
            say=lambda line: click.echo(safe_text(line)),
        )
        return
    if not packs or not to:
        raise click.UsageError("give the PACK files and --to, or --distribution WORKBOOK PACKDIR.")
    if month or lang:
        raise click.UsageError("--month and --lang go with --distribution.")
    from kpireport.delivering.mail import compose_pack, deliver, dry_run_sender, group_pack_files, validate_address
    from kpireport.delivering.output import write_atomic
    from kpireport.presenting.formats import ATTACHABLE

    for address in [*to, *cc]:
        validate_address(address)
    if not dry_run:
        deliver(list(packs), to, cc, subject, ATTACHABLE, sent_line(to, cc))
        return
    sender = dry_run_sender()
    for pack in group_pack_files(list(packs)):
        message = compose_pack(pack, sender=sender, to=to, cc=cc, subject=subject)
        target = pack.pdf.with_suffix(".eml")
        write_atomic(target, bytes(message))
        click.echo(f"Wrote {target} (not sent)")


@click.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@month_option("Month the reminders are for")
@click.option(
    "--dry-run", is_flag=True, help="Write each owner's message as a .eml file beside the workbook instead of sending."
)
def remind(workbook: Path, month: Month | None, dry_run: bool) -> None:
    """E-mail each action owner (the Actions sheet's email column) their overdue and due-soon
    actions, one message per owner, in the pack's language; SMTP as for send. Exit 1 when an
    owner could not be reminded (the others still are)."""
    from kpireport.reminding import remind_owners
    from kpireport.terminal import safe_text

    remind_owners(workbook, month, dry_run=dry_run, say=lambda line: click.echo(safe_text(line)), warn=warn)


@click.command("watch")
@click.argument("inbox", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
@formats_option("The formats to write.")
@email_options("new pack")
@click.option("--split", is_flag=True, help="Also write the packs per audience of each workbook's Distribution sheet.")
@click.option(
    "--settle",
    type=click.FloatRange(0.05, 60),
    default=1.0,
    show_default=True,
    help="Seconds a file must stay unchanged before it is built.",
)
def watch_command(
    inbox: Path,
    out_dir: Path,
    formats: list[str],
    email_to: list[str],
    email_cc: list[str],
    split: bool,
    settle: float,
) -> None:
    """Build a pack whenever a workbook lands in or changes in INBOX. Ctrl-C stops."""
    import datetime as dt

    from kpireport.batch import Outcome
    from kpireport.build import BuildOptions
    from kpireport.delivering.mail import check_mail_settings, deliver_or_say, mail_formats
    from kpireport.presenting.formats import DEFAULT_ATTACHED
    from kpireport.watch import watch

    to, cc = email_to, email_cc
    if to:
        check_mail_settings(to, cc)
        formats = mail_formats(formats, DEFAULT_ATTACHED)

    def log(text: str) -> None:
        click.echo(f"{dt.datetime.now():%H:%M:%S} {text}")

    def done(outcome: Outcome) -> None:
        if not outcome.ok:
            log(f"{outcome.workbook.name}: FAILED: {outcome.error}")
            return
        log(f"{outcome.workbook.name}: wrote {', '.join(p.name for p in outcome.outputs)}")
        if to:
            problem = deliver_or_say(outcome.full_pack, to, cc, DEFAULT_ATTACHED, sent_line(to, cc))
            if problem:
                log(f"{outcome.workbook.name}: not sent: {problem}")

    log(f"Watching {inbox} for workbooks; packs go to {out_dir}. Press Ctrl-C to stop.")
    try:
        watch(inbox, BuildOptions(out_dir=out_dir, formats=formats, split=split), done, settle=settle)
    except KeyboardInterrupt:
        log("Stopped.")
