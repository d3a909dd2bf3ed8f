"""The typed domain model: what a KPI workbook says, free of any file format."""

from __future__ import annotations

import datetime as dt
import math
import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, NamedTuple

from kpireport.formula import Formula

_MONTH_TEXT = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})\s*$")


class Month(NamedTuple):
    """A calendar month; the unit every target and actual is kept in.

    A tuple underneath: a large workbook hashes and compares months millions of times, and
    tuples do that in C. Build one with :meth:`parse`, :meth:`of` or :meth:`shift` to keep it
    valid."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read ``YYYY-MM`` (also ``YYYY/MM``); raise ValueError otherwise."""
        match = _MONTH_TEXT.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a YYYY-MM month")
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a YYYY-MM month")
        return cls(int(match.group(1)), month)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def months_since(self, other: Month) -> int:
        return (self.year - other.year) * 12 + (self.month - other.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> dt.date:
        return self.shift(1).first_day

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class Direction(StrEnum):
    """Which way a KPI improves: the one place the rule "less is better" is written."""

    HIGHER = "higher"
    LOWER = "lower"

    @property
    def sign(self) -> int:
        """+1 where more is better, −1 where less is (CPA, churn): a change times the sign is
        positive when it is an improvement."""
        return -1 if self is Direction.LOWER else 1

    def favours(self, change: float) -> bool:
        """Whether ``change`` (against a target, a plan, a month before) is on the good side,
        or none at all: exactly on target is favourable."""
        return change * self.sign >= 0

    def improves(self, change: float) -> bool:
        """Whether ``change`` is an improvement, strictly."""
        return change * self.sign > 0

    def meets(self, actual: float, target: float) -> bool:
        """Whether ``actual`` reaches ``target``: at least it, or at most it where less is better."""
        return actual <= target if self is Direction.LOWER else actual >= target


class Aggregation(StrEnum):
    SUM = "sum"
    AVERAGE = "average"
    LAST = "last"


class Kind(StrEnum):
    KPI = "kpi"
    OKR = "okr"


class Perspective(StrEnum):
    FINANCIAL = "financial"
    CUSTOMER = "customer"
    PROCESS = "process"
    LEARNING = "learning"


Locale = Literal["en", "ja"]
Status = Literal["green", "amber", "red", "no_data"]
STATUSES: tuple[Status, ...] = ("green", "amber", "red", "no_data")


@dataclass(frozen=True)
class Thresholds:
    green_at: float = 1.0
    amber_at: float = 0.9


OKR_THRESHOLDS = Thresholds(green_at=0.7, amber_at=0.4)


@dataclass(frozen=True)
class CellRef:
    """Where a value came from, so findings can point the user at it."""

    sheet: str
    cell: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


@dataclass(frozen=True)
class TableLayout:
    """Where a table sheet (Commentary) keeps its columns, and the first row below its content."""

    sheet: str
    columns: Mapping[str, int]
    next_row: int


@dataclass(frozen=True)
class SheetLayout:
    """Where a monthly sheet (Targets, Actuals) keeps its values: the zero-based row of each
    KPI and column of each month, so a value can be pointed at or written back to its cell."""

    sheet: str
    rows: Mapping[str, int]
    columns: Mapping[Month, int]


@dataclass(frozen=True)
class Settings:
    company: str
    fiscal_year_start: int = 1
    currency: str = "JPY"
    locale: Locale = "en"
    report_month: Month | None = None
    thresholds: Thresholds = Thresholds()
    ambition_factor: float = 1.5
    materiality: float = 0.05
    """A variance at least this share of its target is material (SPEC §3b)."""
    report_month_source: CellRef | None = None
    """The Settings cell report_month was typed in, so a month out of range can be traced."""

    def fiscal_year_of(self, month: Month) -> Month:
        """The first month of the fiscal year that ``month`` belongs to."""
        year = month.year if month.month >= self.fiscal_year_start else month.year - 1
        return Month(year, self.fiscal_year_start)

    def fiscal_quarter_of(self, month: Month) -> Month:
        """The first month of the fiscal quarter that ``month`` belongs to."""
        start = self.fiscal_year_of(month)
        return start.shift(month.months_since(start) // 3 * 3)


@dataclass(frozen=True)
class Kgi:
    id: str
    name: str
    target: float | None
    unit: str = "number"
    deadline: dt.date | None = None
    measured_by: str | None = None
    owner: str = ""
    source: CellRef | None = None
    start: Month | None = None
    """When the KGI's period begins; None: the fiscal year that holds the report month."""
    formula: Formula | None = None
    """The KGI's monthly driver tree over KPI ids (SPEC §3a)."""
    formula_source: CellRef | None = None
    """The cell the formula was typed in, for findings about what it computes."""
    name_en: str = ""
    """The name an English pack shows (SPEC v1.2 §2); empty: ``name``."""
    name_ja: str = ""


@dataclass(frozen=True)
class Kpi:
    id: str
    name: str
    department: str
    kgi: str | None = None
    perspective: Perspective | None = None
    unit: str = "number"
    direction: Direction = Direction.HIGHER
    aggregation: Aggregation = Aggregation.SUM
    kind: Kind = Kind.KPI
    owner: str = ""
    description: str = ""
    source: CellRef | None = None
    name_en: str = ""
    """The name an English pack shows (SPEC v1.2 §2); empty: ``name``."""
    name_ja: str = ""

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"

    @property
    def is_currency(self) -> bool:
        return self.unit == "currency"


# Month → value for one KPI; an absent month has no data (never zero).
Series = Mapping[Month, float]
EMPTY_SERIES: Series = {}


class MonthValues(Mapping[Month, float]):
    """A :data:`Series` stored compactly: the values of one row of a sheet in an array of
    floats (NaN where a month has no value), with the month → position index shared by every
    row of that sheet. A workbook of 20,000 KPIs reads into a fifth of the memory that a
    dict per row takes. Excel cells cannot hold NaN, so NaN never stands for a real value."""

    __slots__ = ("_positions", "_values")

    def __init__(self, positions: Mapping[Month, int], values: array[float]) -> None:
        self._positions = positions
        self._values = values

    @classmethod
    def of(cls, positions: Mapping[Month, int], values: Mapping[Month, float]) -> MonthValues:
        return cls(positions, array("d", [values.get(month, math.nan) for month in positions]))

    def __getitem__(self, month: Month) -> float:
        value = self._values[self._positions[month]]
        if math.isnan(value):
            raise KeyError(month)
        return value

    def __iter__(self) -> Iterator[Month]:
        values = self._values
        return (month for month, index in self._positions.items() if not math.isnan(values[index]))

    def __len__(self) -> int:
        return sum(1 for value in self._values if not math.isnan(value))

    def __repr__(self) -> str:
        return f"MonthValues({dict(self)!r})"


@dataclass(frozen=True)
class CommentaryRow:
    """The controller's own words for a subject (a KPI or KGI id, or ``*`` for the key
    messages) in a month: printed instead of the drafted commentary (SPEC §3b)."""

    subject: str
    month: Month
    text: str
    lang: Locale | None = None
    """Only for packs in this language; None for every pack."""
    source: CellRef | None = None


KEY_MESSAGES = "*"
"""The Commentary sheet's subject for the key messages."""


@dataclass(frozen=True)
class Comment:
    kpi: str
    month: Month
    comment: str
    action: str = ""
    owner: str = ""


class ActionStatus(StrEnum):
    """Where an action of the Actions sheet stands (SPEC §2: open by default)."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Action:
    """A row of the Actions sheet (SPEC §2, §3c): a tracked action on a KPI or a KGI."""

    id: str
    target: str
    """A KPI id or a KGI id (a KPI where an id names both)."""
    action: str
    owner: str = ""
    email: str = ""
    opened: Month | None = None
    due: dt.date | None = None
    status: ActionStatus = ActionStatus.OPEN
    expected: float | None = None
    """The value of the target the action should reach by its due month, in its unit."""
    closed: dt.date | None = None
    source: CellRef | None = None
    """The id's cell; ``email_cell`` the e-mail's, so a bad address can be pointed at."""
    email_cell: CellRef | None = None


@dataclass(frozen=True)
class Scope:
    """What a pack per audience holds (SPEC v1.2 §4b): every KPI, or the KPIs of some
    departments (as written on the KPI sheet) and of some KGIs; ``slug`` names its files."""

    text: str
    """As first typed on the Distribution sheet."""
    everything: bool
    departments: frozenset[str] = frozenset()
    kgis: frozenset[str] = frozenset()
    names: tuple[str, ...] = ()
    """The departments and KGI ids in the order typed, each once (the cover names them so)."""
    slug: str = "all"

    @property
    def key(self) -> tuple[bool, frozenset[str], frozenset[str]]:
        """Two scopes with this key are one pack, however they were typed."""
        return self.everything, self.departments, self.kgis


@dataclass(frozen=True)
class Recipient:
    """A row of the Distribution sheet: who gets which pack, in which language and formats."""

    name: str
    email: str
    scope: Scope
    lang: Locale | None
    """None: the pack's language."""
    formats: tuple[str, ...]
    source: CellRef | None = None
    """The e-mail's cell, so a refusal or a missing pack can be traced."""


@dataclass(frozen=True)
class CellIssue:
    """A cell the reader could not use as a number: shown as a finding, never as zero."""

    kind: Literal["formula_without_value", "error_value", "not_a_number", "out_of_range"]
    kpi: str
    month: Month
    where: CellRef
    text: str = ""


@dataclass(frozen=True)
class Skipped:
    """A total or subtotal column or row (Total, FY, Q1, 合計 …) the reader left out."""

    where: CellRef
    label: str
    kind: Literal["column", "row"]


@dataclass(frozen=True)
class Workbook:
    """Everything a workbook says; built by :mod:`kpireport.reading.workbook`."""

    settings: Settings
    kgis: tuple[Kgi, ...]
    kpis: tuple[Kpi, ...]
    targets: Mapping[str, Series]
    actuals: Mapping[str, Series]
    comments: tuple[Comment, ...] = ()
    commentary: tuple[CommentaryRow, ...] = ()
    cell_issues: tuple[CellIssue, ...] = ()
    warnings: tuple[str, ...] = ()
    months: tuple[Month, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    forecasts: Mapping[str, Series] = field(default_factory=dict)
    """The Forecast sheet: the team's latest estimate for months without an actual yet."""
    target_layout: SheetLayout | None = None
    commentary_layout: TableLayout | None = None
    """Where the Commentary sheet's columns are and its next free row: ``draft --write`` adds there."""
    actions: tuple[Action, ...] | None = None
    """The Actions sheet's rows; None when the workbook has no Actions sheet (it tracks no
    actions, so no rule asks who is acting)."""
    translations: Mapping[str, Mapping[Locale, str]] = field(default_factory=dict)
    """The Translations sheet: a workbook text (compared as :func:`schema.key_of` does) → its
    form in each language it gives."""
    distribution: tuple[Recipient, ...] | None = None
    """The Distribution sheet's rows; None when the workbook has none."""

    def target_series(self, kpi_id: str) -> Series:
        return self.targets.get(kpi_id, EMPTY_SERIES)

    def actual_series(self, kpi_id: str) -> Series:
        return self.actuals.get(kpi_id, EMPTY_SERIES)

    def forecast_series(self, kpi_id: str) -> Series:
        return self.forecasts.get(kpi_id, EMPTY_SERIES)

    def latest_actual_month(self) -> Month | None:
        months = [m for series in self.actuals.values() for m in series]
        return max(months) if months else None
