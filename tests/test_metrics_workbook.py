"""The metrics workbook a CFO sends unedited (issue 30): each KPI's figures in a format with the
decimals its figures carry (a count whole, yen in yen, 1.46% to the hundredth), a percent KPI's
change on last year in points, the KGI sheet in the goal's unit, A4 paper and a named face, and
columns wide enough for what they show, read back with openpyxl and through LibreOffice.

Expected figures are worked from the sample workbooks' cells (Actuals / 実績, Targets / 目標値)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import SAMPLE_EN, SAMPLE_JA
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from kpireport.build import BuildOptions, build_pack
from kpireport.presenting.sheet_layout import shown, text_width
from kpireport.presenting.theme import DEFAULT_THEME, Theme

A4, LETTER = 9, 1  # the paper codes of SpreadsheetML (ECMA-376 §18.3.1.64)


def _build(sample: Path, out: Path, theme: Theme = DEFAULT_THEME) -> Path:
    result = build_pack(sample, BuildOptions(out_dir=out, formats=("xlsx",), today=dt.date(2026, 11, 24), theme=theme))
    return next(path for path in result.outputs if path.suffix == ".xlsx")


@pytest.fixture(scope="module", params=["en", "ja"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    sample = SAMPLE_EN if request.param == "en" else SAMPLE_JA
    path = _build(sample, tmp_path_factory.mktemp(f"workbook-{request.param}"))
    return {"lang": request.param, "path": path, "book": openpyxl.load_workbook(path)}


def _rows(sheet: Worksheet) -> dict[str, dict[str, Any]]:
    """Each row's cells by their header, keyed by the row's id."""
    header = [cell.value for cell in sheet[1]]
    return {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}


def test_a_count_is_whole_and_money_is_in_yen(built: dict[str, Any]) -> None:
    kpis = built["book"].worksheets[0]
    header = [cell.value for cell in kpis[1]]
    rows = {row[0].value: row for row in kpis.iter_rows(min_row=2)}
    # Its figures' columns: all from the target on but the attainments, the status and the
    # relative changes.
    figures = [i for i in range(3, len(header)) if i not in (5, 6, 9, 11, 14, 17)]
    # New deals won (SAL-02) are typed whole in every month: every figure of it is shown whole.
    deals = rows["SAL-02"]
    for i in figures:
        if deals[i].value is not None:
            assert deals[i].number_format in ("#,##0", "+#,##0;-#,##0;0"), header[i]
    # New-business revenue (SAL-05) in yen, whole.
    revenue = rows["SAL-05"]
    assert revenue[3].number_format == revenue[4].number_format == '"¥"#,##0'
    assert revenue[7].number_format == '+"¥"#,##0;-"¥"#,##0;"¥"0'
    if built["lang"] == "en":
        # The run rate keeps its fraction (375 deals in 7 months, 12 months: 642.857…); only
        # the format shows it whole.
        forecast = deals[header.index("FY at run rate")]
        assert forecast.value == pytest.approx(375 / 7 * 12)
        assert forecast.number_format == "#,##0"
        assert revenue[4].value == 104_475_984


def test_no_format_ends_in_a_bare_point(built: dict[str, Any]) -> None:
    """Excel shows 1,318 in "#,##0.##" as "1,318."."""
    formats = {cell.number_format for sheet in built["book"].worksheets for row in sheet.iter_rows() for cell in row}
    for number_format in formats:
        for section in re.sub(r'"[^"]*"', "", number_format).split(";"):
            assert ".#" not in section and not section.rstrip("%").endswith("."), number_format


def test_a_percent_kpis_change_on_last_year_is_in_points(built: dict[str, Any]) -> None:
    kpis = built["book"].worksheets[0]
    churn = _rows(kpis)["CS-01"]
    yoy = churn["vs last year" if built["lang"] == "en" else "前年比"]
    # Churn in Oct 2026 against Oct 2025: 1.97% − 1.60% (en), 1.97% − 1.64% (ja).
    assert yoy.value == pytest.approx(0.37 if built["lang"] == "en" else 0.33)
    assert yoy.number_format == '+0.00"pt";-0.00"pt";0.00"pt"'
    # Its target 1.46% (0.0146) to the hundredth, so its 74.1% attainment can be worked again.
    assert churn["Target" if built["lang"] == "en" else "目標"].number_format == "0.00%"


def test_the_kgi_sheet_is_in_each_goals_unit(built: dict[str, Any]) -> None:
    goals = _rows(built["book"].worksheets[1])
    target = "Target" if built["lang"] == "en" else "目標"
    assert goals["KGI-1"][target].value == 1_360_000_000
    assert goals["KGI-1"][target].number_format == '"¥"#,##0'
    # 600 customers, and in Japanese 600社 with no space, as the pack writes it.
    label = " customers" if built["lang"] == "en" else "社"
    assert goals["KGI-2"][target].value == 600
    assert goals["KGI-2"][target].number_format == f'#,##0"{label}"'
    progress = "Progress" if built["lang"] == "en" else "進捗"
    assert goals["KGI-2"][progress].number_format == "0.0%"


def test_every_sheet_prints_on_a4_across_the_page_in_a_named_face(built: dict[str, Any]) -> None:
    face = "Arial" if built["lang"] == "en" else "Meiryo"
    for sheet in built["book"].worksheets:
        assert sheet.page_setup.paperSize == A4, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        headers = [cell for cell in sheet[1] if cell.value is not None]
        assert {cell.font.name for cell in headers} == {face}, sheet.title
    kpis = built["book"].worksheets[0]
    assert kpis.page_setup.orientation == "landscape"  # twenty columns
    assert kpis["A1"].font.b and kpis["B2"].font.name == face


def test_a_theme_sets_the_paper_and_the_latin_face(tmp_path: Path) -> None:
    path = _build(SAMPLE_EN, tmp_path, Theme(paper_size="Letter", font_family="Liberation Sans"))
    book = openpyxl.load_workbook(path)
    assert {sheet.page_setup.paperSize for sheet in book.worksheets} == {LETTER}
    assert book.worksheets[0]["A1"].font.name == "Liberation Sans"


def test_columns_are_as_wide_as_what_they_show(built: dict[str, Any]) -> None:
    book = built["book"]
    trends = book.worksheets[-1]
    # The widest yen series, New-business revenue: ¥127,368,000 (March's target) is twelve
    # characters, eleven of them digits or the digit-wide ¥.
    series = [row for row in trends.iter_rows() if isinstance(row[-1].value, int | float) and row[-1].value > 1e8]
    assert series
    for cell in series[0][1:]:
        assert trends.column_dimensions[cell.column_letter].width >= 12
    kpis = book.worksheets[0]
    longest_name = 41 if built["lang"] == "en" else 2 * len("エンゲージメントスコア")
    assert kpis.column_dimensions["B"].width >= longest_name * 0.85
    for sheet in (kpis, book.worksheets[1], trends):
        for letter, dimension in sheet.column_dimensions.items():
            if dimension.width:
                assert 6 <= dimension.width <= 50, (sheet.title, letter)


def test_the_text_a_cell_shows_is_measured_in_its_format() -> None:
    assert shown(104_475_984, '"¥"#,##0') == "¥104,475,984"
    assert shown(-0.37, '+0.00"pt";-0.00"pt";0.00"pt"') == "-0.37pt"  # the negative section's own minus
    assert shown(0.37, '+0.00"pt";-0.00"pt";0.00"pt"') == "+0.37pt"
    assert shown(0.0146, "0.00%") == "1.46%"
    assert shown(642.857, "#,##0") == "643"
    assert shown(600, '#,##0" 社"') == "600 社"
    # A full-width character counts two digits: 解約率 is as wide as 123456.
    assert text_width("解約率") == pytest.approx(text_width("123456"))
    assert text_width("KPI「解約率」") == pytest.approx(text_width("KPI") + 10)


@pytest.fixture(scope="module")
def rendered(built: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (make test installs it)")
    out = tmp_path_factory.mktemp(f"rendered-{built['lang']}")
    run = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{out}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(built["path"])],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return PdfReader(next(out.glob("*.pdf")))


def test_libreoffice_prints_every_figure_in_full_on_a4(built: dict[str, Any], rendered: PdfReader) -> None:
    text = "\n".join(page.extract_text() for page in rendered.pages)
    assert "###" not in text
    # New-business revenue in Oct 2026 (Actuals!SAL-05), in full on the KPI and Trends sheets.
    revenue = "¥104,475,984" if built["lang"] == "en" else "¥120,462,983"
    assert text.count(revenue) >= 2
    for page in rendered.pages:
        width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert (round(width), round(height)) == (595, 842)  # A4, 210 × 297 mm


def _columns(text: str) -> int:
    return sum(2 if ord(char) >= 0x3000 else 1 for char in text)


def test_long_text_wraps_in_rows_as_tall_as_its_lines(built: dict[str, Any]) -> None:
    findings = built["book"].worksheets[3]
    width = findings.column_dimensions["F"].width
    assert 30 <= width <= 70
    # Characters counted as a reader would lay them out: a Japanese one as two Latin ones.
    long_rows = [row for row in findings.iter_rows(min_row=2) if _columns(str(row[5].value)) > 1.5 * width]
    assert long_rows  # ALIGN on KGI-1 is some 150 characters (in Japanese some 80, each two wide)
    for row in long_rows:
        assert findings.row_dimensions[row[0].row].height >= 30  # two lines or more
        assert row[5].alignment.wrap_text and {cell.alignment.vertical for cell in row} == {"top"}


def test_trend_pages_break_between_kpis_never_through_a_chart(built: dict[str, Any]) -> None:
    trends = built["book"].worksheets[-1]
    titles = [row[0].row for row in trends.iter_rows(max_col=1) if row[0].font.b]
    assert len(titles) == 18  # the samples' KPIs, one block each
    breaks = [brk.id for brk in trends.row_breaks.brk]
    assert breaks  # eighteen charts are more than one page holds
    # A break falls after the last row of a block: the next row is a KPI's title.
    assert all(brk + 1 in titles for brk in breaks)
