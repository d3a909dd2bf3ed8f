"""SPEC v1.2 §2 and §4b, reading: the Distribution and Translations sheets and the name_en /
name_ja columns, validated like every sheet (each problem names its cell), and a workbook put in
a pack's language before anything is computed. Expected values are read off the sheets below."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Rows, write_sheets

from kpireport.computing.language import localised
from kpireport.errors import WorkbookError
from kpireport.model import Month, Scope
from kpireport.presenting.formats import PackName, pack_file_name, parse_pack_file_name
from kpireport.reading.workbook import read_workbook

MONTHS = [f"2026-{m:02d}" for m in range(4, 13)] + ["2027-01", "2027-02", "2027-03"]


def japanese_sheets() -> dict[str, Rows]:
    """A Japanese team's workbook with English names and a Translations sheet; three departments,
    two goals, and a Distribution sheet that asks for packs of every kind."""
    return {
        "設定": [["key", "value"], ["会社名", "株式会社みらい商事"], ["期首月", 4], ["言語", "ja"]],
        "KGI": [
            ["id", "名称", "目標", "単位", "期限", "測定KPI", "責任者", "計算式", "英語名"],
            ["G1", "売上高", 1200, "currency", dt.date(2027, 3, 31), "S1", "営業部長", "[S2] * [M1] / 60", "Revenue"],
            ["G2", "採用", 24, "人", dt.date(2027, 3, 31), "H1", "人事部長", None, "Hiring"],
        ],
        "KPI": [
            ["id", "名称", "部署", "kgi", "単位", "方向", "集計", "責任者", "英語名", "日本語名"],
            ["S1", "新規売上", "営業", "G1", "currency", "higher", "sum", "営業部長", "New revenue", None],
            ["S2", "商談数", "営業", "G1", "件", "higher", "sum", "営業部長", "Deals", None],
            ["M1", "展示会リード", "マーケティング", "G1", "件", "higher", "sum", "田中 彩", "Trade-show leads", None],
            ["H1", "採用数", "人事", "G2", "人", "higher", "sum", "人事部長", "Hires", None],
            ["H2", "定着率", "人事", "G2", "percent", "higher", "average", "人事部長", "Retention rate", "定着率"],
        ],
        "目標値": [
            ["id", *MONTHS],
            ["S1", *[100] * 12],
            ["S2", *[20] * 12],
            ["M1", *[300] * 12],
            ["H1", *[2] * 12],
            ["H2", *[0.9] * 12],
        ],
        "実績": [
            ["id", *MONTHS[:3]],
            ["S1", 90, 110, 80],
            ["S2", 18, 22, 19],
            ["M1", 320, 280, 200],
            ["H1", 2, 3, 1],
            ["H2", 0.92, 0.88, 0.85],
        ],
        "コメント": [
            ["kpi", "月", "コメント", "アクション", "責任者"],
            ["S1", "2026-06", "大型案件が7月にずれ込んだ", "", "営業部長"],
            ["M1", "2026-06", "展示会が中止", "", "田中 彩"],
        ],
        "翻訳": [
            ["原文", "英語", "日本語"],
            ["株式会社みらい商事", "Mirai Trading Co.", None],
            ["営業", "Sales", None],
            ["人事", "HR", None],
            ["マーケティング", "Marketing", None],
            ["件", "items", None],
            ["人", "people", None],
            ["営業部長", "Sales Director", None],
            ["人事部長", "HR Director", None],
            ["田中 彩", "A. Tanaka", None],
        ],
        "配布先": [
            ["宛先", "メール", "範囲", "言語", "形式"],
            ["社長", "ceo@example.com", "all", "ja", "pdf"],
            ["Director", "director@example.com", "全社", "en", "pdf,html"],
            ["営業部長", "sales@example.com", "営業", "ja", "pdf"],
            ["Lead", "lead@example.com", "Sales, HR", "en", "pdf,pptx"],
            ["Partner", "partner@example.com", "HR，営業", None, None],
            ["HR", "hr@example.com", "人事", "en", "pdf"],
            ["Talent", "talent@example.com", "G2", "en", "json,xlsx"],
            ["Board", "board@example.com", "ｓａｌｅｓ、Marketing", "en", "pdf"],
        ],
    }


@pytest.fixture
def japanese(tmp_path: Path) -> Callable[..., Path]:
    def make(change: Callable[[dict[str, Rows]], None] | None = None) -> Path:
        sheets = japanese_sheets()
        if change is not None:
            change(sheets)
        return write_sheets(tmp_path / "mirai.xlsx", sheets)

    return make


def test_the_distribution_sheet_resolves_each_scope_once_with_its_slug(japanese: Callable[..., Path]) -> None:
    book = read_workbook(japanese())
    assert book.distribution is not None
    rows = [(r.name, r.email, r.scope.slug, r.lang, r.formats) for r in book.distribution]
    assert rows == [
        ("社長", "ceo@example.com", "all", "ja", ("pdf",)),
        ("Director", "director@example.com", "all", "en", ("pdf", "html")),
        # 営業 is not ASCII: the first such scope is scope1.
        ("営業部長", "sales@example.com", "scope1", "ja", ("pdf",)),
        ("Lead", "lead@example.com", "sales-hr", "en", ("pdf", "pptx")),
        # The same two departments, typed the other way round and in Japanese: the same scope,
        # named as first typed; no language and no format: the pack's, and pdf.
        ("Partner", "partner@example.com", "sales-hr", None, ("pdf",)),
        ("HR", "hr@example.com", "scope2", "en", ("pdf",)),
        ("Talent", "talent@example.com", "g2", "en", ("json", "xlsx")),
        # Typed in full width with a Japanese comma: the ASCII it stands for.
        ("Board", "board@example.com", "sales-marketing", "en", ("pdf",)),
    ]
    lead, partner = book.distribution[3].scope, book.distribution[4].scope
    assert lead is partner
    assert lead == Scope("Sales, HR", False, frozenset({"営業", "人事"}), frozenset(), ("営業", "人事"), "sales-hr")
    assert book.distribution[0].scope.everything and book.distribution[1].scope.everything
    assert book.distribution[6].scope.kgis == frozenset({"G2"})


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["X", "x@example.com", " , ", "en", "pdf"],
            "配布先!C10: the scope is empty; type all, or department names and KGI ids separated by commas.",
        ),
        (
            ["X", "x@example.com", "Sales, Finance", "en", "pdf"],
            "配布先!C10: 'Finance' is not a department on the KPI sheet nor a KGI id; type one of 営業, "
            "マーケティング, 人事, G1, G2, or all.",
        ),
        (
            ["X", "x@example", "all", "en", "pdf"],
            "配布先!B10: 'x@example' is not an e-mail address (the domain is not a full domain name such as "
            "example.com); type a bare address such as cfo@example.com.",
        ),
        (
            ["X", "X <x@example.com>", "all", "en", "pdf"],
            "配布先!B10: 'X <x@example.com>' is not an e-mail address (the part before @ has a character an "
            "address cannot hold); type a bare address such as cfo@example.com.",
        ),
        (["X", None, "all", "en", "pdf"], "配布先!B10: the e-mail address is empty; type a bare address"),
        (["X", "x@example.com", "all", "fr", "pdf"], "配布先!D10: 'fr' is not a pack language; type en or ja"),
        (["X", "x@example.com", "all", "en", "pdf,docx"], "配布先!E10: 'docx' is not a pack format; type some of"),
    ],
)
def test_a_bad_distribution_row_names_its_cell(japanese: Callable[..., Path], row: list[object], message: str) -> None:
    path = japanese(lambda sheets: sheets["配布先"].append(row))
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert str(caught.value).startswith(message)


def test_a_text_translated_twice_names_its_cell(japanese: Callable[..., Path]) -> None:
    path = japanese(lambda sheets: sheets["翻訳"].append(["営業 ", "Sales team", None]))
    with pytest.raises(
        WorkbookError, match=r"^翻訳!A11: '営業' is translated twice \(first at 翻訳!A3\); keep one row\."
    ):
        read_workbook(path)


def test_names_in_both_languages_are_read(japanese: Callable[..., Path]) -> None:
    book = read_workbook(japanese())
    assert [(k.id, k.name, k.name_en, k.name_ja) for k in book.kgis] == [
        ("G1", "売上高", "Revenue", ""),
        ("G2", "採用", "Hiring", ""),
    ]
    assert book.kpis[4].name_en == "Retention rate" and book.kpis[4].name_ja == "定着率"
    assert book.translations["営業"] == {"en": "Sales"}


def test_an_english_workbook_is_japanese_text_free_in_english(japanese: Callable[..., Path]) -> None:
    book = localised(read_workbook(japanese()), "en")
    assert book.settings.locale == "en"
    assert book.settings.company == "Mirai Trading Co."
    assert [(k.name, k.department, k.unit, k.owner) for k in book.kpis] == [
        ("New revenue", "Sales", "currency", "Sales Director"),
        ("Deals", "Sales", "items", "Sales Director"),
        ("Trade-show leads", "Marketing", "items", "A. Tanaka"),
        ("Hires", "HR", "people", "HR Director"),
        ("Retention rate", "HR", "percent", "HR Director"),
    ]
    assert [(k.name, k.unit, k.owner) for k in book.kgis] == [
        ("Revenue", "currency", "Sales Director"),
        ("Hiring", "people", "HR Director"),
    ]
    # Comments stay as written; their owner is a name the Translations sheet gives.
    assert [(c.comment, c.owner) for c in book.comments] == [
        ("大型案件が7月にずれ込んだ", "Sales Director"),
        ("展示会が中止", "A. Tanaka"),
    ]


def test_a_japanese_pack_of_the_same_workbook_keeps_its_own_words(japanese: Callable[..., Path]) -> None:
    book = localised(read_workbook(japanese()), "ja")
    assert book.settings.company == "株式会社みらい商事"
    assert [k.name for k in book.kpis] == ["新規売上", "商談数", "展示会リード", "採用数", "定着率"]
    assert [k.department for k in book.kpis] == ["営業", "営業", "マーケティング", "人事", "人事"]


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("book-2026-06.json", PackName("book", "2026-06", "json")),
        ("book-2026-06-sales-hr-en.json", PackName("book", "2026-06", "json", "sales-hr", "en")),
        ("book-2026-06-scope1-ja.pdf", PackName("book", "2026-06", "pdf", "scope1", "ja")),
        # The full pack of a workbook whose name looks like a pack per audience.
        ("book-2026-06-sales-en-2026-07.pdf", PackName("book-2026-06-sales-en", "2026-07", "pdf")),
        ("book-2026-06-sales-fr.pdf", None),
        ("book-2026-06-Sales-en.pdf", None),
    ],
)
def test_a_pack_per_audience_is_told_from_a_full_pack(name: str, parsed: PackName | None) -> None:
    assert parse_pack_file_name(name) == parsed


def test_pack_file_names_per_audience() -> None:
    june = Month(2026, 6)
    assert pack_file_name("book", june, "pptx", slug="sales-hr", lang="en") == "book-2026-06-sales-hr-en.pptx"
    assert pack_file_name("book", june, "pdf") == "book-2026-06.pdf"
