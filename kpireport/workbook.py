"""Template v1 (SPEC §2): sheet grids in, a :class:`~kpireport.model.Workbook` out.

Sheet names, column names and settings keys are matched in English or Japanese, ignoring case
and surrounding spaces. Every problem names its sheet and cell and says what to do; problems
are collected so the user can fix a whole sheet in one pass.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TypeVar

from kpireport.errors import WorkbookError, WorkbookErrors
from kpireport.model import (
    Aggregation,
    CellIssue,
    CellRef,
    Comment,
    Direction,
    Kgi,
    Kind,
    Kpi,
    Locale,
    Month,
    MonthValues,
    Perspective,
    Series,
    Settings,
    Thresholds,
    Workbook,
)
from kpireport.xlsx import CellValue, Grid, XlsxFile, cell_name

SHEETS: dict[str, tuple[str, ...]] = {
    "settings": ("Settings", "設定"),
    "kgi": ("KGI", "KGIs"),
    "kpi": ("KPI", "KPIs"),
    "targets": ("Targets", "目標値", "目標"),
    "actuals": ("Actuals", "実績"),
    "comments": ("Comments", "コメント"),
}

KGI_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ID"),
    "name": ("name", "名称"),
    "target": ("target", "目標"),
    "unit": ("unit", "単位"),
    "deadline": ("deadline", "期限"),
    "measured_by": ("measured_by", "measured by", "測定KPI"),
    "owner": ("owner", "責任者"),
    "start": ("start", "開始"),
}

KPI_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ID"),
    "name": ("name", "名称"),
    "department": ("department", "部署"),
    "kgi": ("kgi",),
    "perspective": ("perspective", "視点"),
    "unit": ("unit", "単位"),
    "direction": ("direction", "方向"),
    "aggregation": ("aggregation", "集計"),
    "kind": ("kind", "種別"),
    "owner": ("owner", "責任者"),
    "description": ("description", "説明"),
}

COMMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "kpi": ("kpi", "KPI ID"),
    "month": ("month", "月"),
    "comment": ("comment", "コメント"),
    "action": ("action", "アクション"),
    "owner": ("owner", "責任者"),
}

SETTING_KEYS: dict[str, tuple[str, ...]] = {
    "company": ("company", "会社名"),
    "fiscal_year_start": ("fiscal_year_start", "期首月"),
    "currency": ("currency", "通貨"),
    "locale": ("locale", "言語"),
    "report_month": ("report_month", "報告月"),
    "green_at": ("green_at", "緑基準"),
    "amber_at": ("amber_at", "黄基準"),
    "ambition_factor": ("ambition_factor", "挑戦係数"),
}

# Japanese spellings accepted in the enumerated KPI columns, beside the SPEC's English values.
ENUM_ALIASES: dict[str, str] = {
    "高": "higher",
    "高い": "higher",
    "高いほど良い": "higher",
    "上": "higher",
    "低": "lower",
    "低い": "lower",
    "低いほど良い": "lower",
    "下": "lower",
    "合計": "sum",
    "平均": "average",
    "最終": "last",
    "期末": "last",
    "財務": "financial",
    "顧客": "customer",
    "業務プロセス": "process",
    "プロセス": "process",
    "学習と成長": "learning",
    "学習": "learning",
}

UNIT_ALIASES: dict[str, str] = {
    "number": "number",
    "数値": "number",
    "currency": "currency",
    "通貨": "currency",
    "金額": "currency",
    "percent": "percent",
    "%": "percent",
    "パーセント": "percent",
    "割合": "percent",
}

HEADER_SEARCH_ROWS = 10

LOCALES: dict[str, Locale] = {"en": "en", "english": "en", "英語": "en", "ja": "ja", "japanese": "ja", "日本語": "ja"}

E = TypeVar("E", bound=Enum)

# What calamine gives for a cell of a numbers sheet that needs no second look: a number, or
# "" for a blank (any other text is checked cell by cell).
_NUMBER_OR_TEXT = frozenset({float, int, str})


def _key(text: str) -> str:
    return text.strip().casefold()


def read_workbook(path: Path) -> Workbook:
    """Read and validate a workbook; raise :class:`WorkbookError` naming the sheet and cell."""
    with XlsxFile(path) as xlsx:
        return _Reader(xlsx).read()


@dataclass
class _Table:
    """A sheet with a header row: column key → index, and the data rows below it."""

    grid: Grid
    header_row: int
    columns: dict[str, int]

    def rows(self) -> Iterable[int]:
        for row in range(self.header_row + 1, len(self.grid.rows)):
            if any(self.grid.value(row, col) is not None for col in self.columns.values()):
                yield row

    def value(self, row: int, key: str) -> CellValue:
        col = self.columns.get(key)
        return None if col is None else self.grid.value(row, col)

    def ref(self, row: int, key: str) -> CellRef:
        return CellRef(self.grid.name, cell_name(row, self.columns.get(key, 0)))


@dataclass
class _Reader:
    xlsx: XlsxFile
    errors: list[WorkbookError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _choices: dict[tuple[type[Enum], str], Enum] = field(default_factory=dict)

    def read(self) -> Workbook:
        self._require_sheets()
        # The large sheets of numbers are each read one step ahead, in a thread, while the
        # sheet before them is processed (calamine releases the GIL as it parses), and every
        # grid is dropped once used: never more than two sheets of cells in memory at once.
        with ThreadPoolExecutor(max_workers=1) as ahead:
            targets_grid = ahead.submit(self._load, "targets")
            settings = self._settings(self._grid("settings"))
            kpis = self._kpis(self._grid("kpi"))
            self._raise_if_errors()
            kpi_ids = {k.id for k in kpis}
            kgis = self._kgis(self._grid("kgi"), kpi_ids)
            issues: list[CellIssue] = []
            grid = self._checked(targets_grid.result)
            actuals_grid = ahead.submit(self._load, "actuals")
            targets, target_months = self._series(grid, kpi_ids, issues)
            del grid
            actuals, actual_months = self._series(self._checked(actuals_grid.result), kpi_ids, issues)
        comments_grid = self._grid("comments")
        comments = self._comments(comments_grid, kpi_ids) if comments_grid else ()
        self._raise_if_errors()
        return Workbook(
            settings=settings,
            kgis=tuple(kgis),
            kpis=tuple(kpis),
            targets=targets,
            actuals=actuals,
            comments=tuple(comments),
            cell_issues=tuple(issues),
            warnings=tuple(self.warnings),
            months=tuple(sorted(set(target_months) | set(actual_months))),
        )

    # -- plumbing ----------------------------------------------------------------------------

    def _error(self, message: str, ref: CellRef | None = None, sheet: str | None = None) -> None:
        if ref is not None:
            self.errors.append(WorkbookError(message, sheet=ref.sheet, cell=ref.cell))
        else:
            self.errors.append(WorkbookError(message, sheet=sheet))

    def _raise_if_errors(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise WorkbookErrors(self.errors)

    def _require_sheets(self) -> None:
        missing = [names for key, names in SHEETS.items() if key != "comments" and not self.xlsx.find_sheet(names)]
        if not missing:
            return
        found = ", ".join(self.xlsx.sheet_names) or "none"
        if len(missing) == 1:
            names = missing[0]
            raise WorkbookError(
                f"{self.xlsx.label} has no sheet named {names[0]!r} or {names[1]!r} (sheets found: {found}). "
                "Add it, or start from the template: kpireport init NEW.xlsx"
            )
        raise WorkbookError(
            f"{self.xlsx.label} is not a kpireport workbook: the sheets "
            f"{', '.join(n[0] for n in missing)} are missing (sheets found: {found}). "
            "Start from the template: kpireport init NEW.xlsx"
        )

    def _grid(self, key: str) -> Grid | None:
        return self._checked(lambda: self._load(key))

    def _load(self, key: str) -> Grid | None:
        """The sheet's grid (None for an absent optional sheet)."""
        found = self.xlsx.find_sheet(SHEETS[key])
        return self.xlsx.grid(found, scan_values=key in {"targets", "actuals"}) if found else None

    def _checked(self, load: Callable[[], Grid | None]) -> Grid | None:
        """``load()``'s grid; a sheet that cannot be read stops the reading, reported together
        with what was found wrong before it."""
        try:
            return load()
        except WorkbookError as exc:
            self.errors.append(exc)
            self._raise_if_errors()
            raise

    def _table(self, grid: Grid, columns: Mapping[str, tuple[str, ...]], required: Iterable[str]) -> _Table | None:
        lookup = {_key(alias): key for key, aliases in columns.items() for alias in aliases}

        def header_keys(row: int) -> dict[str, int]:
            keys: dict[str, int] = {}
            for col, value in enumerate(grid.rows[row]):
                if isinstance(value, str) and _key(value) in lookup:
                    keys.setdefault(lookup[_key(value)], col)
            return keys

        # The header is the first row naming the required columns; a title row above it is fine.
        candidates = [
            r for r in range(min(len(grid.rows), HEADER_SEARCH_ROWS)) if any(v not in ("", None) for v in grid.rows[r])
        ]
        if not candidates:
            self._error(
                "the sheet is empty; it needs a header row: " + " | ".join(c[0] for c in columns.values()),
                sheet=grid.name,
            )
            return None
        header_row = next((r for r in candidates if all(k in header_keys(r) for k in required)), candidates[0])
        found = header_keys(header_row)
        missing = [key for key in required if key not in found]
        if missing:
            names = ", ".join(
                f"{columns[k][0]!r}" + (f" ({columns[k][1]})" if len(columns[k]) > 1 else "") for k in missing
            )
            self._error(
                f"column {names} is missing from the header row {header_row + 1}; add it "
                "(headers are matched in English or Japanese, ignoring case).",
                sheet=grid.name,
            )
            return None
        return _Table(grid, header_row, found)

    def _text(self, value: CellValue) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).replace("_x000D_", "").strip()

    def _choice(self, table: _Table, row: int, key: str, enum: type[E], default: E | None) -> E | None:
        text = self._text(table.value(row, key))
        if not text:
            return default
        # A column holds a handful of distinct words over thousands of rows: look each up once.
        known = self._choices.get((enum, text))
        if known is not None:
            return known  # type: ignore[return-value]
        normalized = ENUM_ALIASES.get(text.strip(), text.strip().casefold())
        try:
            self._choices[(enum, text)] = member = enum(normalized)
            return member
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            self._error(f"{text!r} is not a valid {key}; use one of: {allowed}.", table.ref(row, key))
            return default

    def _number_setting(self, value: CellValue, ref: CellRef, low: float, high: float) -> float | None:
        number = _as_number(value)
        if number is not None and low <= number <= high:
            return number
        self._error(f"{self._text(value)!r} is not a number between {low:g} and {high:g}; type one.", ref)
        return None

    # -- sheets ------------------------------------------------------------------------------

    def _settings(self, grid: Grid | None) -> Settings:
        assert grid is not None
        lookup = {_key(alias): key for key, aliases in SETTING_KEYS.items() for alias in aliases}
        values: dict[str, tuple[CellValue, CellRef]] = {}
        for row in range(len(grid.rows)):
            raw_key = self._text(grid.value(row, 0))
            if not raw_key or (row == 0 and _key(raw_key) in {"key", "キー", "項目"}):
                continue
            key = lookup.get(_key(raw_key))
            if key is None:
                self.warnings.append(f"{grid.name}!{cell_name(row, 0)}: unknown setting {raw_key!r} is ignored.")
                continue
            values[key] = (grid.value(row, 1), CellRef(grid.name, cell_name(row, 1)))

        def get(key: str) -> tuple[CellValue, CellRef]:
            return values.get(key, (None, CellRef(grid.name, "A1")))

        company, company_ref = get("company")
        company_text = self._text(company)
        if not company_text and "company" in values:
            self._error("the company name is empty; type the name to print on the pack.", company_ref)
        elif not company_text:
            self._error("the company name is missing; add a row: company | Your Company Ltd. (会社名)", sheet=grid.name)

        fiscal, ref = get("fiscal_year_start")
        fiscal_start = 1
        if fiscal is not None:
            number = self._number_setting(fiscal, ref, 1, 12)
            if number is not None and number.is_integer():
                fiscal_start = int(number)
            elif number is not None:
                self._error(f"{number:g} is not a month number; type 1-12 (4 = April).", ref)

        currency, ref = get("currency")
        currency_code = self._text(currency).upper() or "JPY"
        if not re.fullmatch(r"[A-Z]{3}", currency_code):
            self._error(f"{self._text(currency)!r} is not an ISO 4217 currency code; type e.g. JPY or USD.", ref)

        locale_value, ref = get("locale")
        locale_text = self._text(locale_value).casefold() or "en"
        locale = LOCALES.get(locale_text)
        if locale is None:
            self._error(f"{self._text(locale_value)!r} is not a supported locale; type en or ja.", ref)

        month_value, ref_of_month = get("report_month")
        report_month = self._month(month_value, ref_of_month) if month_value is not None else None

        thresholds = Thresholds()
        green, green_ref = get("green_at")
        amber, amber_ref = get("amber_at")
        green_at = self._number_setting(green, green_ref, 0, 10) if green is not None else thresholds.green_at
        amber_at = self._number_setting(amber, amber_ref, 0, 10) if amber is not None else thresholds.amber_at
        if green_at is not None and amber_at is not None:
            if amber_at > green_at:
                self._error(
                    f"amber_at ({amber_at:g}) is above green_at ({green_at:g}); amber must be the lower bar.", amber_ref
                )
            thresholds = Thresholds(green_at, amber_at)

        factor_value, ref = get("ambition_factor")
        factor = self._number_setting(factor_value, ref, 1, 100) if factor_value is not None else 1.5

        return Settings(
            report_month_source=ref_of_month,
            company=company_text,
            fiscal_year_start=fiscal_start,
            currency=currency_code,
            locale=locale or "en",
            report_month=report_month,
            thresholds=thresholds,
            ambition_factor=factor or 1.5,
        )

    def _month(self, value: CellValue, ref: CellRef) -> Month | None:
        if isinstance(value, (dt.date, dt.datetime)):
            return Month.of(value)
        if isinstance(value, str):
            try:
                return Month.parse(value)
            except ValueError:
                pass
        self._error(f"{self._text(value)!r} is not a month; type a date or YYYY-MM text such as 2026-04.", ref)
        return None

    def _optional_month(self, table: _Table, row: int, key: str) -> Month | None:
        value = table.value(row, key)
        return None if value is None else self._month(value, table.ref(row, key))

    def _identified_rows(self, table: _Table, noun: str, example: str) -> Iterator[tuple[int, str, CellRef]]:
        """(row, id, id cell) of each row with an id seen for the first time; a row without an
        id or with a repeated one is reported and skipped."""
        seen: dict[str, CellRef] = {}
        for row in table.rows():
            row_id = self._text(table.value(row, "id"))
            ref = table.ref(row, "id")
            if not row_id:
                self._error(f"this {noun} row has no id; type a short unique id such as {example}.", ref)
            elif row_id in seen:
                self._error(
                    f"{noun} id {row_id!r} is used twice (first at {seen[row_id]}); give each {noun} its own id.", ref
                )
            else:
                seen[row_id] = ref
                yield row, row_id, ref

    def _kpis(self, grid: Grid | None) -> list[Kpi]:
        assert grid is not None
        table = self._table(grid, KPI_COLUMNS, ("id", "name", "department"))
        if table is None:
            return []
        kpis: list[Kpi] = []
        for row, kpi_id, ref in self._identified_rows(table, "KPI", "MKT-01"):
            name = self._text(table.value(row, "name"))
            department = self._text(table.value(row, "department"))
            if not name:
                self._error(f"KPI {kpi_id!r} has no name; type what it measures.", table.ref(row, "name"))
            if not department:
                self._error(
                    f"KPI {kpi_id!r} has no department; type the department that owns it.", table.ref(row, "department")
                )
            unit_text = unit_of(self._text(table.value(row, "unit")))
            kpis.append(
                Kpi(
                    id=kpi_id,
                    name=name,
                    department=department,
                    kgi=self._text(table.value(row, "kgi")) or None,
                    perspective=self._choice(table, row, "perspective", Perspective, None),
                    unit=unit_text,
                    direction=self._choice(table, row, "direction", Direction, Direction.HIGHER) or Direction.HIGHER,
                    aggregation=self._choice(table, row, "aggregation", Aggregation, Aggregation.SUM)
                    or Aggregation.SUM,
                    kind=self._choice(table, row, "kind", Kind, Kind.KPI) or Kind.KPI,
                    owner=self._text(table.value(row, "owner")),
                    description=self._text(table.value(row, "description")),
                    source=ref,
                )
            )
        return kpis

    def _kgis(self, grid: Grid | None, kpi_ids: set[str]) -> list[Kgi]:
        assert grid is not None
        table = self._table(grid, KGI_COLUMNS, ("id", "name", "target"))
        if table is None:
            return []
        kgis: list[Kgi] = []
        for row, kgi_id, ref in self._identified_rows(table, "KGI", "KGI-1"):
            target = table.value(row, "target")
            target_number: float | None = None
            if isinstance(target, (int, float)) and not isinstance(target, bool):
                target_number = float(target)
            elif target is not None:
                self._error(
                    f"{self._text(target)!r} is not a number; type the KGI's target, e.g. 1000000000.",
                    table.ref(row, "target"),
                )
            measured_by = self._text(table.value(row, "measured_by")) or None
            if measured_by and measured_by not in kpi_ids:
                self._error(
                    f"measured_by {measured_by!r} is not a KPI id on the KPI sheet; "
                    "type one of its ids or clear the cell.",
                    table.ref(row, "measured_by"),
                )
            kgis.append(
                Kgi(
                    id=kgi_id,
                    name=self._text(table.value(row, "name")),
                    target=target_number,
                    unit=unit_of(self._text(table.value(row, "unit"))),
                    deadline=self._date(table.value(row, "deadline"), table.ref(row, "deadline")),
                    measured_by=measured_by,
                    owner=self._text(table.value(row, "owner")),
                    source=ref,
                    start=self._optional_month(table, row, "start"),
                )
            )
        return kgis

    def _date(self, value: CellValue, ref: CellRef) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip().replace("/", "-"))
            except ValueError:
                pass
        self._error(f"{self._text(value)!r} is not a date; type a date such as 2027-03-31.", ref)
        return None

    def _series(
        self, grid: Grid | None, kpi_ids: set[str], issues: list[CellIssue]
    ) -> tuple[dict[str, Series], list[Month]]:
        assert grid is not None
        header_row = self._month_header_row(grid)
        if header_row is None:
            self._error(
                "the month headers are missing: row 1 must hold a date or YYYY-MM text per column, "
                "after the KPI id column.",
                sheet=grid.name,
            )
            return {}, []
        header = grid.rows[header_row]
        months: dict[int, Month] = {}
        seen: dict[Month, str] = {}
        for col in range(1, len(header)):
            ref = CellRef(grid.name, cell_name(header_row, col))
            value = grid.value(header_row, col)
            if value is None:
                if any(grid.value(row, col) is not None for row in range(header_row + 1, len(grid.rows))):
                    self._error(
                        "this column has values but no month header; type its month (YYYY-MM) or clear the column.", ref
                    )
                continue
            month = self._month(value, ref)
            if month is None:
                continue
            if month in seen:
                self._error(f"month {month} appears twice (also at {seen[month]}); keep one column per month.", ref)
                continue
            seen[month] = ref.cell
            months[col] = month
        series: dict[str, Series] = {}
        first_row: dict[str, int] = {}
        month_columns = list(months.items())
        last_column = max(months, default=0) + 1
        positions = {month: index for index, month in enumerate(months.values())}
        columns = list(months)
        take = operator.itemgetter(*columns) if len(columns) > 1 else None  # a tuple only from two on
        problems = grid.problems
        # The hot loop of a large workbook: plain list access, and a CellRef only for a cell
        # that needs reporting.
        for row in range(header_row + 1, len(grid.rows)):
            cells = grid.rows[row]
            width = len(cells)
            kpi_id = self._text(cells[0] if width and cells[0] != "" else None)
            if not kpi_id:
                has_values = any(col < width and cells[col] != "" for col, _ in month_columns)
                if has_values or any((row, col) in problems for col, _ in month_columns):
                    self._error(
                        "this row has values but no KPI id; type the KPI id in column A or clear the row.",
                        CellRef(grid.name, cell_name(row, 0)),
                    )
                continue
            if kpi_id not in kpi_ids:
                self._error(
                    f"{kpi_id!r} is not a KPI id on the KPI sheet; fix the id or add the KPI there.",
                    CellRef(grid.name, cell_name(row, 0)),
                )
                continue
            if kpi_id in first_row:
                self._error(
                    f"KPI {kpi_id!r} has two rows (also row {first_row[kpi_id] + 1}); keep one row per KPI.",
                    CellRef(grid.name, cell_name(row, 0)),
                )
                continue
            first_row[kpi_id] = row
            if not problems and width >= last_column:
                # The common row, numbers and blanks only, goes straight into an array.
                picked = take(cells) if take else [cells[c] for c in columns]
                kinds = set(map(type, picked))
                if kinds <= _NUMBER_OR_TEXT and (str not in kinds or not any(type(v) is str and v for v in picked)):
                    values = [math.nan if v == "" else v for v in picked] if str in kinds else picked
                    series[kpi_id] = MonthValues(positions, array("d", values))  # type: ignore[arg-type]
                    continue
            numbers = {}
            for col, month in month_columns:
                value = cells[col] if col < width else None
                if problems and (row, col) in problems:
                    kind, text = problems[(row, col)]
                    issues.append(CellIssue(kind, kpi_id, month, CellRef(grid.name, cell_name(row, col)), text))
                elif type(value) is float or type(value) is int:
                    numbers[month] = float(value)
                elif value is not None and value != "":
                    where = CellRef(grid.name, cell_name(row, col))
                    issues.append(CellIssue("not_a_number", kpi_id, month, where, self._text(value)))
            series[kpi_id] = MonthValues.of(positions, numbers)
        return series, list(months.values())

    @staticmethod
    def _month_header_row(grid: Grid) -> int | None:
        """The first row with a month in it after column A (a title row above it is fine);
        else the first non-empty row, so errors point at what the user typed."""
        non_empty = [
            r for r in range(min(len(grid.rows), HEADER_SEARCH_ROWS)) if any(v not in ("", None) for v in grid.rows[r])
        ]
        for row in non_empty:
            for value in grid.rows[row][1:]:
                if isinstance(value, (dt.date, dt.datetime)):
                    return row
                if isinstance(value, str):
                    try:
                        Month.parse(value)
                        return row
                    except ValueError:
                        continue
        return non_empty[0] if non_empty else None

    def _comments(self, grid: Grid, kpi_ids: set[str]) -> list[Comment]:
        table = self._table(grid, COMMENT_COLUMNS, ("kpi", "month", "comment"))
        if table is None:
            return []
        comments: list[Comment] = []
        for row in table.rows():
            kpi_id = self._text(table.value(row, "kpi"))
            if kpi_id not in kpi_ids:
                self._error(
                    f"{kpi_id!r} is not a KPI id on the KPI sheet; fix the id or clear the row.", table.ref(row, "kpi")
                )
                continue
            month = self._month(table.value(row, "month"), table.ref(row, "month"))
            if month is None:
                continue
            comments.append(
                Comment(
                    kpi=kpi_id,
                    month=month,
                    comment=self._text(table.value(row, "comment")),
                    action=self._text(table.value(row, "action")),
                    owner=self._text(table.value(row, "owner")),
                )
            )
        return comments


def unit_of(text: str) -> str:
    """The SPEC unit a typed unit names (full-width ％ as typed on a Japanese keyboard, and
    other width variants, included); a free label as typed."""
    return UNIT_ALIASES.get(unicodedata.normalize("NFKC", text).casefold(), text)


def _as_number(value: CellValue) -> float | None:
    """A setting typed as a number or as numeric text ('4 in a text cell)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def not_a_number_errors(workbook: Workbook) -> list[WorkbookError]:
    """Cells that hold text where a number belongs: a build refuses these (SPEC §6)."""
    return [
        WorkbookError(
            f"{issue.text!r} is not a number; type a number such as 12.5 or clear the cell.",
            sheet=issue.where.sheet,
            cell=issue.where.cell,
        )
        for issue in workbook.cell_issues
        if issue.kind == "not_a_number"
    ]
