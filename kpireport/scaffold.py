"""``kpireport init``: write the template v1 workbook (SPEC §2), optionally with example data.

openpyxl writes it, with drop-downs, number formats, frozen headers and column widths, so a
finance team can start typing at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpireport.delivering.output import write_set
from kpireport.errors import KpiReportError
from kpireport.formula import Formula, parse_formula
from kpireport.model import KEY_MESSAGES, Direction, Locale, Month
from kpireport.scaffold_actions import Figures, add_choices, example_actions, write_actions
from kpireport.scaffold_audience import (
    EXAMPLE_COMPANY,
    add_language_choices,
    other_name,
    recipients,
    translation_rows,
    write_rows,
)
from kpireport.schema import (
    ACTION_COLUMNS,
    ACTIONS_SHEET,
    ACTUALS_SHEET,
    COMMENT_COLUMNS,
    COMMENTARY_COLUMNS,
    COMMENTARY_SHEET,
    COMMENTS_SHEET,
    DISTRIBUTION_COLUMNS,
    DISTRIBUTION_SHEET,
    FORECAST_SHEET,
    KGI_COLUMNS,
    KGI_SHEET,
    KPI_CHOICES,
    KPI_COLUMNS,
    KPI_SHEET,
    SETTINGS,
    SETTINGS_SHEET,
    TARGETS_SHEET,
    TRANSLATION_COLUMNS,
    TRANSLATIONS_SHEET,
    Column,
)


@dataclass(frozen=True)
class ExampleKpi:
    id: str
    department: str
    name: dict[Locale, str]
    unit: str
    direction: str
    aggregation: str
    perspective: str
    kgi: str
    monthly_target: float
    description: dict[Locale, str]
    unit_label: dict[Locale, str] | None = None


@dataclass(frozen=True)
class Examples:
    """The example departments, KPIs, KGIs and comments of ``data/examples.toml``."""

    departments: dict[str, dict[str, str]]
    kpis: tuple[ExampleKpi, ...]
    kgis: tuple[dict[str, Any], ...]
    comments: tuple[dict[str, str], ...]
    actions: tuple[dict[str, Any], ...] = ()

    def department(self, key: str, lang: Locale) -> str:
        return self.departments[key][lang]

    def owner(self, key: str, lang: Locale) -> str:
        return self.departments[key][f"owner_{lang}"]


def _pair(entry: dict[str, Any], field_name: str) -> dict[Locale, str]:
    return {"en": entry[f"{field_name}_en"], "ja": entry[f"{field_name}_ja"]}


@functools.cache
def examples() -> Examples:
    data = tomllib.loads((resources.files("kpireport") / "data" / "examples.toml").read_text(encoding="utf-8"))
    kpis = tuple(
        ExampleKpi(
            id=entry["id"],
            department=entry["department"],
            name=_pair(entry, "name"),
            unit=entry["unit"],
            direction=entry["direction"],
            aggregation=entry["aggregation"],
            perspective=entry["perspective"],
            kgi=entry["kgi"],
            monthly_target=float(entry["monthly_target"]),
            description=_pair(entry, "description"),
            unit_label=_pair(entry, "unit_label") if "unit_label_en" in entry else None,
        )
        for entry in data["kpi"]
    )
    return Examples(data["departments"], kpis, tuple(data["kgi"]), tuple(data["comment"]), tuple(data["action"]))


HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")


@dataclass(frozen=True)
class InitOptions:
    lang: Locale = "en"
    year: int | None = None
    fiscal_start: int | None = None
    departments: Sequence[str] = ("marketing", "sales", "customer_success", "hr")
    example: bool = False
    company: str | None = None
    months_of_actuals: int = 7


# Settings the template writes, with their example values (the rest keep their defaults).
# Last year's plan against this year's, for the example's history.
LAST_YEAR_PLAN = 0.9
TEMPLATE_SETTINGS = ("company", "fiscal_year_start", "currency", "locale", "report_month", "green_at", "amber_at")


def company_of(options: InitOptions) -> str:
    """--company, else an example name in the template's language."""
    return options.company or EXAMPLE_COMPANY[options.lang]


