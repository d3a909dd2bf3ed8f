"""Template v1 (SPEC §2) as data: sheets, columns, settings, accepted spellings.

The one description of the workbook layout, read in both directions: :mod:`kpireport.reading.workbook`
matches what a user typed against it, and :mod:`kpireport.scaffold` writes the template from
it. A column or an alias added here is both accepted and written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from kpireport.model import ActionStatus, Aggregation, Direction, Kind, Locale, Perspective


@dataclass(frozen=True)
class Name:
    """A sheet, column or setting: its key, the names the template writes in English and in
    Japanese, and any other spelling a user may have typed."""

    key: str
    en: str
    ja: str
    aliases: tuple[str, ...] = ()

    def written(self, lang: Locale) -> str:
        return self.en if lang == "en" else self.ja

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.en, self.ja, *self.aliases)


@dataclass(frozen=True)
class Column(Name):
    width: int = 12


@dataclass(frozen=True)
class Setting(Name):
    note_en: str = ""
    note_ja: str = ""

    def note(self, lang: Locale) -> str:
        return self.note_en if lang == "en" else self.note_ja


def key_of(text: str) -> str:
    """How names are compared: width variants folded (ＫＰＩ, ％), case and surrounding spaces
    ignored."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def lookup(names: tuple[Name, ...]) -> dict[str, str]:
    """Every accepted spelling (compared by :func:`key_of`) → key."""
    return {key_of(spelling): name.key for name in names for spelling in name.spellings}


SETTINGS_SHEET = Name("settings", "Settings", "設定")
KGI_SHEET = Name("kgi", "KGI", "KGI", ("KGIs",))
KPI_SHEET = Name("kpi", "KPI", "KPI", ("KPIs",))
TARGETS_SHEET = Name("targets", "Targets", "目標値", ("目標",))
ACTUALS_SHEET = Name("actuals", "Actuals", "実績")
FORECAST_SHEET = Name("forecast", "Forecast", "見込", ("見通し",))
COMMENTS_SHEET = Name("comments", "Comments", "コメント")
ACTIONS_SHEET = Name("actions", "Actions", "アクション")
COMMENTARY_SHEET = Name("commentary", "Commentary", "コメンタリー", ("解説",))
TRANSLATIONS_SHEET = Name("translations", "Translations", "翻訳", ("Translation",))
DISTRIBUTION_SHEET = Name("distribution", "Distribution", "配布先", ("配布",))
SHEETS: tuple[Name, ...] = (
    SETTINGS_SHEET,
    KGI_SHEET,
    KPI_SHEET,
    TARGETS_SHEET,
    ACTUALS_SHEET,
    FORECAST_SHEET,
    COMMENTS_SHEET,
    ACTIONS_SHEET,
    COMMENTARY_SHEET,
    TRANSLATIONS_SHEET,
    DISTRIBUTION_SHEET,
)
OPTIONAL_SHEETS = frozenset({"forecast", "comments", "actions", "commentary", "translations", "distribution"})

# v1.2: the name a pack in each language shows, on the KGI and KPI sheets (after the v1 columns,
# so a template's columns keep their letters).
NAME_COLUMNS: tuple[Column, ...] = (
    Column("name_en", "name_en", "英語名", ("english name", "name (en)"), width=36),
    Column("name_ja", "name_ja", "日本語名", ("japanese name", "name (ja)"), width=36),
)

KGI_COLUMNS: tuple[Column, ...] = (
    Column("id", "id", "id", ("ID",), width=8),
    Column("name", "name", "名称", width=36),
    Column("target", "target", "目標", width=18),
    Column("unit", "unit", "単位"),
    Column("deadline", "deadline", "期限"),
    Column("measured_by", "measured_by", "測定KPI", ("measured by",), width=14),
    Column("owner", "owner", "責任者", width=18),
    Column("start", "start", "開始", width=10),
    Column("formula", "formula", "計算式", width=30),
    *NAME_COLUMNS,
)
KGI_REQUIRED = ("id", "name", "target")

