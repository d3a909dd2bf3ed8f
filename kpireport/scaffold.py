"""``kpireport init``: write the template v1 workbook (SPEC §2), optionally with example data.

openpyxl writes it, with drop-downs, number formats, frozen headers and column widths, so a
finance team can start typing at once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpireport.errors import KpiReportError
from kpireport.model import Locale, Month
from kpireport.output import save_atomic


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


DEPARTMENTS: dict[str, dict[Locale, str]] = {
    "marketing": {"en": "Marketing", "ja": "マーケティング"},
    "sales": {"en": "Sales", "ja": "営業"},
    "customer_success": {"en": "Customer Success", "ja": "カスタマーサクセス"},
    "hr": {"en": "HR", "ja": "人事"},
}


def _kpi(
    id_: str,
    dept: str,
    en: str,
    ja: str,
    unit: str,
    direction: str,
    aggregation: str,
    perspective: str,
    kgi: str,
    target: float,
    desc_en: str,
    desc_ja: str,
    label: tuple[str, str] | None = None,
) -> ExampleKpi:
    return ExampleKpi(
        id_,
        dept,
        {"en": en, "ja": ja},
        unit,
        direction,
        aggregation,
        perspective,
        kgi,
        target,
        {"en": desc_en, "ja": desc_ja},
        {"en": label[0], "ja": label[1]} if label else None,
    )


# The departmental examples of SPEC §1. Sales keeps five KPIs; LTV sits with Customer Success,
# which owns retention, so no department exceeds the healthy five.
EXAMPLE_KPIS: tuple[ExampleKpi, ...] = (
    _kpi(
        "MKT-01",
        "marketing",
        "Leads generated",
        "リード獲得数",
        "",
        "higher",
        "sum",
        "customer",
        "KGI-2",
        1200,
        "Marketing-qualified leads created in the CRM",
        "CRMで作成されたMQL数",
        ("leads", "件"),
    ),
    _kpi(
        "MKT-02",
        "marketing",
        "Cost per lead (CPA)",
        "リード獲得単価（CPA）",
        "currency",
        "lower",
        "average",
        "financial",
        "KGI-2",
        8000,
        "Paid media spend ÷ leads",
        "広告費÷リード数",
    ),
    _kpi(
        "MKT-03",
        "marketing",
        "Lead-to-opportunity conversion rate (CVR)",
        "商談化率（CVR）",
        "percent",
        "higher",
        "average",
        "process",
        "KGI-2",
        0.12,
        "Opportunities ÷ leads of the month",
        "当月の商談数÷リード数",
    ),
    _kpi(
        "MKT-04",
        "marketing",
        "Website sessions",
        "サイトセッション数",
        "",
        "higher",
        "sum",
        "customer",
        "KGI-2",
        85000,
        "Sessions in web analytics",
        "アクセス解析のセッション数",
        ("sessions", "回"),
    ),
    _kpi(
        "SAL-01",
        "sales",
        "Calls and emails",
        "架電・メール数",
        "",
        "higher",
        "sum",
        "process",
        "KGI-2",
        4000,
        "Logged sales activities",
        "記録された営業活動数",
        ("activities", "件"),
    ),
    _kpi(
        "SAL-02",
        "sales",
        "New deals won",
        "新規受注件数",
        "",
        "higher",
        "sum",
        "customer",
        "KGI-2",
        50,
        "Closed-won new-business deals",
        "新規受注の件数",
        ("deals", "件"),
    ),
    _kpi(
        "SAL-03",
        "sales",
        "Win rate",
        "受注率",
        "percent",
        "higher",
        "average",
        "process",
        "KGI-2",
        0.25,
        "Won ÷ closed opportunities",
        "受注÷クローズした商談",
    ),
    _kpi(
        "SAL-04",
        "sales",
        "Average deal size",
        "平均受注単価",
        "currency",
        "higher",
        "average",
        "financial",
        "KGI-1",
        2_000_000,
        "New-business revenue ÷ deals won",
        "新規売上÷受注件数",
    ),
    _kpi(
        "SAL-05",
        "sales",
        "New-business revenue",
        "新規売上",
        "currency",
        "higher",
        "sum",
        "financial",
        "KGI-1",
        100_000_000,
        "Revenue booked from new customers",
        "新規顧客からの売上計上額",
    ),
    _kpi(
        "CS-01",
        "customer_success",
        "Churn rate",
        "解約率",
        "percent",
        "lower",
        "average",
        "customer",
        "KGI-1",
        0.015,
        "Customers lost ÷ customers at month start",
        "月初顧客数に対する解約数",
    ),
    _kpi(
        "CS-02",
        "customer_success",
        "Net Promoter Score (NPS)",
        "NPS（顧客推奨度）",
        "",
        "higher",
        "average",
        "customer",
        "KGI-1",
        35,
        "Promoters % − detractors % in the monthly survey",
        "月次調査の推奨者%−批判者%",
        ("points", "ポイント"),
    ),
    _kpi(
        "CS-03",
        "customer_success",
        "Upsell rate",
        "アップセル率",
        "percent",
        "higher",
        "average",
        "financial",
        "KGI-1",
        0.08,
        "Customers expanding ÷ active customers",
        "追加購入した顧客÷有効顧客",
    ),
    _kpi(
        "CS-04",
        "customer_success",
        "Average contract length",
        "平均契約月数",
        "",
        "higher",
        "last",
        "customer",
        "KGI-1",
        18,
        "Mean months under contract, active customers",
        "有効顧客の平均契約月数",
        ("months", "か月"),
    ),
    _kpi(
        "CS-05",
        "customer_success",
        "Customer lifetime value (LTV)",
        "顧客生涯価値（LTV）",
        "currency",
        "higher",
        "last",
        "financial",
        "KGI-1",
        3_600_000,
        "Average monthly revenue × contract months",
        "月次平均売上×契約月数",
    ),
    _kpi(
        "HR-01",
        "hr",
        "Job applications",
        "応募数",
        "",
        "higher",
        "sum",
        "learning",
        "KGI-1",
        150,
        "Applications received for open roles",
        "募集ポジションへの応募数",
        ("applications", "件"),
    ),
    _kpi(
        "HR-02",
        "hr",
        "Offer acceptance rate",
        "内定承諾率",
        "percent",
        "higher",
        "average",
        "learning",
        "KGI-1",
        0.7,
        "Offers accepted ÷ offers made",
        "内定承諾数÷内定数",
    ),
    _kpi(
        "HR-03",
        "hr",
        "3-month retention of new hires",
        "入社3か月定着率",
        "percent",
        "higher",
        "last",
        "learning",
        "KGI-1",
        0.95,
        "New hires still employed after 3 months",
        "入社3か月後も在籍する割合",
    ),
    _kpi(
        "HR-04",
        "hr",
        "Employee engagement score",
        "エンゲージメントスコア",
        "",
        "higher",
        "last",
        "learning",
        "KGI-1",
        4.0,
        "Quarterly pulse survey, 1-5",
        "四半期パルスサーベイ（1〜5）",
        ("points", "点"),
    ),
)

SHEET_NAMES: dict[str, dict[Locale, str]] = {
    "settings": {"en": "Settings", "ja": "設定"},
    "kgi": {"en": "KGI", "ja": "KGI"},
    "kpi": {"en": "KPI", "ja": "KPI"},
    "targets": {"en": "Targets", "ja": "目標値"},
    "actuals": {"en": "Actuals", "ja": "実績"},
    "comments": {"en": "Comments", "ja": "コメント"},
}

HEADERS: dict[str, dict[Locale, list[str]]] = {
    "kgi": {
        "en": ["id", "name", "target", "unit", "deadline", "measured_by", "owner", "start"],
        "ja": ["id", "名称", "目標", "単位", "期限", "測定KPI", "責任者", "開始"],
    },
    "kpi": {
        "en": [
            "id",
            "name",
            "department",
            "kgi",
            "perspective",
            "unit",
            "direction",
            "aggregation",
            "kind",
            "owner",
            "description",
        ],
        "ja": ["id", "名称", "部署", "kgi", "視点", "単位", "方向", "集計", "種別", "責任者", "説明"],
    },
    "comments": {
        "en": ["kpi", "month", "comment", "action", "owner"],
        "ja": ["kpi", "month", "コメント", "アクション", "責任者"],
    },
}

OWNERS: dict[str, dict[Locale, str]] = {
    "marketing": {"en": "A. Tanaka", "ja": "田中 彩"},
    "sales": {"en": "K. Suzuki", "ja": "鈴木 健"},
    "customer_success": {"en": "M. Sato", "ja": "佐藤 真"},
    "hr": {"en": "Y. Ito", "ja": "伊藤 由美"},
}

HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")


@dataclass(frozen=True)
class InitOptions:
    lang: Locale = "en"
    year: int | None = None
    fiscal_start: int | None = None
    departments: Sequence[str] = tuple(DEPARTMENTS)
    example: bool = False
    company: str | None = None
    months_of_actuals: int = 7


def default_fiscal_start(lang: Locale) -> int:
    """April for Japanese teams (the usual 会計年度), January otherwise."""
    return 4 if lang == "ja" else 1


def write_template(path: Path, options: InitOptions, *, force: bool = False, today: dt.date | None = None) -> None:
    if path.exists() and not force:
        raise KpiReportError(f"{path} already exists; pass --force to overwrite it.")
    if path.suffix.lower() != ".xlsx":
        raise KpiReportError(f"{path.name} must end in .xlsx.")
    unknown = [d for d in options.departments if d not in DEPARTMENTS]
    if unknown:
        raise KpiReportError(f"unknown department {unknown[0]!r}; choose from {', '.join(DEPARTMENTS)}.")
    book = build_template(options, today=today or dt.date.today())
    save_atomic(path, lambda temporary: book.save(temporary))


def build_template(options: InitOptions, *, today: dt.date) -> OpenpyxlWorkbook:
    lang = options.lang
    start_month = options.fiscal_start or default_fiscal_start(lang)
    year = options.year or (today.year if today.month >= start_month else today.year - 1)
    first = Month(year, start_month)
    months = [first.shift(i) for i in range(12)]
    kpis = [k for k in EXAMPLE_KPIS if k.department in options.departments]
    company = options.company or ("Example Holdings Ltd." if lang == "en" else "株式会社サンプル")

    book = OpenpyxlWorkbook()
    settings = book.active
    assert settings is not None
    settings.title = SHEET_NAMES["settings"][lang]
    _write_settings(settings, lang, company, start_month)
    _write_kgis(book.create_sheet(SHEET_NAMES["kgi"][lang]), lang, months[-1].shift(1).first_day - dt.timedelta(days=1))
    _write_kpis(book.create_sheet(SHEET_NAMES["kpi"][lang]), lang, kpis)
    rng = random.Random(f"{year}-{start_month}-{lang}")
    targets = {k.id: _targets(k, months) for k in kpis}
    actuals = (
        {k.id: _actuals(k, targets[k.id], options.months_of_actuals, rng) for k in kpis} if options.example else {}
    )
    _write_series(
        book.create_sheet(SHEET_NAMES["targets"][lang]), lang, kpis, months, targets if options.example else {}
    )
    _write_series(book.create_sheet(SHEET_NAMES["actuals"][lang]), lang, kpis, months, actuals)
    comments = book.create_sheet(SHEET_NAMES["comments"][lang])
    _write_table_header(comments, HEADERS["comments"][lang], [10, 10, 60, 60, 16])
    if options.example:
        _write_comments(comments, lang, kpis, months[options.months_of_actuals - 1])
    return book


def _write_table_header(sheet: Worksheet, headers: list[str], widths: list[int]) -> None:
    sheet.append(headers)
    for col, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=col)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A2"


def _write_settings(sheet: Worksheet, lang: Locale, company: str, start_month: int) -> None:
    keys = {
        "en": ["company", "fiscal_year_start", "currency", "locale", "report_month", "green_at", "amber_at"],
        "ja": ["会社名", "期首月", "通貨", "言語", "報告月", "green_at", "amber_at"],
    }[lang]
    notes = {
        "en": [
            "Name printed on the pack",
            "Month number the fiscal year starts (4 = April)",
            "ISO 4217 code for currency KPIs",
            "Pack language: en or ja",
            "YYYY-MM; empty = latest month with an actual",
            "Attainment at or above this is green",
            "Attainment at or above this is amber",
        ],
        "ja": [
            "レポートに表示する会社名",
            "期首の月（4 = 4月）",
            "通貨KPIの通貨コード（ISO 4217）",
            "レポートの言語：en または ja",
            "YYYY-MM（空欄＝実績のある最新月）",
            "達成率がこの値以上で緑",
            "達成率がこの値以上で黄",
        ],
    }[lang]
    _write_table_header(sheet, ["key", "value", "note" if lang == "en" else "説明"], [22, 28, 52])
    values: list[object] = [company, start_month, "JPY", lang, None, 1.0, 0.9]
    for key, value, note in zip(keys, values, notes, strict=True):
        sheet.append([key, value, note])
    sheet["B7"].number_format = "0%"
    sheet["B8"].number_format = "0%"
    sheet["B6"].number_format = "@"


def _write_kgis(sheet: Worksheet, lang: Locale, deadline: dt.date) -> None:
    _write_table_header(sheet, HEADERS["kgi"][lang], [8, 36, 18, 12, 12, 14, 18, 10])
    rows = {
        "en": [
            ["KGI-1", "Annual new-business revenue", 1_200_000_000, "currency", deadline, "SAL-05", "CEO"],
            ["KGI-2", "New customers won this year", 600, "customers", deadline, "SAL-02", "Head of Sales"],
        ],
        "ja": [
            ["KGI-1", "年間新規売上", 1_200_000_000, "currency", deadline, "SAL-05", "代表取締役"],
            ["KGI-2", "年間新規顧客獲得数", 600, "社", deadline, "SAL-02", "営業本部長"],
        ],
    }[lang]
    for values in rows:
        sheet.append(values)
    for row in range(2, 4):
        sheet.cell(row=row, column=3).number_format = "#,##0"
        sheet.cell(row=row, column=5).number_format = "yyyy-mm-dd"


def _write_kpis(sheet: Worksheet, lang: Locale, kpis: Sequence[ExampleKpi]) -> None:
    _write_table_header(sheet, HEADERS["kpi"][lang], [9, 40, 18, 8, 12, 12, 10, 12, 8, 14, 44])
    for kpi in kpis:
        unit = kpi.unit_label[lang] if kpi.unit_label else kpi.unit
        sheet.append(
            [
                kpi.id,
                kpi.name[lang],
                DEPARTMENTS[kpi.department][lang],
                kpi.kgi,
                kpi.perspective,
                unit,
                kpi.direction,
                kpi.aggregation,
                "kpi",
                OWNERS[kpi.department][lang],
                kpi.description[lang],
            ]
        )
    last = max(len(kpis) + 1, 200)
    for col, choices, strict in (
        ("E", "financial,customer,process,learning", True),
        ("F", "number,currency,percent", False),  # a free label such as 件 or days is allowed too
        ("G", "higher,lower", True),
        ("H", "sum,average,last", True),
        ("I", "kpi,okr", True),
    ):
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=strict)
        sheet.add_data_validation(validation)
        validation.add(f"{col}2:{col}{last}")
    for row in sheet.iter_rows(min_row=2, max_col=11):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
        row[10].alignment = Alignment(wrap_text=True, vertical="top")


def _number_format(kpi: ExampleKpi) -> str:
    if kpi.unit == "percent":
        return "0.0%"
    if kpi.unit == "currency":
        return '"¥"#,##0'
    return "#,##0.0" if kpi.monthly_target < 10 else "#,##0"


def _write_series(
    sheet: Worksheet,
    lang: Locale,
    kpis: Sequence[ExampleKpi],
    months: Sequence[Month],
    values: dict[str, list[float | None]],
) -> None:
    headers: list[str] = ["id", *(str(m) for m in months)]
    _write_table_header(sheet, headers, [10] + [13] * len(months))
    sheet.freeze_panes = "B2"
    for kpi in kpis:
        sheet.append([kpi.id, *values.get(kpi.id, [None] * len(months))])
        for col in range(2, len(months) + 2):
            sheet.cell(row=sheet.max_row, column=col).number_format = _number_format(kpi)


def _targets(kpi: ExampleKpi, months: Sequence[Month]) -> list[float | None]:
    """A year of targets that grow gently through the year, rounded the way planners round."""
    out: list[float | None] = []
    for index in range(len(months)):
        if kpi.unit == "percent" or kpi.aggregation != "sum":
            growth = 1 + 0.004 * index if kpi.direction == "higher" else 1 - 0.004 * index
            value = kpi.monthly_target * growth
            out.append(
                round(value, 4)
                if kpi.unit == "percent"
                else round(value, 1 if value < 10 else 0 if value < 100 else -1 if value < 10_000 else -3)
            )
        else:
            value = kpi.monthly_target * (1 + 0.02 * index)
            out.append(float(round(value, 0 if value < 1000 else -2 if value < 1_000_000 else -5)))
    return out


def _actuals(
    kpi: ExampleKpi, targets: list[float | None], months_filled: int, rng: random.Random
) -> list[float | None]:
    """Actuals scattered around target; churn drifts up for three months so the sample shows a
    REVIEW finding the way real data does."""
    out: list[float | None] = []
    for index, target in enumerate(targets):
        if index >= months_filled or target is None:
            out.append(None)
            continue
        if kpi.id == "CS-01":
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
    notes = {
        "CS-01": {
            "en": (
                "Churn up for the third month: two mid-size accounts left after the price change.",
                "Call every account renewing next quarter; review the price-change rollout.",
            ),
            "ja": (
                "解約率が3か月連続で上昇。価格改定後に中規模顧客2社が解約。",
                "来四半期に更新を迎える全顧客へ訪問・架電。価格改定の進め方を見直す。",
            ),
        },
        "SAL-05": {
            "en": (
                "Two large deals slipped into next month.",
                "Weekly deal review with the sales director until quarter end.",
            ),
            "ja": ("大型案件2件が翌月にずれ込み。", "四半期末まで営業部長と週次で案件レビューを実施。"),
        },
        "MKT-02": {
            "en": (
                "CPA improved after pausing low-intent search keywords.",
                "Shift 10% of the search budget to webinars.",
            ),
            "ja": ("低意図の検索キーワード停止によりCPAが改善。", "検索広告予算の10%をウェビナーへ再配分。"),
        },
    }
    ids = {k.id for k in kpis}
    for kpi_id, text in notes.items():
        if kpi_id in ids:
            comment, action = text[lang]
            owner = OWNERS[next(k.department for k in kpis if k.id == kpi_id)][lang]
            sheet.append([kpi_id, str(month), comment, action, owner])
    for row in sheet.iter_rows(min_row=2, max_col=5):
        for cell in row[2:4]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