def default_fiscal_start(lang: Locale) -> int:
    """April for Japanese teams (the usual 会計年度), January otherwise."""
    return 4 if lang == "ja" else 1


def write_template(
    path: Path,
    options: InitOptions,
    *,
    force: bool = False,
    today: dt.date | None = None,
    beside: Mapping[Path, str] | None = None,
) -> None:
    """Write the template to ``path``, with the ``beside`` files (the example theme) as one
    set: all of them or none, and nothing existing overwritten without ``force``."""
    for target in (path, *(beside or {})):
        if target.exists() and not force:
            raise KpiReportError(f"{target} already exists; pass --force to overwrite it.")
    if path.suffix.lower() != ".xlsx":
        raise KpiReportError(f"{path.name} must end in .xlsx.")
    known = examples().departments
    unknown = [d for d in options.departments if d not in known]
    if unknown:
        raise KpiReportError(f"unknown department {unknown[0]!r}; choose from {', '.join(known)}.")
    workbook = io.BytesIO()
    build_template(options, today=today or dt.date.today()).save(workbook)
    write_set({path: workbook.getvalue(), **(beside or {})})


def build_template(options: InitOptions, *, today: dt.date) -> OpenpyxlWorkbook:
    lang = options.lang
    start_month = options.fiscal_start or default_fiscal_start(lang)
    year = options.year or (today.year if today.month >= start_month else today.year - 1)
    first = Month(year, start_month)
    months = [first.shift(i) for i in range(12)]
    kpis = [k for k in examples().kpis if k.department in options.departments]
    company = company_of(options)

    book = OpenpyxlWorkbook()
    settings = book.active
    assert settings is not None
    settings.title = SETTINGS_SHEET.written(lang)
    _write_settings(settings, lang, company, start_month)
    deadline = months[-1].shift(1).first_day - dt.timedelta(days=1)
    _write_kgis(book.create_sheet(KGI_SHEET.written(lang)), lang, deadline, {k.id for k in kpis})
    _write_kpis(book.create_sheet(KPI_SHEET.written(lang)), lang, kpis)
    targets: dict[str, list[float | None]] = {}
    actuals: dict[str, list[float | None]] = {}
    estimates: dict[str, list[float | None]] = {}
    if options.example:
        rng = random.Random(f"{year}-{start_month}-{lang}")
        plan = {k.id: _targets(k, months) for k in kpis}
        so_far = {k.id: _actuals(k, plan[k.id], options.months_of_actuals, rng) for k in kpis}
        # Last fiscal year in full (its plan a step lower, with its own draws, so this year's
        # figures are the same with or without it), and the team's estimate for the next
        # three months of every cumulative KPI: the example shows prior year and outlook.
        last_year = [first.shift(i - 12) for i in range(12)]
        earlier = random.Random(f"{year - 1}-{start_month}-{lang}")
        for kpi in kpis:
            last_plan = _targets(kpi, last_year, scale=LAST_YEAR_PLAN)
            targets[kpi.id] = last_plan + plan[kpi.id]
            actuals[kpi.id] = _actuals(kpi, last_plan, 12, earlier, drift=False) + so_far[kpi.id]
            estimates[kpi.id] = _estimates(kpi, plan[kpi.id], options.months_of_actuals, rng)
        for values in (targets, actuals, estimates):
            _follow_formulas(values, {k.id for k in kpis})
        months = last_year + months
    _write_series(book.create_sheet(TARGETS_SHEET.written(lang)), kpis, months, targets)
    _write_series(book.create_sheet(ACTUALS_SHEET.written(lang)), kpis, months, actuals)
    _write_series(book.create_sheet(FORECAST_SHEET.written(lang)), kpis, months[-12:], estimates)
    comments = book.create_sheet(COMMENTS_SHEET.written(lang))
    _write_table_header(comments, lang, COMMENT_COLUMNS)
    if options.example:
        _write_comments(comments, lang, kpis, months[-12:][options.months_of_actuals - 1])
    actions = book.create_sheet(ACTIONS_SHEET.written(lang))
    _write_table_header(actions, lang, ACTION_COLUMNS)
    if options.example:
        this_year = {k.id: _figures(k, targets[k.id][12:], actuals[k.id][12:]) for k in kpis}
        last = first.shift(options.months_of_actuals - 1)
        write_actions(
            actions, example_actions(examples().actions, lang, this_year, _measured(), _owner(lang), first, last)
        )
    add_choices(actions, lang, [*(str(k["id"]) for k in examples().kgis), *(k.id for k in kpis)])
    subjects = [KEY_MESSAGES, *(str(kgi["id"]) for kgi in examples().kgis), *(k.id for k in kpis)]
    _write_commentary(book.create_sheet(COMMENTARY_SHEET.written(lang)), lang, subjects)
    _write_audience(book, options, kpis, company)
    return book