KPI_COLUMNS: tuple[Column, ...] = (
    Column("id", "id", "id", ("ID",), width=9),
    Column("name", "name", "名称", width=40),
    Column("department", "department", "部署", width=18),
    Column("kgi", "kgi", "kgi", width=8),
    Column("perspective", "perspective", "視点"),
    Column("unit", "unit", "単位"),
    Column("direction", "direction", "方向", width=10),
    Column("aggregation", "aggregation", "集計"),
    Column("kind", "kind", "種別", width=8),
    Column("owner", "owner", "責任者", width=14),
    Column("description", "description", "説明", width=44),
    *NAME_COLUMNS,
)
KPI_REQUIRED = ("id", "name", "department")

COMMENT_COLUMNS: tuple[Column, ...] = (
    Column("kpi", "kpi", "kpi", ("KPI ID",), width=10),
    Column("month", "month", "月", width=10),
    Column("comment", "comment", "コメント", width=60),
    Column("action", "action", "アクション", width=60),
    Column("owner", "owner", "責任者", width=16),
)
COMMENT_REQUIRED = ("kpi", "month", "comment")

# The Actions sheet (SPEC v1.2 §2, §3c): actions tracked to their due date and their effect.
ACTION_COLUMNS: tuple[Column, ...] = (
    Column("id", "id", "id", ("ID",), width=8),
    Column("target", "target", "対象", ("target KPI", "kpi", "kgi", "対象KPI"), width=10),
    Column("action", "action", "アクション", width=48),
    Column("owner", "owner", "責任者", ("担当", "担当者"), width=16),
    Column("email", "email", "メール", ("e-mail", "mail", "メールアドレス"), width=26),
    Column("opened", "opened", "開始月", ("opened month", "start"), width=10),
    Column("due", "due", "期限", ("due date",), width=12),
    Column("status", "status", "状況", ("ステータス",), width=10),
    Column("expected", "expected", "期待値", ("expected value",), width=12),
    Column("closed", "closed", "完了日", ("closed on",), width=12),
)
ACTION_REQUIRED = ("id", "target", "action", "due")

# Each action status as the template writes it, and every spelling accepted (by key_of).
ACTION_STATUS_WORDS: dict[ActionStatus, dict[Locale, str]] = {
    ActionStatus.OPEN: {"en": "open", "ja": "未完了"},
    ActionStatus.DONE: {"en": "done", "ja": "完了"},
    ActionStatus.DROPPED: {"en": "dropped", "ja": "中止"},
}
ACTION_STATUS_ALIASES: dict[str, ActionStatus] = {
    **{word: status for status, words in ACTION_STATUS_WORDS.items() for word in words.values()},
    "未着手": ActionStatus.OPEN,
    "対応中": ActionStatus.OPEN,
    "進行中": ActionStatus.OPEN,
    "closed": ActionStatus.DONE,
    "済": ActionStatus.DONE,
    "cancelled": ActionStatus.DROPPED,
    "canceled": ActionStatus.DROPPED,
}

COMMENTARY_COLUMNS: tuple[Column, ...] = (
    Column("subject", "subject", "対象", width=12),
    Column("month", "month", "月", width=10),
    Column("text", "text", "本文", ("commentary", "コメンタリー"), width=90),
    Column("lang", "lang", "言語", ("language",), width=8),
)
COMMENTARY_REQUIRED = ("subject", "month", "text")

# The Translations sheet (SPEC v1.2 §4b): any other workbook text in each pack language.
TRANSLATION_COLUMNS: tuple[Column, ...] = (
    Column("text", "text", "原文", ("テキスト", "source"), width=30),
    Column("en", "en", "英語", ("english",), width=30),
    Column("ja", "ja", "日本語", ("japanese",), width=30),
)
TRANSLATION_REQUIRED = ("text",)

