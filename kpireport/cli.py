"""The command line: parse options, call the core, turn KpiReportError into a message and an
exit code. Nothing else lives here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from kpireport.errors import KpiReportError, NoSolutionError
from kpireport.model import Month
from kpireport.version import __version__

LANGS = click.Choice(["en", "ja"])
F = TypeVar("F", bound=Callable[..., Any])


class MonthType(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    name = "YYYY-MM"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Month:
        if isinstance(value, Month):
            return value
        try:
            return Month.parse(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a month; use YYYY-MM, e.g. 2026-10.", param, ctx)


def _say(prefix: str, text: str) -> None:
    """One message on stderr; workbook text in it is shown with its control characters escaped."""
    from kpireport.terminal import safe_text

    click.echo(f"{prefix}: {safe_text(text)}", err=True)


def _warn(warnings: Sequence[str], prefix: str = "") -> None:
    """Problems that do not stop a build (an unknown setting, say): shown, on stderr."""
    for warning in warnings:
        _say("Warning", f"{prefix}{warning}")


def _fail(message: str, exit_code: int) -> NoReturn:
    """A user-facing error as one message on stderr, and its exit code."""
    _say("Error", message)
    sys.exit(exit_code)


class _Commands(click.Group):
    """The one place a :class:`KpiReportError` from any command becomes its message and its
    exit code; anything else is a bug and keeps its traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KpiReportError as error:
            _fail(str(error), error.exit_code)


