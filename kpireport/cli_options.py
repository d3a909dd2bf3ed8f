"""What the commands share: option types and decorators, and how a message reaches the
terminal (workbook text in it escaped)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

import click

from kpireport.model import Month

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


def say(prefix: str, text: str) -> None:
    """One message on stderr; workbook text in it is shown with its control characters escaped."""
    from kpireport.terminal import safe_text

    click.echo(f"{prefix}: {safe_text(text)}", err=True)


def warn(warnings: Sequence[str], prefix: str = "") -> None:
    """Problems that do not stop a build (an unknown setting, say): shown, on stderr."""
    for warning in warnings:
        say("Warning", f"{prefix}{warning}")


def fail(message: str, exit_code: int) -> NoReturn:
    """A user-facing error as one message on stderr, and its exit code."""
    say("Error", message)
    sys.exit(exit_code)


def formats_option(help_text: str) -> Callable[[F], F]:
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


def month_option(what: str) -> Callable[[F], F]:
    """--month: the month a command works on, by default the workbook's own."""
    return click.option(
        "--month", type=MonthType(), help=f"{what} (default: Settings' report_month, else the latest with an actual)."
    )


def email_options(what: str) -> Callable[[F], F]:
    """--email-to and --email-cc: where a command e-mails each pack it builds."""

    def decorate(command: F) -> F:
        command = click.option(
            "--email-cc", multiple=True, callback=addresses, help=f"Copy each {what} to this address (repeatable)."
        )(command)
        return click.option(
            "--email-to",
            multiple=True,
            callback=addresses,
            help=f"Send each {what} to this address (repeatable); SMTP from the environment.",
        )(command)

    return decorate


def addresses(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> list[str]:
    """--to a@x --to b@x, or --to a@x,b@x."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def attachments(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    from kpireport.presenting.formats import ATTACHABLE, parse_formats

    try:
        return parse_formats(value, allowed=ATTACHABLE)
    except ValueError as error:
        raise click.BadParameter(f"{error} The JSON is the e-mail's body, not an attachment.") from None


def sent_line(to: Sequence[str], cc: Sequence[str]) -> Callable[[Any], None]:
    def say(pack: Any) -> None:
        click.echo(f"Sent {pack.pdf.name} to {', '.join([*to, *cc])}")

    return say


ATTACH_DEFAULT = "pdf,html"