def _write_audience(book: OpenpyxlWorkbook, options: InitOptions, kpis: Sequence[ExampleKpi], company: str) -> None:
    """The Translations sheet, filled with every example text in both languages, and the
    Distribution sheet, with --example a recipient per pack (SPEC §4b)."""
    lang = options.lang
    chosen = examples()
    translations = book.create_sheet(TRANSLATIONS_SHEET.written(lang))
    _write_table_header(translations, lang, TRANSLATION_COLUMNS)
    departments = {key: chosen.departments[key] for key in options.departments}
    labels = [k.unit_label for k in kpis if k.unit_label]
    descriptions = [k.description for k in kpis]
    write_rows(translations, translation_rows(lang, departments, chosen.kgis, labels, company, descriptions))
    distribution = book.create_sheet(DISTRIBUTION_SHEET.written(lang))
    _write_table_header(distribution, lang, DISTRIBUTION_COLUMNS)
    if options.example:
        write_rows(distribution, recipients(lang, options.departments, chosen.departments))
    add_language_choices(distribution, _column_letter(DISTRIBUTION_COLUMNS, "lang"))


def _figures(kpi: ExampleKpi, targets: Sequence[float | None], actuals: Sequence[float | None]) -> Figures:
    direction = Direction.LOWER if kpi.direction == "lower" else Direction.HIGHER
    return Figures(kpi.unit, direction, _number_format(kpi), targets, actuals, small=kpi.monthly_target < 10)


def _measured() -> dict[str, str]:
    return {str(kgi["id"]): str(kgi["measured_by"]) for kgi in examples().kgis}


def _owner(lang: Locale) -> Callable[[str], tuple[str, str]]:
    """A department's owner and e-mail address, in the template's language."""
    return lambda department: (examples().owner(department, lang), examples().departments[department]["email"])


def _write_header_row(sheet: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(headers))
    for col, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=col)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A2"


def _write_table_header(sheet: Worksheet, lang: Locale, columns: Sequence[Column]) -> None:
    _write_header_row(sheet, [c.written(lang) for c in columns], [c.width for c in columns])


def _column_letter(columns: Sequence[Column], key: str) -> str:
    return str(get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.key == key)))


def _write_settings(sheet: Worksheet, lang: Locale, company: str, start_month: int) -> None:
    _write_header_row(sheet, ["key", "value", "note" if lang == "en" else "説明"], [22, 28, 52])
    values: dict[str, object] = {
        "company": company,
        "fiscal_year_start": start_month,
        "currency": "JPY",
        "locale": lang,
        "report_month": None,
        "green_at": 1.0,
        "amber_at": 0.9,
    }
    formats = {"report_month": "@", "green_at": "0%", "amber_at": "0%"}
    for setting in (s for s in SETTINGS if s.key in TEMPLATE_SETTINGS):
        sheet.append([setting.written(lang), values[setting.key], setting.note(lang)])
        if setting.key in formats:
            sheet.cell(row=sheet.max_row, column=2).number_format = formats[setting.key]


def _example_formula(kgi: Mapping[str, Any], kpi_ids: set[str]) -> Formula | None:
    """The example KGI's driver formula, when every KPI it names is in the template."""
    if "formula" not in kgi:
        return None
    formula = parse_formula(kgi["formula"])
    return formula if set(formula.kpis) <= kpi_ids else None


