"""The command line: parse options, call the core, turn KpiReportError into a message and an
exit code. Nothing else lives here."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from kpireport import __version__
from kpireport.errors import KpiReportError
from kpireport.model import Month

LANGS = click.Choice(["en", "ja"])


class MonthType(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    name = "YYYY-MM"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Month:
        if isinstance(value, Month):
            return value
        try:
            return Month.parse(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a month; use YYYY-MM, e.g. 2026-10.", param, ctx)


def _fail(error: KpiReportError) -> None:
    click.echo(f"Error: {error}", err=True)
    sys.exit(error.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(
    path: Path,
    lang: str,
    year: int | None,
    fiscal_start: int | None,
    departments: str,
    company: str | None,
    example: bool,
    force: bool,
) -> None:
    """Write a new KPI workbook (template v1) to PATH."""
    from kpireport.scaffold import InitOptions, write_template

    options = InitOptions(
        lang="ja" if lang == "ja" else "en",
        year=year,
        fiscal_start=fiscal_start,
        departments=tuple(d.strip() for d in departments.split(",") if d.strip()),
        example=example,
        company=company,
    )
    try:
        write_template(path, options, force=force)
    except KpiReportError as error:
        _fail(error)
    click.echo(f"Wrote {path}" + (" with example data" if example else ""))


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option(
    "--month",
    type=MonthType(),
    help="Month to review (default: Settings' report_month, else the latest with an actual).",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(workbook: Path, month: Month | None, output_format: str) -> None:
    """Review the KPI design (SMART and review rules). Exit 0 clean or warnings only,
    1 with errors, 2 when the workbook cannot be read."""
    from kpireport.build import load_report
    from kpireport.present import print_findings

    try:
        report = load_report(workbook, month)
    except KpiReportError as error:
        _fail(error)
    if output_format == "json":
        click.echo(json.dumps({"findings": [f.as_json() for f in report.findings]}, ensure_ascii=False, indent=2))
    else:
        print_findings(report)
    sys.exit(1 if any(f.severity == "error" for f in report.findings) else 0)


def _formats(value: str) -> Sequence[str]:
    from kpireport.build import FORMATS

    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated), not {value!r}.")
    return chosen


@cli.command()
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    help="Output folder (default: current folder).",
)
@click.option(
    "--month",
    type=MonthType(),
    help="Month to report on (default: Settings' report_month, else the latest with an actual).",
)
@click.option(
    "--format", "formats", default="pdf,html,json", show_default=True, help="Comma-separated: pdf, html, json."
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of templates that override the packaged ones by file name.",
)
@click.option("--lang", type=LANGS, help="Pack language, overriding Settings' locale.")
@click.option(
    "--quarterly", is_flag=True, help="Add the quarterly review even when the month does not close a quarter."
)
def build(
    workbooks: tuple[Path, ...],
    out_dir: Path,
    month: Month | None,
    formats: str,
    templates: Path | None,
    lang: str | None,
    quarterly: bool,
) -> None:
    """Build the review pack of each WORKBOOK: <stem>-<YYYY-MM>.pdf, .html and .json."""
    from kpireport.build import BuildOptions, build_pack

    try:
        chosen = _formats(formats)
    except click.BadParameter as error:
        raise click.BadParameter(str(error), param_hint="'--format'") from None
    options = BuildOptions(
        out_dir=out_dir,
        month=month,
        formats=chosen,
        templates=templates,
        lang="ja" if lang == "ja" else "en" if lang == "en" else None,
        quarterly=quarterly,
    )
    failed = 0
    for path in workbooks:
        try:
            result = build_pack(path, options)
        except KpiReportError as error:
            failed += 1
            if len(workbooks) == 1:
                _fail(error)
            click.echo(f"Error: {path}: {error}", err=True)
            continue
        for output in result.outputs:
            click.echo(f"Wrote {output}")
    if failed:
        sys.exit(2 if failed == len(workbooks) else 1)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="kpireport")
