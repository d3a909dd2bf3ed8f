"""One schema, two directions: what `init` writes from kpireport.schema is what the reader
accepts, in English and Japanese."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kpireport.model import Locale, Thresholds
from kpireport.reading.workbook import read_workbook
from kpireport.scaffold import InitOptions, write_template
from kpireport.schema import KGI_COLUMNS, KPI_COLUMNS, SETTINGS, SHEETS


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_template_writes_every_schema_column_in_its_language(tmp_path: Path, lang: Locale) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, InitOptions(lang=lang, year=2026, example=True))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [sheet.written(lang) for sheet in SHEETS]
    kgi_header = [c.value for c in next(book[SHEETS[1].written(lang)].iter_rows(max_row=1))]
    assert kgi_header == [c.written(lang) for c in KGI_COLUMNS]
    kpi_header = [c.value for c in next(book[SHEETS[2].written(lang)].iter_rows(max_row=1))]
    assert kpi_header == [c.written(lang) for c in KPI_COLUMNS]
    written_keys = {row[0].value for row in book[SHEETS[0].written(lang)].iter_rows(min_row=2)}
    assert {s.written(lang) for s in SETTINGS if s.key in {"green_at", "amber_at"}} <= written_keys


def test_japanese_threshold_keys_written_by_init_are_read_back(tmp_path: Path) -> None:
    path = tmp_path / "ja.xlsx"
    write_template(path, InitOptions(lang="ja", year=2026, example=True))
    book = openpyxl.load_workbook(path)
    settings = book["設定"]
    rows = {row[0].value: row[1] for row in settings.iter_rows(min_row=2)}
    rows["緑基準"].value = 0.95
    rows["黄基準"].value = 0.8
    book.save(path)
    assert read_workbook(path).settings.thresholds == Thresholds(0.95, 0.8)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_init_writes_an_empty_commentary_sheet_with_its_subjects_to_choose(tmp_path: Path, lang: Locale) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, InitOptions(lang=lang, year=2026, example=True))
    sheet = openpyxl.load_workbook(path)["Commentary" if lang == "en" else "コメンタリー"]
    assert [c.value for c in sheet[1]] == (["subject", "month", "text", "lang"] if lang == "en" else
                                           ["対象", "月", "本文", "言語"])  # fmt: skip
    assert sheet.max_row == 1  # the controller writes here; nothing is drafted into it
    [validation] = sheet.data_validations.dataValidation
    choices = validation.formula1.strip('"').split(",")
    # The key messages, then the example's two KGIs, then its KPIs.
    assert choices[:3] == ["*", "KGI-1", "KGI-2"] and "SAL-05" in choices
    assert str(validation.sqref) == "A2:A500"