def _follow_formulas(values: dict[str, list[float | None]], kpi_ids: set[str]) -> None:
    """Make each example KGI's measured KPI the formula of its drivers, month by month, as it
    is in a real business (revenue is deals × deal size), so the bridge ends at the KGI's actual."""
    for kgi in examples().kgis:
        formula = _example_formula(kgi, kpi_ids)
        measured = kgi["measured_by"]
        if formula is None or measured not in kpi_ids:
            continue
        columns = zip(*(values[kpi] for kpi in formula.kpis), strict=True)
        values[measured] = [
            float(round(formula.evaluate(dict(zip(formula.kpis, month, strict=True)))))
            if all(v is not None for v in month)
            else None
            for month in columns
        ]


def _write_kgis(sheet: Worksheet, lang: Locale, deadline: dt.date, kpi_ids: set[str]) -> None:
    _write_table_header(sheet, lang, KGI_COLUMNS)
    for kgi in examples().kgis:
        formula = _example_formula(kgi, kpi_ids)
        row = {
            "id": kgi["id"],
            "name": kgi[f"name_{lang}"],
            "target": kgi["target"],
            "unit": kgi[f"unit_{lang}"],
            "deadline": deadline,
            "measured_by": kgi["measured_by"],
            "owner": kgi[f"owner_{lang}"],
            "formula": formula.text if formula else None,
            **other_name(lang, {"en": kgi["name_en"], "ja": kgi["name_ja"]}),
        }
        sheet.append([row.get(column.key) for column in KGI_COLUMNS])
        sheet.cell(row=sheet.max_row, column=3).number_format = "#,##0"
        sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"


def _write_kpis(sheet: Worksheet, lang: Locale, kpis: Sequence[ExampleKpi]) -> None:
    _write_table_header(sheet, lang, KPI_COLUMNS)
    chosen = examples()
    for kpi in kpis:
        row = {
            "id": kpi.id,
            "name": kpi.name[lang],
            "department": chosen.department(kpi.department, lang),
            "kgi": kpi.kgi,
            "perspective": kpi.perspective,
            "unit": kpi.unit_label[lang] if kpi.unit_label else kpi.unit,
            "direction": kpi.direction,
            "aggregation": kpi.aggregation,
            "kind": "kpi",
            "owner": chosen.owner(kpi.department, lang),
            "description": kpi.description[lang],
            **other_name(lang, kpi.name),
        }
        sheet.append([row[column.key] for column in KPI_COLUMNS])
    last = max(len(kpis) + 1, 200)
    for key, (choices, strict) in KPI_CHOICES.items():
        col = _column_letter(KPI_COLUMNS, key)
        validation = DataValidation(
            type="list", formula1=f'"{",".join(choices)}"', allow_blank=True, showErrorMessage=strict
        )
        sheet.add_data_validation(validation)
        validation.add(f"{col}2:{col}{last}")
    wrapped = [i for i, c in enumerate(KPI_COLUMNS) if c.key in {"name", "description"}]
    for row_cells in sheet.iter_rows(min_row=2, max_col=len(KPI_COLUMNS)):
        for index in wrapped:
            row_cells[index].alignment = Alignment(wrap_text=True, vertical="top")


def _number_format(kpi: ExampleKpi) -> str:
    if kpi.unit == "percent":
        return "0.0%"
    if kpi.unit == "currency":
        return '"¥"#,##0'
    return "#,##0.0" if kpi.monthly_target < 10 else "#,##0"


def _write_series(
    sheet: Worksheet,
    kpis: Sequence[ExampleKpi],
    months: Sequence[Month],
    values: dict[str, list[float | None]],
) -> None:
    _write_header_row(sheet, ["id", *(str(m) for m in months)], [10] + [13] * len(months))
    sheet.freeze_panes = "B2"
    for kpi in kpis:
        sheet.append([kpi.id, *values.get(kpi.id, [None] * len(months))])
        for col in range(2, len(months) + 2):
            sheet.cell(row=sheet.max_row, column=col).number_format = _number_format(kpi)


