"""``kpireport init``'s Actions sheet (SPEC §2, §3c): drop-downs for the target (the template's
KGI and KPI ids) and the status (in the template's language), date formats, and with
``--example`` realistic actions around the last month with actuals — some overdue, one due
soon, one done that worked and one that did not, one dropped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpireport.computing.metrics import attainment
from kpireport.model import ActionStatus, Direction, Locale, Month
from kpireport.schema import ACTION_COLUMNS, ACTION_STATUS_WORDS

VALIDATED_ROWS = 200
MAX_LIST_CHARS = 255
"""Excel's limit on a drop-down list typed into the validation itself."""


def _column(key: str) -> str:
    return str(get_column_letter(next(i for i, c in enumerate(ACTION_COLUMNS, start=1) if c.key == key)))


def add_choices(sheet: Worksheet, lang: Locale, target_ids: Sequence[str]) -> None:
    """A drop-down of the template's KGI and KPI ids on the target (another id may still be
    typed: a KPI added later), and of the three statuses in ``lang`` (nothing else)."""
    ids = ",".join(target_ids)
    targets = f'"{ids}"' if len(ids) + 2 <= MAX_LIST_CHARS else None
    if targets is not None:
        validation = DataValidation(type="list", formula1=targets, allow_blank=True, showErrorMessage=False)
        sheet.add_data_validation(validation)
        validation.add(f"{_column('target')}2:{_column('target')}{VALIDATED_ROWS}")
    words = ",".join(ACTION_STATUS_WORDS[status][lang] for status in ActionStatus)
    statuses = DataValidation(type="list", formula1=f'"{words}"', allow_blank=True, showErrorMessage=True)
    sheet.add_data_validation(statuses)
    statuses.add(f"{_column('status')}2:{_column('status')}{VALIDATED_ROWS}")
    for key, number_format in (("opened", "@"), ("due", "yyyy-mm-dd"), ("closed", "yyyy-mm-dd")):
        for row in range(2, VALIDATED_ROWS + 1):
            sheet[f"{_column(key)}{row}"].number_format = number_format


@dataclass(frozen=True)
class Figures:
    """What the example knows of a KPI: its unit, direction, number format and this fiscal
    year's targets and actuals, month by month from the year's first month."""

    unit: str
    direction: Direction
    number_format: str
    targets: Sequence[float | None]
    actuals: Sequence[float | None]
    small: bool = False
    """Figures below 10 (an engagement score of 4.1): one decimal."""


def _day(month: Month, day: int) -> dt.date:
    return month.next_first_day - dt.timedelta(days=1) if day == 0 else month.first_day.replace(day=day)


def _rounded(value: float, figures: Figures) -> float:
    if figures.unit == "percent":
        return round(value, 3)
    if figures.unit == "currency":
        return float(round(value, -2))
    return round(value, 1) if figures.small else float(round(value))


@dataclass(frozen=True)
class ExampleAction:
    row: dict[str, object]
    number_format: str


def example_actions(
    entries: Sequence[Mapping[str, Any]],
    lang: Locale,
    figures: Mapping[str, Figures],
    measured_by: Mapping[str, str],
    owner: Callable[[str], tuple[str, str]],
    year_start: Month,
    last_actual: Month,
) -> list[ExampleAction]:
    """The example's actions whose target is in the template, numbered A-01… in order. Of those
    marked ``worked``, each tried opened in each month its ``opened`` lists, only the one whose
    KPI's attainment rose most from the month before it opened to ``last_actual`` is kept (none,
    if none rose)."""

    def index(month: Month) -> int:
        return month.months_since(year_start)

    def kpi_of(entry: Mapping[str, Any]) -> str | None:
        target = str(entry["target"])
        kpi = measured_by.get(target, target)
        return kpi if kpi in figures else None

    def gain(kpi: str, opened: Month) -> float | None:
        data, before, now = figures[kpi], index(opened.shift(-1)), index(last_actual)
        if before < 0:
            return None
        was = attainment(data.targets[before], data.actuals[before], data.direction)
        is_ = attainment(data.targets[now], data.actuals[now], data.direction)
        return is_ - was if was is not None and is_ is not None else None

    def months(entry: Mapping[str, Any]) -> list[int]:
        opened = entry["opened"]
        return [int(o) for o in opened] if isinstance(opened, list) else [int(opened)]

    tried = [
        (g, -offset, i)
        for i, entry in enumerate(entries)
        if entry.get("worked") and (kpi := kpi_of(entry)) is not None
        for offset in months(entry)
        if (g := gain(kpi, last_actual.shift(offset))) is not None and g > 0
    ]
    best = max(tried) if tried else None
    actions: list[ExampleAction] = []
    for i, entry in enumerate(entries):
        kpi = kpi_of(entry)
        if kpi is None or (entry.get("worked") and (best is None or best[2] != i)):
            continue
        opened = last_actual.shift(-best[1] if best is not None and best[2] == i else months(entry)[0])
        actions.append(_example(entry, len(actions) + 1, lang, figures[kpi], owner, opened, last_actual, index))
    return actions


def _example(
    entry: Mapping[str, Any],
    number: int,
    lang: Locale,
    data: Figures,
    owner: Callable[[str], tuple[str, str]],
    opened: Month,
    last_actual: Month,
    index: Callable[[Month], int],
) -> ExampleAction:
    name, email = owner(str(entry["department"]))
    due_month = last_actual.shift(int(entry["due_month"]))
    status = ActionStatus(entry["status"])
    closed = (
        _day(last_actual.shift(int(entry["closed_month"])), int(entry["closed_day"]))
        if "closed_month" in entry
        else None
    )
    expected: float | None = None
    if entry.get("expected") == "plan" and 0 <= index(due_month) < len(data.targets):
        expected = data.targets[index(due_month)]
    elif entry.get("expected") == "most":
        before, now = data.actuals[index(opened.shift(-1))], data.actuals[index(last_actual)]
        if before is not None and now is not None:
            expected = _rounded(before + 0.75 * (now - before), data)
    row: dict[str, object] = {
        "id": f"A-{number:02d}",
        "target": entry["target"],
        "action": entry[f"action_{lang}"],
        "owner": name,
        "email": email,
        "opened": str(opened),
        "due": _day(due_month, int(entry["due_day"])),
        "status": ACTION_STATUS_WORDS[status][lang],
        "expected": expected,
        "closed": closed,
    }
    return ExampleAction(row, data.number_format)


def write_actions(sheet: Worksheet, actions: Sequence[ExampleAction]) -> None:
    """The example's rows, each ``expected`` in its KPI's number format."""
    expected = _column("expected")
    for example in actions:
        sheet.append([example.row.get(column.key) for column in ACTION_COLUMNS])
        row = sheet.max_row
        sheet[f"{expected}{row}"].number_format = example.number_format
        sheet[f"{_column('action')}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