def _formats_option(help_text: str) -> Callable[[F], F]:
    """--format: the formats a command writes, checked against the registry of formats."""

    def parse(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
        from kpireport.presenting.formats import parse_formats

        try:
            return parse_formats(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None

    from kpireport.presenting.formats import DEFAULT_FORMATS, NAMES

    return click.option(
        "--format",
        "formats",
        default=",".join(DEFAULT_FORMATS),
        show_default=True,
        callback=parse,
        help=f"{help_text} Comma-separated: {', '.join(NAMES)}.",
    )


def _month_option(what: str) -> Callable[[F], F]:
    """--month: the month a command works on, by default the workbook's own."""
    return click.option(
        "--month", type=MonthType(), help=f"{what} (default: Settings' report_month, else the latest with an actual)."
    )


def _email_options(what: str) -> Callable[[F], F]:
    """--email-to and --email-cc: where a command e-mails each pack it builds."""

    def decorate(command: F) -> F:
        command = click.option(
            "--email-cc", multiple=True, callback=_addresses, help=f"Copy each {what} to this address (repeatable)."
        )(command)
        return click.option(
            "--email-to",
            multiple=True,
            callback=_addresses,
            help=f"Send each {what} to this address (repeatable); SMTP from the environment.",
        )(command)

    return decorate


def _addresses(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> list[str]:
    """--to a@x --to b@x, or --to a@x,b@x."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kpireport")
def cli() -> None:
    """Turn a KPI workbook into a monthly review pack (PDF, HTML, JSON)."""


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang", type=LANGS, default="en", show_default=True, help="Language of sheet names, headers and examples."
)
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    help="Fiscal year (the calendar year it starts in). Default: the current one.",
)
@click.option(
    "--fiscal-start", type=click.IntRange(1, 12), help="Month the fiscal year starts (default: 4 for ja, 1 for en)."
)
@click.option(
    "--departments",
    default="marketing,sales,customer_success,hr",
    show_default=True,
    help="Comma-separated example departments to include.",
)
@click.option("--company", help="Company name for the Settings sheet.")
@click.option("--example", is_flag=True, help="Fill realistic targets and actuals so the file builds straight away.")
@click.option("--theme", "with_theme", is_flag=True, help="Also write a commented example brand.toml beside PATH.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(
    path: Path,
    lang: str,
    year: int | None,
    fiscal_start: int | None,
    departments: str,
    company: str | None,
    example: bool,
    with_theme: bool,
    force: bool,
) -> None:
    """Write a new KPI workbook (template v1) to PATH."""
    from kpireport.scaffold import InitOptions, company_of, write_template

    options = InitOptions(
        lang="ja" if lang == "ja" else "en",
        year=year,
        fiscal_start=fiscal_start,
        departments=tuple(d.strip() for d in departments.split(",") if d.strip()),
        example=example,
        company=company,
    )
    theme_file = path.parent / "brand.toml"
    beside = {}
    if with_theme:
        from kpireport.presenting.theme import example_theme

        beside[theme_file] = example_theme(company_of(options))
    write_template(path, options, force=force, beside=beside)
    click.echo(f"Wrote {path}" + (" with example data" if example else ""))
    if with_theme:
        click.echo(f"Wrote {theme_file} (use it with: kpireport build {path.name} --theme {theme_file.name})")


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@_month_option("Month to review")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(workbook: Path, month: Month | None, output_format: str) -> None:
    """Review the KPI design (SMART and review rules). Exit 0 clean or warnings only,
    1 with errors, 2 when the workbook cannot be read."""
    from kpireport.build import load_report
    from kpireport.formatting import Formatter
    from kpireport.presenting.wording import word_all
    from kpireport.terminal import print_findings

    report = load_report(workbook, month)
    _warn(report.workbook.warnings)
    if report.workbook.latest_actual_month() is None:
        click.echo(
            f"Note: no actual yet, so this reviews the design for the fiscal year from "
            f"{report.workbook.settings.fiscal_year_of(report.month)}; the rules that need actuals "
            "(SMART-A, REVIEW, DISCONNECT) are skipped.",
            err=True,
        )
    findings = word_all(report.findings, Formatter.for_settings(report.workbook.settings))
    if output_format == "json":
        click.echo(json.dumps({"findings": [f.as_json() for f in findings]}, ensure_ascii=False, indent=2))
    else:
        print_findings(report, findings)
    sys.exit(1 if any(f.severity == "error" for f in report.findings) else 0)


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--kgi", "kgi_id", required=True, help="The KGI whose target the drivers must reach.")
@click.option("--solve", "kpi_id", required=True, help="The driver KPI whose monthly targets are scaled.")
@click.option(
    "--write",
    "destination",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save a copy of the workbook with the solved targets (the input is never modified).",
)
def plan(workbook: Path, kgi_id: str, kpi_id: str, destination: Path | None) -> None:
    """Back-cast a driver KPI's monthly targets from its KGI (SPEC §3a): the factor that makes
    the KGI's formula of the targets add up to its target. Exit 1 when no factor does."""
    from kpireport.computing.report import choose_month
    from kpireport.planning import check_destination, make_plan, write_plan
    from kpireport.reading.workbook import read_workbook
    from kpireport.terminal import print_plan

    if destination is not None:
        check_destination(workbook, destination)
    book = read_workbook(workbook)
    start = book.settings.fiscal_year_of(choose_month(book, None, design_review=True))
    planned = make_plan(book, kgi_id, kpi_id, start)
    _warn(book.warnings)
    print_plan(planned, book)
    if not planned.reached:
        reason = planned.solution.reason
        raise NoSolutionError(f"{reason}; nothing was written." if destination else reason)
    if destination is None:
        return
    written = write_plan(workbook, destination, book, planned)
    note = (
        f" ({written.replaced_formulas} of them held formulas and now hold numbers)"
        if written.replaced_formulas
        else ""
    )
    click.echo(f"Wrote {destination}: {written.cells} target cells of {kpi_id} changed{note}.")


def _attachments(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    from kpireport.presenting.formats import ATTACHABLE, parse_formats

    try:
        return parse_formats(value, allowed=ATTACHABLE)
    except ValueError as error:
        raise click.BadParameter(f"{error} The JSON is the e-mail's body, not an attachment.") from None


def _email_distribution(outcomes: Sequence[Any], out_dir: Path, lang: str | None, subject: str | None) -> int:
    """``build --split --email-distribution``: each built workbook's recipients sent their packs.
    A workbook whose recipients were not all served is named and the others are still sent; the
    exit code is 1 then, else 0."""
    from kpireport.delivering.distribution import distribute
    from kpireport.terminal import safe_text

    failed = 0
    for outcome in outcomes:
        try:
            distribute(
                outcome.workbook,
                out_dir,
                month=Month.parse(outcome.month),
                lang="ja" if lang == "ja" else "en" if lang == "en" else None,
                subject=subject,
                say=lambda line: click.echo(safe_text(line)),
            )
        except KpiReportError as error:
            failed = 1
            _say("Error", f"{outcome.workbook.name}: {error}" if len(outcomes) > 1 else str(error))
    return failed


def _sent_line(to: Sequence[str], cc: Sequence[str]) -> Callable[[Any], None]:
    def say(pack: Any) -> None:
        click.echo(f"Sent {pack.pdf.name} to {', '.join([*to, *cc])}")

    return say


_ATTACH_DEFAULT = "pdf,html"


@cli.command()
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(), help="Output folder."
)
@_month_option("Month to report on")
@_formats_option("The formats to write.")
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of templates that override the packaged ones by file name.",
)
@click.option("--lang", type=LANGS, help="Pack language, overriding Settings' locale.")
@click.option(
    "--quarterly", is_flag=True, help="Add the quarterly review even when the month does not close a quarter."
)
@click.option("--theme", "theme_path", type=click.Path(dir_okay=False, path_type=Path), help="Brand theme (TOML).")
@click.option("--audit", is_flag=True, help="Attach the workbook to the PDF (PDF/A-3b) and print its SHA-256.")
@click.option(
    "--since",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The previous pack's JSON to list changes against (default: the latest earlier one in the output folder).",
)
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Workbooks built at once.")
@_email_options("pack")
@click.option(
    "--attach",
    default=_ATTACH_DEFAULT,
    show_default=True,
    callback=_attachments,
    help="With --email-to: the formats attached (pdf, html, pptx, xlsx); the PDF always is.",
)
@click.option("--subject", help="E-mail subject (default: company, review and month).")
@click.option("--final", is_flag=True, help="Refuse while a material KPI or goal has only drafted commentary (exit 1).")
@click.option("--split", is_flag=True, help="Also write one pack per scope and language of the Distribution sheet.")
@click.option(
    "--email-distribution",
    is_flag=True,
    help="With --split: e-mail each recipient of the Distribution sheet their pack, as send --distribution does.",
)
def build(
    workbooks: tuple[Path, ...],
    out_dir: Path,
    month: Month | None,
    formats: list[str],
    templates: Path | None,
    lang: str | None,
    quarterly: bool,
    theme_path: Path | None,
    audit: bool,
    since: Path | None,
    jobs: int,
    email_to: list[str],
    email_cc: list[str],
    attach: list[str],
    subject: str | None,
    final: bool,
    split: bool,
    email_distribution: bool,
) -> None:
    """Build the review pack of each WORKBOOK (a file, or a folder of workbooks):
    <stem>-<YYYY-MM>.pdf, .html and .json; with --split, also <stem>-<YYYY-MM>-<scope>-<lang>.*
    for each audience of its Distribution sheet."""
    from kpireport.batch import build_many, expand
    from kpireport.build import BuildOptions
    from kpireport.presenting.theme import DEFAULT_THEME, load_theme
    from kpireport.terminal import BatchProgress, print_summary

    to, cc = email_to, email_cc
    if email_distribution and not split:
        raise click.UsageError("--email-distribution e-mails the packs per audience: add --split.")
    if to:
        # Imported only to e-mail: smtplib and ssl cost a build that sends nothing 50 ms.
        from kpireport.delivering.mail import check_mail_settings, mail_formats

        check_mail_settings(to, cc)
        formats = mail_formats(formats, attach)
    if email_distribution:
        from kpireport.delivering.mail import smtp_settings

        smtp_settings()  # before anything is built, as for --email-to
    options = BuildOptions(
        out_dir=out_dir,
        month=month,
        formats=formats,
        templates=templates,
        lang="ja" if lang == "ja" else "en" if lang == "en" else None,
        quarterly=quarterly,
        theme=load_theme(theme_path) if theme_path else DEFAULT_THEME,
        audit=audit,
        since=since,
        final=final,
        split=split,
    )
    _warn(options.theme.warnings)
    paths = expand(workbooks)
    if not paths:
        raise KpiReportError(f"no workbook (.xlsx) found in {', '.join(str(w) for w in workbooks)}.")
    single = len(paths) == 1 and not workbooks[0].is_dir()
    if single:
        outcomes = build_many(paths, options, 1, lambda outcome: None)
        if not outcomes[0].ok:
            _fail(outcomes[0].error, outcomes[0].exit_code)
        _warn(outcomes[0].warnings)
        for output in outcomes[0].outputs:
            click.echo(f"Wrote {output}")
    else:
        with BatchProgress(len(paths)) as progress:
            outcomes = build_many(paths, options, jobs, progress.advance)
        print_summary(outcomes, out_dir)
        for outcome in outcomes:
            _warn(outcome.warnings, prefix=f"{outcome.workbook.name}: ")
    if to:
        from kpireport.delivering.mail import deliver

        for outcome in outcomes:
            if outcome.ok:
                deliver(outcome.full_pack, to, cc, subject, attach, _sent_line(to, cc))
    sent = _email_distribution([o for o in outcomes if o.ok], out_dir, lang, subject) if email_distribution else 0
    # One rule for one workbook and for many: the highest exit code of those that failed.
    sys.exit(max(sent, *(o.exit_code for o in outcomes)))


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@_month_option("Month to comment on")
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(),
    help="Where the packs are, to find the previous one as build does.",
)  # fmt: skip
@click.option(
    "--since", type=click.Path(dir_okay=False, path_type=Path), help="The previous pack's JSON to compare with."
)
@click.option("--lang", type=LANGS, help="Language of the drafted text, overriding Settings' locale.")
@click.option(
    "--write",
    "destination",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save a copy of the workbook with the drafted texts added to its Commentary sheet (the input is never "
    "modified).",
)
def draft(
    workbook: Path, month: Month | None, out_dir: Path, since: Path | None, lang: str | None, destination: Path | None
) -> None:
    """Print the commentary kpireport drafts for WORKBOOK's month (SPEC §3b): the key messages,
    then each material KPI's and goal's comment, marked drafted or the controller's."""
    from kpireport.build import BuildOptions, report_for
    from kpireport.presenting.finished import finish
    from kpireport.terminal import print_commentary

    options = BuildOptions(
        out_dir=out_dir, month=month, since=since, lang="ja" if lang == "ja" else "en" if lang == "en" else None
    )
    report = report_for(workbook, options)
    _warn(report.workbook.warnings)
    pack = finish(report, with_view=False)
    print_commentary(pack.commentary, report)
    if destination is not None:
        from kpireport.drafting import write_drafts

        added = write_drafts(workbook, destination, report, pack.commentary)
        click.echo(f"Wrote {destination}: {added} drafted rows added to its Commentary sheet for {report.month}.")


@cli.command()
@click.argument("packs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--to", "to", multiple=True, callback=_addresses, help="Recipient address (repeatable).")
@click.option("--cc", multiple=True, callback=_addresses, help="Copy recipient (repeatable).")
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
    import os

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
    from kpireport.delivering.mail import SENDER, compose_pack, deliver, group_pack_files, validate_address
    from kpireport.delivering.output import write_atomic
    from kpireport.presenting.formats import ATTACHABLE

    for address in [*to, *cc]:
        validate_address(address)
    if not dry_run:
        deliver(list(packs), to, cc, subject, ATTACHABLE, _sent_line(to, cc))
        return
    sender = os.environ.get(SENDER, "kpireport@localhost")
    for pack in group_pack_files(list(packs)):
        message = compose_pack(pack, sender=sender, to=to, cc=cc, subject=subject)
        target = pack.pdf.with_suffix(".eml")
        write_atomic(target, bytes(message))
        click.echo(f"Wrote {target} (not sent)")


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@_month_option("Month the reminders are for")
@click.option(
    "--dry-run", is_flag=True, help="Write each owner's message as a .eml file beside the workbook instead of sending."
)
def remind(workbook: Path, month: Month | None, dry_run: bool) -> None:
    """E-mail each action owner (the Actions sheet's email column) their overdue and due-soon
    actions, one message per owner, in the pack's language; SMTP as for send. Exit 1 when an
    owner could not be reminded (the others still are)."""
    from kpireport.reminding import remind_owners
    from kpireport.terminal import safe_text

    remind_owners(workbook, month, dry_run=dry_run, say=lambda line: click.echo(safe_text(line)), warn=_warn)


@cli.command("watch")
@click.argument("inbox", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
@_formats_option("The formats to write.")
@_email_options("new pack")
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
            problem = deliver_or_say(outcome.full_pack, to, cc, DEFAULT_ATTACHED, _sent_line(to, cc))
            if problem:
                log(f"{outcome.workbook.name}: not sent: {problem}")

    log(f"Watching {inbox} for workbooks; packs go to {out_dir}. Press Ctrl-C to stop.")
    try:
        watch(inbox, BuildOptions(out_dir=out_dir, formats=formats, split=split), done, settle=settle)
    except KeyboardInterrupt:
        log("Stopped.")


@cli.command()
@click.option(
    "--lang",
    "languages",
    type=LANGS,
    multiple=True,
    help="Pack language whose font to check (repeatable; default: en and ja).",
)
@click.option("--smtp", is_flag=True, help="Also connect to the SMTP server and log in.")
def doctor(languages: tuple[str, ...], smtp: bool) -> None:
    """Show what this machine can do: WeasyPrint and Pango, a font for each pack language,
    optional tools and the SMTP settings. Exit 1 when something a pack needs is missing."""
    from kpireport.doctor import diagnose
    from kpireport.terminal import print_checks

    checks = diagnose(languages or ("en", "ja"), smtp=smtp)
    print_checks(checks)
    failed = [check for check in checks if check.failed]
    if failed:
        click.echo(f"{len(failed)} problem(s): run the command under 'to fix' for each, then kpireport doctor again.")
    sys.exit(1 if failed else 0)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # A scheduler's SIGTERM ends the run as Ctrl-C does, through every clean-up on the way:
    # temporary files are removed and a pack half-renamed is put back (SIGTERM's default,
    # dying on the spot, would leave them).
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> None:
    import signal

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="kpireport")
    except OSError as exc:
        # The last guard: an OS error no command turned into a message of its own (a name too
        # long to even look up, say) is still one line, not a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}; check the path and run again.", 1)
