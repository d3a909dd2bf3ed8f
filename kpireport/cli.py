"""The command line: parse options, call the core, turn KpiReportError into a message and an
exit code. Nothing else lives here."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from kpireport.cli_options import (
    ATTACH_DEFAULT,
    LANGS,
    attachments,
    email_options,
    fail,
    formats_option,
    month_option,
    say,
    sent_line,
    warn,
)
from kpireport.errors import KpiReportError, NoSolutionError
from kpireport.model import Locale, Month
from kpireport.version import __version__


class _Commands(click.Group):
    """The one place a :class:`KpiReportError` from any command becomes its message and its
    exit code; anything else is a bug and keeps its traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KpiReportError as error:
            fail(str(error), error.exit_code)


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
@month_option("Month to review")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(workbook: Path, month: Month | None, output_format: str) -> None:
    """Review the KPI design (SMART and review rules). Exit 0 clean or warnings only,
    1 with errors, 2 when the workbook cannot be read."""
    from kpireport.build import load_report
    from kpireport.formatting import Formatter
    from kpireport.presenting.wording import word_all
    from kpireport.terminal import print_findings

    report = load_report(workbook, month)
    warn(report.workbook.warnings)
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
    warn(book.warnings)
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


@cli.command()
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(), help="Output folder."
)
@month_option("Month to report on")
@formats_option("The formats to write.")
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
@email_options("pack")
@click.option(
    "--attach",
    default=ATTACH_DEFAULT,
    show_default=True,
    callback=attachments,
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
    warn(options.theme.warnings)
    paths = expand(workbooks)
    if not paths:
        raise KpiReportError(f"no workbook (.xlsx) found in {', '.join(str(w) for w in workbooks)}.")
    single = len(paths) == 1 and not workbooks[0].is_dir()
    if single:
        outcomes = build_many(paths, options, 1, lambda outcome: None)
        if not outcomes[0].ok:
            fail(outcomes[0].error, outcomes[0].exit_code)
        warn(outcomes[0].warnings)
        for output in outcomes[0].outputs:
            click.echo(f"Wrote {output}")
    else:
        with BatchProgress(len(paths)) as progress:
            outcomes = build_many(paths, options, jobs, progress.advance)
        print_summary(outcomes, out_dir)
        for outcome in outcomes:
            warn(outcome.warnings, prefix=f"{outcome.workbook.name}: ")
    if to:
        from kpireport.delivering.mail import deliver

        for outcome in outcomes:
            if outcome.ok:
                deliver(outcome.full_pack, to, cc, subject, attach, sent_line(to, cc))
    sent = 0
    if email_distribution:
        from kpireport.delivering.distribution import distribute_built
        from kpireport.terminal import safe_text

        built = [(o.workbook, Month.parse(o.month)) for o in outcomes if o.ok]
        chosen: Locale | None = "ja" if lang == "ja" else "en" if lang == "en" else None
        sent = distribute_built(
            built,
            out_dir,
            lang=chosen,
            subject=subject,
            say=lambda line: click.echo(safe_text(line)),
            failed=lambda text: say("Error", text),
        )
    # One rule for one workbook and for many: the highest exit code of those that failed.
    sys.exit(max(sent, *(o.exit_code for o in outcomes)))


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@month_option("Month to comment on")
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
    warn(report.workbook.warnings)
    pack = finish(report, with_view=False)
    print_commentary(pack.commentary, report)
    if destination is not None:
        from kpireport.drafting import write_drafts

        added = write_drafts(workbook, destination, report, pack.commentary)
        click.echo(f"Wrote {destination}: {added} drafted rows added to its Commentary sheet for {report.month}.")


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


from kpireport.cli_delivery import remind, send, watch_command  # noqa: E402  (they register below)

for _command in (send, remind, watch_command):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    import signal

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="kpireport")
    except OSError as exc:
        # The last guard: an OS error no command turned into a message of its own (a name too
        # long to even look up, say) is still one line, not a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}; check the path and run again.", 1)