# The Distribution sheet (SPEC v1.2 §4b): who gets which pack.
DISTRIBUTION_COLUMNS: tuple[Column, ...] = (
    Column("recipient", "recipient", "宛先", ("name", "氏名", "宛名"), width=20),
    Column("email", "email", "メール", ("e-mail", "mail", "メールアドレス"), width=28),
    Column("scope", "scope", "範囲", ("対象範囲",), width=28),
    Column("lang", "lang", "言語", ("language",), width=8),
    Column("formats", "formats", "形式", ("format",), width=14),
)
DISTRIBUTION_REQUIRED = ("email", "scope")
# A scope of every KPI, in either language.
SCOPE_ALL = frozenset({"all", "全社", "全体", "すべて", "全て"})
# A scope lists names separated by any of these (SPEC §4b).
SCOPE_SEPARATORS = (",", "、", "，")
# The pack formats a Distribution row may ask for: one per entry of the registry in
# kpireport.presenting.formats (a test keeps the two the same).
FORMAT_NAMES: tuple[str, ...] = ("pdf", "html", "json", "pptx", "xlsx")
DEFAULT_DISTRIBUTION_FORMATS: tuple[str, ...] = ("pdf",)

# The first row of the Settings sheet may be a header naming its columns.
SETTINGS_HEADER_WORDS = frozenset({"key", "キー", "項目"})

SETTINGS: tuple[Setting, ...] = (
    Setting("company", "company", "会社名", note_en="Name printed on the pack", note_ja="レポートに表示する会社名"),
    Setting(
        "fiscal_year_start",
        "fiscal_year_start",
        "期首月",
        note_en="Month number the fiscal year starts (4 = April)",
        note_ja="期首の月（4 = 4月）",
    ),
    Setting(
        "currency",
        "currency",
        "通貨",
        note_en="ISO 4217 code for currency KPIs",
        note_ja="通貨KPIの通貨コード（ISO 4217）",
    ),
    Setting("locale", "locale", "言語", note_en="Pack language: en or ja", note_ja="レポートの言語：en または ja"),
    Setting(
        "report_month",
        "report_month",
        "報告月",
        note_en="YYYY-MM; empty = latest month with an actual",
        note_ja="YYYY-MM（空欄＝実績のある最新月）",
    ),
    Setting(
        "green_at",
        "green_at",
        "緑基準",
        note_en="Attainment at or above this is green",
        note_ja="達成率がこの値以上で緑",
    ),
    Setting(
        "amber_at",
        "amber_at",
        "黄基準",
        note_en="Attainment at or above this is amber",
        note_ja="達成率がこの値以上で黄",
    ),
    Setting(
        "materiality",
        "materiality",
        "重要性",
        note_en="A variance at least this share of its target is material (commented on)",
        note_ja="目標に対する差異がこの割合以上なら重要（コメント対象）",
    ),
    Setting(
        "ambition_factor",
        "ambition_factor",
        "挑戦係数",
        note_en="SMART-A: a target above this × the best recent month is flagged",
        note_ja="SMART-A：目標が直近の最高実績のこの倍数を超えると指摘",
    ),
)

# The values the template's drop-downs offer for the enumerated KPI columns, and whether any
# other value is refused there (a unit may be a free label such as 件 or days).
KPI_CHOICES: dict[str, tuple[tuple[str, ...], bool]] = {
    "perspective": (tuple(p.value for p in Perspective), True),
    "unit": (("number", "currency", "percent"), False),
    "direction": (tuple(d.value for d in Direction), True),
    "aggregation": (tuple(a.value for a in Aggregation), True),
    "kind": (tuple(k.value for k in Kind), True),
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

# SPEC units by every spelling accepted (compared by key_of, so full-width ％ is %).
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

LOCALES: dict[str, Locale] = {"en": "en", "english": "en", "英語": "en", "ja": "ja", "japanese": "ja", "日本語": "ja"}

# SPEC §6 Ranges: what a number cell and a date may hold. Excel keeps 15 significant digits,
# so a figure beyond 1e15 has lost its units; years outside these are typing errors.
MAX_MAGNITUDE = 1e15
MIN_YEAR, MAX_YEAR = 1900, 2199
# A company's goals, with room to spare: each is a card of the pack and a goal's computation
# (50,000 KGI rows, a 1 MB file, took two minutes to check).
MAX_KGIS = 1_000