def _targets(kpi: ExampleKpi, months: Sequence[Month], *, scale: float = 1.0) -> list[float | None]:
    """A year of targets that grow gently through the year, rounded the way planners round."""
    out: list[float | None] = []
    for index in range(len(months)):
        if kpi.unit == "percent" or kpi.aggregation != "sum":
            growth = 1 + 0.004 * index if kpi.direction == "higher" else 1 - 0.004 * index
            # A rate's plan moves less from one year to the next than a volume's.
            value = kpi.monthly_target * growth * (1 - (1 - scale) / 3 if kpi.direction == "higher" else 1)
            out.append(
                round(value, 4)
                if kpi.unit == "percent"
                else round(value, 1 if value < 10 else 0 if value < 100 else -1 if value < 10_000 else -3)
            )
        else:
            value = kpi.monthly_target * scale * (1 + 0.02 * index)
            out.append(float(round(value, 0 if value < 1000 else -2 if value < 1_000_000 else -5)))
    return out


def _estimates(
    kpi: ExampleKpi, targets: list[float | None], months_filled: int, rng: random.Random
) -> list[float | None]:
    """The team's estimate for the three months after the last actual, for cumulative KPIs;
    the months beyond are left to the run rate."""
    out: list[float | None] = [None] * len(targets)
    if kpi.aggregation != "sum" or kpi.unit == "percent":
        return out
    for index in range(months_filled, min(months_filled + 3, len(targets))):
        target = targets[index]
        if target is not None:
            value = target * rng.uniform(0.9, 1.06)
            out[index] = float(round(value, 1 if kpi.monthly_target < 10 else 0 if value < 100_000 else -3))
    return out


def _actuals(
    kpi: ExampleKpi, targets: list[float | None], months_filled: int, rng: random.Random, *, drift: bool = True
) -> list[float | None]:
    """Actuals scattered around target; churn drifts up for three months so the sample shows a
    REVIEW finding the way real data does (``drift``: this year only)."""
    out: list[float | None] = []
    for index, target in enumerate(targets):
        if index >= months_filled or target is None:
            out.append(None)
            continue
        if kpi.id == "CS-01" and drift:
            factor = 0.92 if index < months_filled - 3 else 1.25 + 0.05 * (index - months_filled + 3)
        else:
            factor = rng.uniform(0.86, 1.12)
        value = target * factor
        if kpi.unit == "percent":
            out.append(round(min(value, 0.999), 4))
        elif kpi.monthly_target < 10:
            out.append(round(value, 1))
        else:
            out.append(float(round(value)))
    return out


def _write_comments(sheet: Worksheet, lang: Locale, kpis: Sequence[ExampleKpi], month: Month) -> None:
    departments = {k.id: k.department for k in kpis}
    for note in examples().comments:
        if note["kpi"] in departments:
            owner = examples().owner(departments[note["kpi"]], lang)
            row = {
                "kpi": note["kpi"],
                "month": str(month),
                "comment": note[f"comment_{lang}"],
                "action": note[f"action_{lang}"],
                "owner": owner,
            }
            sheet.append([row[column.key] for column in COMMENT_COLUMNS])
    wrapped = [i for i, c in enumerate(COMMENT_COLUMNS) if c.key in {"comment", "action"}]
    for row_cells in sheet.iter_rows(min_row=2, max_col=len(COMMENT_COLUMNS)):
        for index in wrapped:
            row_cells[index].alignment = Alignment(wrap_text=True, vertical="top")


# Excel keeps a drop-down's list of values to 255 characters.
MAX_LIST_CHARS = 255
MAX_COMMENTARY_ROWS = 500


def _write_commentary(sheet: Worksheet, lang: Locale, subjects: Sequence[str]) -> None:
    """The Commentary sheet, empty: the controller's words go here (SPEC §3b), its subject
    column a drop-down of ``*`` (the key messages), the KGI ids and the KPI ids."""
    _write_table_header(sheet, lang, COMMENTARY_COLUMNS)
    choices = ",".join(subjects)
    if len(choices) <= MAX_LIST_CHARS:
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True)
        sheet.add_data_validation(validation)
        validation.add(
            f"{_column_letter(COMMENTARY_COLUMNS, 'subject')}2:{_column_letter(COMMENTARY_COLUMNS, 'subject')}500"
        )
    sheet.column_dimensions[_column_letter(COMMENTARY_COLUMNS, "text")].width = 90
