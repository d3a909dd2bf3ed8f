"""init --example fills both languages (SPEC v1.2 §2, §4b, #31): each example KGI's and KPI's name
in the other language, a Translations sheet for the rest of its text, and a Distribution sheet
that build --split reads as it is. Expected rows are those of kpireport/data/examples.toml."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from kpireport.computing.language import localised
from kpireport.model import Locale
from kpireport.reading.workbook import read_workbook
from kpireport.scaffold import InitOptions, write_template

JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uff01-\uff9f]")


def _example(tmp_path: Path, lang: Locale) -> Path:
    path = tmp_path / f"{lang}.xlsx"
    write_template(path, InitOptions(lang=lang, year=2026, example=True))
    return path


def test_an_english_template_names_each_kpi_in_japanese_too(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(_example(tmp_path, "en"))
    kpis = list(book["KPI"].iter_rows(values_only=True))
    assert kpis[0][-2:] == ("name_en", "name_ja")
    assert kpis[1][0:2] == ("MKT-01", "Leads generated") and kpis[1][-2:] == (None, "リード獲得数")
    kgis = list(book["KGI"].iter_rows(values_only=True))
    assert kgis[1][0] == "KGI-1" and kgis[1][-2:] == (None, "年間新規売上")
    translations = list(book["Translations"].iter_rows(values_only=True))
    assert translations[0] == ("text", "en", "ja")
    for row in [
        ("Example Holdings Ltd.", "Example Holdings Ltd.", "株式会社サンプル"),
        ("Customer Success", "Customer Success", "カスタマーサクセス"),
        ("Y. Ito", "Y. Ito", "伊藤 由美"),
        ("Head of Sales", "Head of Sales", "営業本部長"),
        ("customers", "customers", "社"),
        ("leads", "leads", "件"),
    ]:
        assert row in translations
    assert list(book["Distribution"].iter_rows(values_only=True)) == [
        ("recipient", "email", "scope", "lang", "formats"),
        ("CEO", "ceo@example.com", "all", "en", "pdf"),
        ("Board", "board@example.com", "all", "ja", "pdf,pptx"),
        ("A. Tanaka", "a.tanaka@example.com", "Marketing", "en", "pdf,html"),
        ("K. Suzuki", "k.suzuki@example.com", "Sales", "en", "pdf,html"),
        ("M. Sato", "m.sato@example.com", "Customer Success", "en", "pdf,html"),
        ("Y. Ito", "y.ito@example.com", "HR", "en", "pdf,html"),
    ]


def test_a_japanese_example_reads_back_with_its_audiences(tmp_path: Path) -> None:
    book = read_workbook(_example(tmp_path, "ja"))
    assert book.distribution is not None
    assert [(r.email, r.scope.slug, r.lang) for r in book.distribution] == [
        ("ceo@example.com", "all", "ja"),
        ("board@example.com", "all", "en"),
        # Japanese department names: scope1 … in the order they first appear.
        ("a.tanaka@example.com", "scope1", "ja"),
        ("k.suzuki@example.com", "scope2", "ja"),
        ("m.sato@example.com", "scope3", "ja"),
        ("y.ito@example.com", "scope4", "ja"),
    ]
    assert book.distribution[3].scope.departments == frozenset({"営業"})


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_example_in_the_other_language_has_no_word_of_its_own(tmp_path: Path, lang: Locale) -> None:
    """Every name and label a pack prints of the workbook is in the pack's language; only the
    comments and actions, as written, are not."""
    other: Locale = "en" if lang == "ja" else "ja"
    book = localised(read_workbook(_example(tmp_path, lang)), other)
    texts = [book.settings.company]
    texts += [t for k in book.kpis for t in (k.name, k.department, k.unit, k.owner, k.description)]
    texts += [t for k in book.kgis for t in (k.name, k.unit, k.owner)]
    if other == "en":
        assert [t for t in texts if JAPANESE.search(t)] == []
    else:
        # A Japanese pack of an English workbook: names and departments are Japanese.
        assert all(JAPANESE.search(k.name) and JAPANESE.search(k.department) for k in book.kpis)
        assert book.settings.company == "株式会社サンプル"
