"""The one exception family for problems a user can fix.

The CLI turns any :class:`KpiReportError` into a one-line message and an exit code;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class KpiReportError(Exception):
    """A problem the user can fix; ``str(error)`` is the whole message."""

    exit_code = 2


class WorkbookError(KpiReportError, ValueError):
    """The workbook cannot be used: wrong layout, bad cell, corrupt or hostile file."""

    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None) -> None:
        self.sheet = sheet
        self.cell = cell
        where = f"{sheet}!{cell}: " if sheet and cell else f"{sheet}: " if sheet else ""
        super().__init__(f"{where}{message}")


class WorkbookErrors(WorkbookError):
    """Several bad cells at once, so the user can fix them in one pass."""

    def __init__(self, errors: list[WorkbookError]) -> None:
        self.errors = errors
        shown = errors[:10]
        lines = [str(e) for e in shown]
        if len(errors) > len(shown):
            lines.append(f"... and {len(errors) - len(shown)} more")
        KpiReportError.__init__(self, "\n".join(lines))
        self.sheet = errors[0].sheet
        self.cell = errors[0].cell


class OutputError(KpiReportError, OSError):
    """An output file or folder cannot be written."""

    exit_code = 1


class RenderError(KpiReportError):
    """The pack could not be rendered (too slow, or a broken user template)."""

    exit_code = 1


class NoSolutionError(KpiReportError):
    """The question has no answer in the workbook as it is (no factor makes the drivers reach
    their goal): the user changes the plan."""

    exit_code = 1


class NotFinalError(KpiReportError):
    """``build --final`` while a material subject has only drafted commentary."""

    exit_code = 1


class ThemeError(KpiReportError, ValueError):
    """A theme file is missing or invalid."""


class FontError(KpiReportError):
    """No installed font can draw the pack: rendering would print boxes instead of text."""


class ConfigurationError(KpiReportError):
    """Settings the user gives kpireport are missing or wrong (SMTP, an address): they fix the
    environment or the option."""


class PackError(KpiReportError, ValueError):
    """A pack file kpireport wrote (a PDF to send, a previous pack's JSON) is missing, unreadable
    or not a kpireport pack."""


class DeliveryError(KpiReportError):
    """The pack could not be delivered (SMTP refused, unreachable, ...)."""

    exit_code = 1
