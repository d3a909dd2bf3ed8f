"""Reading template v1: aliases, month headers, empty cells, formulas, and every bad-input rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import Rows

from kpireport.errors import WorkbookError
from kpireport.model import Aggregation, Direction, Month, Thresholds
from kpireport.reading.workbook import read_workbook

Make = Callable[..., Path]


def test_reads_the_minimal_workbook(make_workbook: Make) -> None:
    book = read_workbook(make_workbook())
    assert book.settings.company == "Acme Ltd."
    assert book.settings.fiscal_year_start == 4
    assert [k.id for k in book.kpis] == ["K1", "K2"]
    assert book.kpis[1].direction is Direction.LOWER
    assert book.kpis[1].aggregation is Aggregation.AVERAGE
    assert book.actuals["K1"] == {Month(2026, 4): 90.0, Month(2026, 5): 110.0, Month(2026, 6): 120.0}
    assert len(book.targets["K1"]) == 12
    assert book.kgis[0].deadline == dt.date(2027, 3, 31)
    assert book.comments[0].comment == "Strong June"
    assert book.latest_actual_month() == Month(2026, 6)


def test_japanese_sheet_and_column_names(make_workbook: Make) -> None:
    def japanese(sheets: dict[str, Rows]) -> None:
        sheets["設定"] = [["会社名", "株式会社テスト"], ["期首月", 4], ["言語", "ja"]]
        del sheets["Settings"]
        sheets["KPI"][0] = ["ID", "名称", "部署", "KGI", "視点", "単位", "方向", "集計", "種別", "責任者"]
        sheets["KGI"][0] = ["id", "名称", "目標", "単位", "期限", "測定KPI", "責任者"]
        sheets["目標値"] = sheets.pop("Targets")
        sheets["実績"] = sheets.pop("Actuals")
        sheets["コメント"] = [
            ["kpi", "month", "コメント", "アクション", "責任者"],
            ["K1", "2026-06", "好調", "継続", "田中"],
        ]
        del sheets["Comments"]

    book = read_workbook(make_workbook(japanese))
    assert book.settings.company == "株式会社テスト"
    assert book.settings.locale == "ja"
    assert book.kgis[0].measured_by == "K1"
    assert book.actuals["K2"][Month(2026, 5)] == 55.0
    assert book.comments[0].action == "継続"


def test_case_and_spaces_in_names_are_ignored(make_workbook: Make) -> None:
    def shout(sheets: dict[str, Rows]) -> None:
        sheets[" actuals "] = sheets.pop("Actuals")
        sheets["KPI"][0] = [f"  {h.upper()} " for h in sheets["KPI"][0]]

    assert read_workbook(make_workbook(shout)).actuals["K1"][Month(2026, 6)] == 120.0


def test_month_headers_as_dates_and_empty_cells_as_no_data(make_workbook: Make) -> None:
    def dates(sheets: dict[str, Rows]) -> None:
        sheets["Actuals"] = [
            ["id", dt.date(2026, 4, 15), dt.datetime(2026, 5, 1), "2026-06"],
            ["K1", 1, None, 3],
            ["K2", None, None, None],
        ]

    book = read_workbook(make_workbook(dates))
    assert book.actuals["K1"] == {Month(2026, 4): 1.0, Month(2026, 6): 3.0}
    assert book.actuals["K2"] == {}


def test_formula_without_cached_value_is_reported_not_zero(make_workbook: Make) -> None:
    # openpyxl writes formulas without a cached value, exactly the case to catch.
    def formula(sheets: dict[str, Rows]) -> None:
        sheets["Actuals"][1][3] = "=B2+C2"

    book = read_workbook(make_workbook(formula))
    assert Month(2026, 6) not in book.actuals["K1"]
    [issue] = book.cell_issues
    assert (issue.kind, issue.kpi, str(issue.where), issue.text) == (
        "formula_without_value",
        "K1",
        "Actuals!D2",
        "B2+C2",
    )


def test_text_in_a_number_cell_is_kept_as_an_issue(make_workbook: Make) -> None:
    def text(sheets: dict[str, Rows]) -> None:
        sheets["Actuals"][2][2] = "12,5"

    book = read_workbook(make_workbook(text))
    [issue] = book.cell_issues
    assert (issue.kind, str(issue.where), issue.text) == ("not_a_number", "Actuals!C3", "12,5")


def _drop_sheet(name: str) -> Callable[[dict[str, Rows]], None]:
    return lambda sheets: sheets.pop(name)


def _set(sheet: str, row: int, col: int, value: object) -> Callable[[dict[str, Rows]], None]:
    def change(sheets: dict[str, Rows]) -> None:
        rows = sheets[sheet]
        while len(rows[row]) <= col:
            rows[row].append(None)
        rows[row][col] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_drop_sheet("Actuals"), "has no sheet named 'Actuals' or '実績'"),
        (_drop_sheet("KPI"), "has no sheet named 'KPI'"),
        (_set("KPI", 0, 2, "dept"), "KPI: column 'department' (部署) is missing"),
        (_set("Actuals", 2, 0, "K9"), "Actuals!A3: 'K9' is not a KPI id on the KPI sheet"),
        (_set("KPI", 2, 0, "K1"), "KPI!A3: KPI id 'K1' is used twice (first at KPI!A2)"),
        (_set("Actuals", 0, 2, "Notes"), "Actuals!C1: 'Notes' is not a month; type a date or month text"),
        (_set("Actuals", 0, 3, "2026-04"), "Actuals!D1: month 2026-04 appears twice"),
        (_set("KPI", 1, 6, "up"), "KPI!G2: 'up' is not a valid direction; use one of: higher, lower."),
        (_set("KPI", 1, 7, "median"), "KPI!H2: 'median' is not a valid aggregation"),
        (_set("Settings", 1, 1, None), "Settings!B2: the company name is empty; type the name"),
        (lambda s: s["Settings"].pop(1), "Settings: the company name is missing; add a row: company |"),
        (_set("Settings", 2, 1, 13), "Settings!B3: '13' is not a number between 1 and 12"),
        (_set("Settings", 4, 1, "fr"), "Settings!B5: 'fr' is not a supported locale"),
        (_set("KGI", 1, 2, "lots"), "KGI!C2: 'lots' is not a number"),
        (_set("KGI", 1, 4, "soon"), "KGI!E2: 'soon' is not a date"),
        (_set("KGI", 1, 5, "K7"), "KGI!F2: measured_by 'K7' is not a KPI id"),
        (_set("Comments", 1, 0, "K5"), "Comments!A2: 'K5' is not a KPI id"),
        (lambda s: s["Actuals"].append([None, 5]), "Actuals!A4: this row has values but no KPI id"),
    ],
)
def test_bad_input_names_sheet_and_cell(
    make_workbook: Make, change: Callable[[dict[str, Rows]], None], expected: str
) -> None:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(make_workbook(change))
    assert expected in str(caught.value)


def test_several_problems_are_reported_together(make_workbook: Make) -> None:
    def two(sheets: dict[str, Rows]) -> None:
        sheets["KPI"][1][6] = "up"
        sheets["KPI"][2][7] = "median"

    with pytest.raises(WorkbookError) as caught:
        read_workbook(make_workbook(two))
    assert "KPI!G2" in str(caught.value) and "KPI!H3" in str(caught.value)


def test_unknown_setting_is_a_warning(make_workbook: Make) -> None:
    book = read_workbook(make_workbook(lambda s: s["Settings"].append(["colour", "blue"])))
    assert book.warnings == ("Settings!A6: unknown setting 'colour' is ignored.",)


def test_a_title_row_above_the_headers_is_skipped(make_workbook: Make) -> None:
    def titled(sheets: dict[str, Rows]) -> None:
        sheets["KPI"].insert(0, ["KPI list FY2026"])
        sheets["Actuals"].insert(0, ["Actuals (enter by the 5th)"])

    book = read_workbook(make_workbook(titled))
    assert [k.id for k in book.kpis] == ["K1", "K2"]
    assert book.actuals["K2"][Month(2026, 6)] == 50.0


def test_a_title_row_does_not_shift_cell_names(make_workbook: Make) -> None:
    def titled(sheets: dict[str, Rows]) -> None:
        sheets["Actuals"].insert(0, ["Actuals"])
        sheets["Actuals"][2][2] = "oops"

    [issue] = read_workbook(make_workbook(titled)).cell_issues
    assert str(issue.where) == "Actuals!C3"


def test_numeric_settings_typed_as_text(make_workbook: Make) -> None:
    book = read_workbook(make_workbook(lambda s: s["Settings"][2].__setitem__(1, "4")))
    assert book.settings.fiscal_year_start == 4


@pytest.mark.parametrize(
    "headers",
    [
        ["2026年4月", "2026年5月", "2026年6月"],
        ["２０２６年４月", "２０２６年５月", "２０２６年６月"],  # typed with a Japanese IME
        ["2026/04", "2026/5", "2026/06"],
        ["Apr 2026", "May 2026", "Jun 2026"],
        ["April 2026", "May 2026", "June 2026"],
        [dt.date(2026, 4, 1), dt.datetime(2026, 5, 31), "2026-06"],
    ],
)
def test_month_headers_as_finance_teams_type_them(make_workbook: Make, headers: list[object]) -> None:
    def retitle(sheets: dict[str, Rows]) -> None:
        sheets["Actuals"][0] = ["id", *headers]

    book = read_workbook(make_workbook(retitle))
    assert book.actuals["K1"] == {Month(2026, 4): 90.0, Month(2026, 5): 110.0, Month(2026, 6): 120.0}


def test_total_columns_and_rows_are_skipped_with_a_note(make_workbook: Make) -> None:
    def with_totals(sheets: dict[str, Rows]) -> None:
        actuals = sheets["Actuals"]
        actuals[0] = ["id", "2026-04", "2026-05", "2026-06", "Q1", "FY total", "合計"]
        actuals[1] += [320, 320, 320]
        actuals[2] += [145, 145, 145]
        actuals.append(["Total", 130, 165, 170, 465, 465, 465])
        actuals.append(["第1四半期", 1, 2, 3])

    book = read_workbook(make_workbook(with_totals))
    assert book.actuals["K1"] == {Month(2026, 4): 90.0, Month(2026, 5): 110.0, Month(2026, 6): 120.0}
    assert [(str(s.where), s.label, s.kind) for s in book.skipped] == [
        ("Actuals!E1", "Q1", "column"),
        ("Actuals!F1", "FY total", "column"),
        ("Actuals!G1", "合計", "column"),
        ("Actuals!A4", "Total", "row"),
        ("Actuals!A5", "第1四半期", "row"),
    ]


@pytest.mark.parametrize("label", ["Total", "FY", "YTD", "Q4", "H2", "計", "累計", "通期", "上期", "下期", "第3四半期"])
def test_every_total_label_of_the_spec_is_skipped(make_workbook: Make, label: str) -> None:
    def with_total(sheets: dict[str, Rows]) -> None:
        sheets["Targets"][0].append(label)
        sheets["Targets"][1].append(1200)

    assert [s.label for s in read_workbook(make_workbook(with_total)).skipped] == [label]


@pytest.mark.parametrize(
    ("green", "amber"),
    [("95%", "80%"), ("95 %", "80 %"), ("９５％", "８０％"), ("0.95", "0.8"), (0.95, 0.8)],
)
def test_thresholds_as_a_fraction_or_a_percent_typed_as_text(make_workbook: Make, green: object, amber: object) -> None:
    def thresholds(sheets: dict[str, Rows]) -> None:
        sheets["Settings"] += [["green_at", green], ["amber_at", amber]]

    assert read_workbook(make_workbook(thresholds)).settings.thresholds == Thresholds(0.95, 0.8)


def test_thresholds_in_percent_formatted_cells(make_workbook: Make) -> None:
    # Excel stores a cell shown as 95% as 0.95 with a percent format: what the user typed.
    path = make_workbook(lambda sheets: sheets["Settings"].extend([["green_at", 0.95], ["amber_at", 0.8]]))
    book = openpyxl.load_workbook(path)
    for cell in (book["Settings"]["B6"], book["Settings"]["B7"]):
        cell.number_format = "0%"
    book.save(path)
    assert read_workbook(path).settings.thresholds == Thresholds(0.95, 0.8)


@pytest.mark.parametrize("typed", ["high", "95", 95, "abc%", "-5%"])
def test_a_threshold_that_is_neither_is_an_error_naming_the_cell(make_workbook: Make, typed: object) -> None:
    # 95 without a percent sign is neither 0.95 nor 95%: asking beats guessing a bar 100 times too high.
    with pytest.raises(WorkbookError) as caught:
        read_workbook(make_workbook(lambda sheets: sheets["Settings"].append(["green_at", typed])))
    expected = f"Settings!B6: {str(typed)!r} is not a threshold; type a fraction such as 0.95 or a percent such as 95%."
    assert expected in str(caught.value)
