"""The Actions sheet (SPEC v1.2 §2, §3c): actions tracked to a due date and to their effect.

Read with the rigour of every other sheet: a row without an id, a repeated id, a target that is
neither a KPI nor a KGI, a date or a month that is not one, a status that is not a status and an
``expected`` that is not a number are each an error naming the cell. The e-mail column is checked
by ``kpireport remind``, the one command that writes to it (a pack never shows an address).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from kpireport.model import Action, ActionStatus, CellRef, Month
from kpireport.reading.labels import fraction_of
from kpireport.reading.tables import Problems, Table, find_table, identified_rows, text_of, year_out_of_range
from kpireport.reading.xlsx import CellValue, Grid
from kpireport.schema import (
    ACTION_COLUMNS,
    ACTION_REQUIRED,
    ACTION_STATUS_ALIASES,
    ACTION_STATUS_WORDS,
    MAX_MAGNITUDE,
    MAX_YEAR,
    MIN_YEAR,
    key_of,
)

MonthReader = Callable[[CellValue, CellRef], Month | None]

# 2026-10-31, 2026/10/31, 2026.10.31 and 2026年10月31日 typed as text.
_DAY_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$")


def day_of(value: CellValue) -> dt.date | None:
    """A date as typed: a date cell, or text in the ISO order (``2026-10-31``, ``2026/10/31``,
    ``2026年10月31日``, full-width digits too); None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    match = _DAY_TEXT.match(key_of(value))
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def read_actions(
    grid: Grid, problems: Problems, kpi_ids: set[str], kgi_ids: set[str], month: MonthReader
) -> list[Action]:
    """Every well-formed row of the Actions sheet; each problem noted in ``problems`` with its
    cell. ``month`` reads a month cell as the rest of the workbook does."""
    table = find_table(grid, ACTION_COLUMNS, ACTION_REQUIRED, problems)
    if table is None:
        return []
    reader = _Rows(table, problems)
    actions: list[Action] = []
    for row, action_id, ref in identified_rows(table, "action", "A-01", problems):
        target = table.text(row, "target")
        if not target:
            problems.error(
                f"action {action_id!r} has no target; type the id of the KPI or KGI it should move.",
                table.ref(row, "target"),
            )
        elif target not in kpi_ids and target not in kgi_ids:
            problems.error(
                f"{target!r} is neither a KPI id on the KPI sheet nor a KGI id on the KGI sheet; "
                "type one of those ids.",
                table.ref(row, "target"),
            )
        text = table.text(row, "action")
        if not text:
            problems.error(f"action {action_id!r} says nothing; type what will be done.", table.ref(row, "action"))
        due = reader.day(row, "due")
        if due is None and table.value(row, "due") is None:
            problems.error(
                f"action {action_id!r} has no due date; type the date it is to be done by, e.g. 2026-10-31.",
                table.ref(row, "due"),
            )
        opened_value = table.value(row, "opened")
        opened = month(opened_value, table.ref(row, "opened")) if opened_value is not None else None
        status = reader.status(row)
        closed = reader.day(row, "closed")
        if closed is not None and status is ActionStatus.OPEN:
            problems.error(
                f"action {action_id!r} is open but has a closed date; set its status to done or dropped "
                "(完了 / 中止), or clear the date.",
                table.ref(row, "closed"),
            )
        if closed is not None and opened is not None and Month.of(closed) < opened:
            problems.error(
                f"action {action_id!r} closed on {closed.isoformat()}, before it was opened ({opened}); "
                "check both cells.",
                table.ref(row, "closed"),
            )
        actions.append(
            Action(
                id=action_id,
                target=target,
                action=text,
                owner=table.text(row, "owner"),
                email=table.text(row, "email"),
                opened=opened,
                due=due,
                status=status,
                expected=reader.number(row, "expected"),
                closed=closed,
                source=ref,
                email_cell=table.ref(row, "email") if "email" in table.columns else None,
            )
        )
    return actions


class _Rows:
    """The typed cells of one Actions table, each problem noted with its cell."""

    def __init__(self, table: Table, problems: Problems) -> None:
        self.table = table
        self.problems = problems

    def day(self, row: int, key: str) -> dt.date | None:
        value = self.table.value(row, key)
        if value is None:
            return None
        day = day_of(value)
        ref = self.table.ref(row, key)
        if day is None:
            self.problems.error(f"{text_of(value)!r} is not a date; type a date such as 2026-10-31.", ref)
        elif not MIN_YEAR <= day.year <= MAX_YEAR:
            self.problems.error(year_out_of_range(day.year), ref)
            return None
        return day

    def status(self, row: int) -> ActionStatus:
        text = self.table.text(row, "status")
        if not text:
            return ActionStatus.OPEN
        status = ACTION_STATUS_ALIASES.get(key_of(text))
        if status is None:
            allowed = ", ".join(f"{words['en']} ({words['ja']})" for words in ACTION_STATUS_WORDS.values())
            self.problems.error(
                f"{text!r} is not an action status; use one of: {allowed}.", self.table.ref(row, "status")
            )
            return ActionStatus.OPEN
        return status

    def number(self, row: int, key: str) -> float | None:
        """A figure in the target's unit: a number, a percent cell (0.25) or "25%" as text."""
        value = self.table.value(row, key)
        if value is None:
            return None
        number = fraction_of(value) if not isinstance(value, (dt.date, dt.time, dt.timedelta)) else None
        ref = self.table.ref(row, key)
        if number is None or not math.isfinite(number):
            self.problems.error(
                f"{text_of(value)!r} is not a number; type the value the target should reach, e.g. 120 or 25%.", ref
            )
            return None
        if abs(number) > MAX_MAGNITUDE:
            self.problems.error(
                f"{text_of(value)} is beyond ±{MAX_MAGNITUDE:.0e}, more than Excel keeps exactly; check the cell.", ref
            )
            return None
        return number
