"""Template v1 (SPEC §2): sheet grids in, a :class:`~kpireport.model.Workbook` out.

The layout itself (sheet and column names, aliases, settings) is data in :mod:`kpireport.schema`;
tables are located by :mod:`kpireport.reading.tables` and the monthly sheets read by
:mod:`kpireport.reading.series`. Every problem names its sheet and cell and says what to do; problems
are collected so the user can fix a whole sheet in one pass.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TypeVar

from kpireport.errors import WorkbookError
from kpireport.formula import Formula, FormulaError, parse_formula
from kpireport.model import (
    KEY_MESSAGES,
    Aggregation,
    CellIssue,
    CellRef,
    Comment,
    CommentaryRow,
    Direction,
    Kgi,
    Kind,
    Kpi,
    Month,
    Perspective,
    Settings,
    Thresholds,
    Workbook,
)
from kpireport.reading import apart
from kpireport.reading.distribution import read_distribution, read_translations
from kpireport.reading.labels import era_problem, fraction_of, month_of
from kpireport.reading.series import read_series
from kpireport.reading.tables import (
    Problems,
    Table,
    find_table,
    identified_rows,
    month_in_range,
    text_of,
    year_out_of_range,
)
from kpireport.reading.xlsx import CellValue, Grid, XlsxFile, cell_name
from kpireport.schema import (
    COMMENT_COLUMNS,
    COMMENT_REQUIRED,
    ENUM_ALIASES,
    KGI_COLUMNS,
    KGI_REQUIRED,
    KPI_COLUMNS,
    KPI_REQUIRED,
    LOCALES,
    MAX_KGIS,
    MAX_MAGNITUDE,
    MAX_YEAR,
    MIN_YEAR,
    OPTIONAL_SHEETS,
    SETTINGS,
    SETTINGS_HEADER_WORDS,
    SHEETS,
    UNIT_ALIASES,
    Name,
    key_of,
    lookup,
)

E = TypeVar("E", bound=Enum)


def read_workbook(path: Path) -> Workbook:
    """Read and validate a workbook; raise :class:`WorkbookError` naming the sheet and cell."""
    with XlsxFile(path) as xlsx:
        return _Reader(xlsx).read()


def unit_of(text: str) -> str:
    """The SPEC unit a typed unit names (full-width ％ as typed on a Japanese keyboard, and
    other width variants, included); a free label as typed."""
    return UNIT_ALIASES.get(key_of(text), text)


@dataclass
class _Reader:
    xlsx: XlsxFile
    problems: Problems = field(default_factory=Problems)
    _choices: dict[tuple[type[Enum], str], Enum] = field(default_factory=dict)

    def read(self) -> Workbook:
        sheet_names = self._sheet_names()
        # The two large sheets of numbers are read while the small sheets are read here: a
        # large one in a process of its own (apart.py), else in a thread (calamine releases the
        # GIL while it parses, the XML scan does not). Each grid is dropped once used. Leaving
        # early (a bad KPI sheet), the processes are stopped first: the threads waiting on them
        # then end at once.
        with ThreadPoolExecutor(max_workers=2) as ahead, contextlib.ExitStack() as processes:
            # Both processes are forked before the first thread starts (apart.can_fork).
            read_targets, read_actuals = (self._reader(sheet_names, key, processes) for key in ("targets", "actuals"))
            targets_grid, actuals_grid = ahead.submit(read_targets), ahead.submit(read_actuals)
            settings = self._settings(self._grid(sheet_names, "settings"))
            kpis = self._kpis(self._grid(sheet_names, "kpi"))
            self.problems.raise_if_any()
            kpi_ids = {k.id for k in kpis}
            kgis = self._kgis(self._grid(sheet_names, "kgi"), kpi_ids)
            issues: list[CellIssue] = []
            grid = self._checked(targets_grid.result)
            targets, target_months, target_layout = read_series(_present(grid), kpi_ids, issues, self.problems)
            del grid
            actuals, actual_months, _ = read_series(
                _present(self._checked(actuals_grid.result)), kpi_ids, issues, self.problems
            )
        forecast_grid = self._grid(sheet_names, "forecast")
        forecasts = read_series(forecast_grid, kpi_ids, issues, self.problems)[0] if forecast_grid else {}
        del forecast_grid
        comments_grid = self._grid(sheet_names, "comments")
        comments = self._comments(comments_grid, kpi_ids) if comments_grid else ()
        # The optional sheets' readers are imported only for a workbook that has the sheet.
        commentary: tuple[CommentaryRow, ...] = ()
        commentary_layout = None
        commentary_grid = self._grid(sheet_names, "commentary")
        if commentary_grid:
            from kpireport.reading.commentary import read_commentary

            subjects = kpi_ids | {kgi.id for kgi in kgis} | {KEY_MESSAGES}
            rows, commentary_layout = read_commentary(commentary_grid, subjects, self.problems, self._month)
            commentary = tuple(rows)
        actions = None
        actions_grid = self._grid(sheet_names, "actions")
        if actions_grid is not None:
            from kpireport.reading.actions import read_actions

            actions = tuple(read_actions(actions_grid, self.problems, kpi_ids, {k.id for k in kgis}, self._month))
        translations_grid = self._grid(sheet_names, "translations")
        translations = read_translations(translations_grid, self.problems) if translations_grid else {}
        distribution_grid = self._grid(sheet_names, "distribution")
        distribution = (
            tuple(read_distribution(distribution_grid, self.problems, kpis, kgis, translations))
            if distribution_grid is not None
            else None
        )
        self.problems.raise_if_any()
        return Workbook(
            settings=settings,
            kgis=tuple(kgis),
            kpis=tuple(kpis),
            targets=targets,
            actuals=actuals,
            comments=tuple(comments),
            commentary=commentary,
            commentary_layout=commentary_layout,
            cell_issues=tuple(issues),
            warnings=tuple(self.problems.warnings),
            months=tuple(sorted(set(target_months) | set(actual_months))),
            skipped=tuple(self.problems.skipped),
            forecasts=forecasts,
            target_layout=target_layout,
            actions=actions,
            translations=translations,
            distribution=distribution,
        )

    # -- plumbing ----------------------------------------------------------------------------

    def _sheet_names(self) -> dict[str, str | None]:
        """Sheet key → the workbook's own name for it; two sheets answering to one name, or a
        required sheet missing, stop the reading here."""
        found: dict[str, str | None] = {}
        missing: list[Name] = []
        for sheet in SHEETS:
            wanted = {key_of(spelling) for spelling in sheet.spellings}
            matches = [name for name in self.xlsx.sheet_names if key_of(name) in wanted]
            if len(matches) > 1:
                shown = " and ".join(repr(m) for m in matches)
                raise WorkbookError(
                    f"{self.xlsx.label} has two {sheet.en} sheets, {shown}; kpireport cannot tell which "
                    "one to read. Delete or rename one of them."
                )
            found[sheet.key] = matches[0] if matches else None
            if not matches and sheet.key not in OPTIONAL_SHEETS:
                missing.append(sheet)
        if not missing:
            return found
        listed = ", ".join(self.xlsx.sheet_names) or "none"
        if len(missing) == 1:
            raise WorkbookError(
                f"{self.xlsx.label} has no sheet named {missing[0].en!r} or {missing[0].ja!r} (sheets found: "
                f"{listed}). Add it, or start from the template: kpireport init NEW.xlsx"
            )
        raise WorkbookError(
            f"{self.xlsx.label} is not a kpireport workbook: the sheets "
            f"{', '.join(s.en for s in missing)} are missing (sheets found: {listed}). "
            "Start from the template: kpireport init NEW.xlsx"
        )

    def _reader(
        self, sheet_names: dict[str, str | None], key: str, processes: contextlib.ExitStack
    ) -> Callable[[], Grid | None]:
        """What reads the sheet: a process of its own, started now, for a large sheet where
        one can be forked; else this reader, in the thread that calls it."""
        name = sheet_names[key]
        if name is None or self.xlsx.part_size(name) < apart.LARGE_PART_BYTES or not apart.can_fork():
            return lambda: self._load(sheet_names, key)
        process = apart.GridProcess(self.xlsx.path, name)
        processes.callback(process.close)
        return process.result

    def _grid(self, sheet_names: dict[str, str | None], key: str) -> Grid | None:
        return self._checked(lambda: self._load(sheet_names, key))

    def _load(self, sheet_names: dict[str, str | None], key: str) -> Grid | None:
        """The sheet's grid (None for an absent optional sheet)."""
        name = sheet_names[key]
        return self.xlsx.grid(name) if name else None

    def _checked(self, load: Callable[[], Grid | None]) -> Grid | None:
        """``load()``'s grid; a sheet that cannot be read stops the reading, reported together
        with what was found wrong before it."""
        try:
            return load()
        except WorkbookError as exc:
            self.problems.errors.append(exc)
            self.problems.raise_if_any()
            raise

    def _choice(self, table: Table, row: int, key: str, enum: type[E], default: E | None) -> E | None:
        text = table.text(row, key)
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
            self.problems.error(f"{text!r} is not a valid {key}; use one of: {allowed}.", table.ref(row, key))
            return default

    def _number_setting(self, value: CellValue, ref: CellRef, low: float, high: float) -> float | None:
        number = _as_number(value)
        if number is not None and low <= number <= high:
            return number
        self.problems.error(f"{text_of(value)!r} is not a number between {low:g} and {high:g}; type one.", ref)
        return None

    def _threshold(self, value: CellValue, ref: CellRef) -> float | None:
        """green_at / amber_at: a fraction or a percent (SPEC §2), 0.95, a 95% cell or "95%"
        typed as text; up to 10 (1000%), so a stretch bar above 100% still fits."""
        fraction = fraction_of(value)
        if fraction is not None and 0 <= fraction <= 10:
            return fraction
        self.problems.error(
            f"{text_of(value)!r} is not a threshold; type a fraction such as 0.95 or a percent such as 95%.", ref
        )
        return None

    # -- sheets ------------------------------------------------------------------------------

    def _settings(self, grid: Grid | None) -> Settings:
        assert grid is not None
        names = lookup(SETTINGS)
        values: dict[str, tuple[CellValue, CellRef]] = {}
        for row in range(len(grid.rows)):
            raw_key = text_of(grid.value(row, 0))
            if not raw_key or (row == 0 and key_of(raw_key) in SETTINGS_HEADER_WORDS):
                continue
            key = names.get(key_of(raw_key))
            if key is None:
                self.problems.warnings.append(
                    f"{grid.name}!{cell_name(row, 0)}: unknown setting {raw_key!r} is ignored."
                )
                continue
            values[key] = (grid.value(row, 1), CellRef(grid.name, cell_name(row, 1)))

        def get(key: str) -> tuple[CellValue, CellRef]:
            return values.get(key, (None, CellRef(grid.name, "A1")))

        error = self.problems.error
        company, company_ref = get("company")
        company_text = text_of(company)
        if not company_text and "company" in values:
            error("the company name is empty; type the name to print on the pack.", company_ref)
        elif not company_text:
            error("the company name is missing; add a row: company | Your Company Ltd. (会社名)", sheet=grid.name)

        fiscal, ref = get("fiscal_year_start")
        fiscal_start = 1
        if fiscal is not None:
            number = self._number_setting(fiscal, ref, 1, 12)
            if number is not None and number.is_integer():
                fiscal_start = int(number)
            elif number is not None:
                error(f"{number:g} is not a month number; type 1-12 (4 = April).", ref)

        currency, ref = get("currency")
        currency_code = text_of(currency).upper() or "JPY"
        if not re.fullmatch(r"[A-Z]{3}", currency_code):
            error(f"{text_of(currency)!r} is not an ISO 4217 currency code; type e.g. JPY or USD.", ref)

        locale_value, ref = get("locale")
        locale = LOCALES.get(key_of(text_of(locale_value)) or "en")
        if locale is None:
            error(f"{text_of(locale_value)!r} is not a supported locale; type en or ja.", ref)

        month_value, month_ref = get("report_month")
        report_month = self._month(month_value, month_ref) if month_value is not None else None

        thresholds = Thresholds()
        green, green_ref = get("green_at")
        amber, amber_ref = get("amber_at")
        green_at = self._threshold(green, green_ref) if green is not None else thresholds.green_at
        amber_at = self._threshold(amber, amber_ref) if amber is not None else thresholds.amber_at
        if green_at is not None and amber_at is not None:
            if amber_at > green_at:
                error(
                    f"amber_at ({amber_at:g}) is above green_at ({green_at:g}); amber must be the lower bar.", amber_ref
                )
            thresholds = Thresholds(green_at, amber_at)

        materiality_value, ref = get("materiality")
        materiality = self._threshold(materiality_value, ref) if materiality_value is not None else 0.05

        factor_value, ref = get("ambition_factor")
        factor = self._number_setting(factor_value, ref, 1, 100) if factor_value is not None else 1.5

        return Settings(
            company=company_text,
            fiscal_year_start=fiscal_start,
            currency=currency_code,
            locale=locale or "en",
            report_month=report_month,
            thresholds=thresholds,
            ambition_factor=factor or 1.5,
            materiality=materiality if materiality is not None else 0.05,
            report_month_source=month_ref if report_month is not None else None,
        )

    def _month(self, value: CellValue, ref: CellRef) -> Month | None:
        month = month_of(value)
        era = era_problem(value) if month is None else None
        if era is not None:
            self.problems.error(f"{text_of(value)!r} is not a month: {era}.", ref)
        elif month is None:
            self.problems.error(f"{text_of(value)!r} is not a month; type a date or YYYY-MM text such as 2026-04.", ref)
        elif not month_in_range(month):
            self.problems.error(year_out_of_range(month.year), ref)
            return None
        return month

    def _optional_month(self, table: Table, row: int, key: str) -> Month | None:
        value = table.value(row, key)
        return None if value is None else self._month(value, table.ref(row, key))

    def _kpis(self, grid: Grid | None) -> list[Kpi]:
        assert grid is not None
        table = find_table(grid, KPI_COLUMNS, KPI_REQUIRED, self.problems)
        if table is None:
            return []
        kpis: list[Kpi] = []
        for row, kpi_id, ref in identified_rows(table, "KPI", "MKT-01", self.problems):
            name = table.text(row, "name")
            department = table.text(row, "department")
            if not name:
                self.problems.error(f"KPI {kpi_id!r} has no name; type what it measures.", table.ref(row, "name"))
            if not department:
                self.problems.error(
                    f"KPI {kpi_id!r} has no department; type the department that owns it.", table.ref(row, "department")
                )
            kpis.append(
                Kpi(
                    id=kpi_id,
                    name=name,
                    department=department,
                    kgi=table.text(row, "kgi") or None,
                    perspective=self._choice(table, row, "perspective", Perspective, None),
                    unit=unit_of(table.text(row, "unit")),
                    direction=self._choice(table, row, "direction", Direction, Direction.HIGHER) or Direction.HIGHER,
                    aggregation=self._choice(table, row, "aggregation", Aggregation, Aggregation.SUM)
                    or Aggregation.SUM,
                    kind=self._choice(table, row, "kind", Kind, Kind.KPI) or Kind.KPI,
                    owner=table.text(row, "owner"),
                    description=table.text(row, "description"),
                    source=ref,
                    name_en=table.text(row, "name_en"),
                    name_ja=table.text(row, "name_ja"),
                )
            )
        return kpis

    def _kgis(self, grid: Grid | None, kpi_ids: set[str]) -> list[Kgi]:
        assert grid is not None
        table = find_table(grid, KGI_COLUMNS, KGI_REQUIRED, self.problems)
        if table is None:
            return []
        kgis: list[Kgi] = []
        for row, kgi_id, ref in identified_rows(table, "KGI", "KGI-1", self.problems):
            if len(kgis) == MAX_KGIS:
                raise WorkbookError(
                    f"KGI {kgi_id!r} is KGI number {MAX_KGIS + 1:,}; a workbook holds at most {MAX_KGIS:,} "
                    "(each is a card of the pack). Keep the company's goals on the KGI sheet and track the rest "
                    "as KPIs.",
                    sheet=ref.sheet,
                    cell=ref.cell,
                )
            target = table.value(row, "target")
            target_number: float | None = None
            if isinstance(target, (int, float)) and not isinstance(target, bool):
                if -MAX_MAGNITUDE <= target <= MAX_MAGNITUDE:
                    target_number = float(target)
                else:
                    self.problems.error(
                        f"the target is beyond ±{MAX_MAGNITUDE:.0e}, more than Excel keeps exactly; check the cell.",
                        table.ref(row, "target"),
                    )
            elif target is not None:
                self.problems.error(
                    f"{text_of(target)!r} is not a number; type the KGI's target, e.g. 1000000000.",
                    table.ref(row, "target"),
                )
            measured_by = table.text(row, "measured_by") or None
            if measured_by and measured_by not in kpi_ids:
                self.problems.error(
                    f"measured_by {measured_by!r} is not a KPI id on the KPI sheet; "
                    "type one of its ids or clear the cell.",
                    table.ref(row, "measured_by"),
                )
            kgis.append(
                Kgi(
                    id=kgi_id,
                    name=table.text(row, "name"),
                    target=target_number,
                    unit=unit_of(table.text(row, "unit")),
                    deadline=self._date(table.value(row, "deadline"), table.ref(row, "deadline")),
                    measured_by=measured_by,
                    owner=table.text(row, "owner"),
                    source=ref,
                    start=self._optional_month(table, row, "start"),
                    formula=self._formula(table, row, kpi_ids),
                    formula_source=table.ref(row, "formula") if "formula" in table.columns else None,
                    name_en=table.text(row, "name_en"),
                    name_ja=table.text(row, "name_ja"),
                )
            )
        return kgis

    def _formula(self, table: Table, row: int, kpi_ids: set[str]) -> Formula | None:
        text = table.text(row, "formula")
        if not text:
            return None
        try:
            return parse_formula(text, kpi_ids)
        except FormulaError as error:
            self.problems.error(str(error), table.ref(row, "formula"))
            return None

    def _date(self, value: CellValue, ref: CellRef) -> dt.date | None:
        if value is None:
            return None
        day: dt.date | None = None
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                day = dt.date.fromisoformat(value.strip().replace("/", "-"))
        if day is None:
            self.problems.error(f"{text_of(value)!r} is not a date; type a date such as 2027-03-31.", ref)
        elif not MIN_YEAR <= day.year <= MAX_YEAR:
            self.problems.error(year_out_of_range(day.year), ref)
            return None
        return day

    def _comments(self, grid: Grid, kpi_ids: set[str]) -> list[Comment]:
        table = find_table(grid, COMMENT_COLUMNS, COMMENT_REQUIRED, self.problems)
        if table is None:
            return []
        comments: list[Comment] = []
        for row in table.rows():
            kpi_id = table.text(row, "kpi")
            if kpi_id not in kpi_ids:
                self.problems.error(
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
                    comment=table.text(row, "comment"),
                    action=table.text(row, "action"),
                    owner=table.text(row, "owner"),
                )
            )
        return comments


def _present(grid: Grid | None) -> Grid:
    assert grid is not None  # Targets and Actuals are required sheets
    return grid


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
    """Cells that hold text where a number belongs, or a number beyond SPEC §6's range: a
    build refuses these, where they would become "no data" or an unreadable figure."""
    messages = {
        "not_a_number": "{text!r} is not a number; type a number such as 12.5 or clear the cell.",
        "out_of_range": f"{{text}} is beyond ±{MAX_MAGNITUDE:.0e}, more than Excel keeps exactly; check the cell.",
    }
    return [
        WorkbookError(messages[issue.kind].format(text=issue.text), sheet=issue.where.sheet, cell=issue.where.cell)
        for issue in workbook.cell_issues
        if issue.kind in messages
    ]
