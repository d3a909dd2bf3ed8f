"""Months, totals and thresholds as finance teams type them (SPEC v1.2 §2), alone and in a
workbook. Every expected value is worked out by hand from the SPEC: 令和 year N is 2018 + N
(令和元年 = 2019, from May), 平成 year N is 1988 + N (平成31年 = 2019, to April)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Rows

from kpireport.computing.report import build_report
from kpireport.errors import WorkbookError
from kpireport.model import CellRef, Month, Skipped
from kpireport.reading.labels import era_problem, fraction_of, is_total_label, month_of
from kpireport.reading.workbook import read_workbook

Make = Callable[..., Path]

# SPEC §2's total words, then v1.2's combinations of them, each exactly as the SPEC writes it.
SPEC_TOTALS = ["Total", "FY", "YTD", "Q1", "Q2", "Q3", "Q4", "H1", "H2", "合計", "計", "累計", "通期", "上期", "下期"]
SPEC_TOTALS += ["第1四半期", "上期合計", "第1四半期合計", "年間合計", "総合計", "2026年度合計", "Q1合計"]
SPEC_TOTALS += ["Year total", "Q1 2026", "H1 2026", "FY26 Q1", "Grand Total"]

# -- total labels, by their words ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        *SPEC_TOTALS,
        # The next variant, made of the same words in another order or width.
        *["total ", "Grand total", "ＦＹ", "FY2026", "Q3 total", "2Q", "小計", "上半期", "Sub-total"],
        *["Total 2026", "1st half", "Full year", "第三四半期", "Ｑ１合計", "令和8年度合計", "Q1 FY26", "2026 YTD"],
        *["1H 2026", "Annual", "Cumulative", "通年", "全社合計", "第26期合計", "前期累計", "Fiscal year 2026"],
    ],
)
def test_total_labels(text: str) -> None:
    assert is_total_label(text)


@pytest.mark.parametrize(
    "text",
    [
        *["Notes", "SAL-01", "Quality", "FYI", "2026-04", "計画", "2026", "Q1 target", "Half", "Q1-NPS"],
        # A period or a qualifier alone is not a total; a word outside the list never is.
        *["Year", "四半期", "Grand", "会計", "Q5", "", "Q12"],
    ],
)
def test_not_total_labels(text: str) -> None:
    assert not is_total_label(text)


# -- months --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # SPEC v1.2's forms, each naming March 2026.
        ("Mar-26", Month(2026, 3)),
        ("March 2026", Month(2026, 3)),
        ("March, 2026", Month(2026, 3)),
        ("3月 2026", Month(2026, 3)),
        ("2026年3月分", Month(2026, 3)),
        ("2026年3月度", Month(2026, 3)),
        ("R8年3月", Month(2026, 3)),  # 2018 + 8
        ("令和8年3月", Month(2026, 3)),
        ("Ｒ８年３月", Month(2026, 3)),  # typed full width with a Japanese IME
        ("㋿8年3月", Month(2026, 3)),  # the one-character era signs
        ("㍻31年4月", Month(2019, 4)),
        ("H31年3月", Month(2019, 3)),  # 1988 + 31
        ("平成31年3月", Month(2019, 3)),
        # The era's edges: 平成 ends with April 2019, 令和 begins with May 2019, 元 is year 1.
        ("平成31年4月", Month(2019, 4)),
        ("令和元年5月", Month(2019, 5)),
        ("令和1年5月", Month(2019, 5)),
        ("R元年5月", Month(2019, 5)),
        ("平成元年1月", Month(1989, 1)),  # 平成 began on 8 January 1989
        # The forms that were there before v1.2.
        ("2026-03", Month(2026, 3)),
        ("2026/3", Month(2026, 3)),
        ("2026年3月", Month(2026, 3)),
        ("Mar 2026", Month(2026, 3)),
        # Two-digit years as Excel reads them: 00-29 are 20xx, 30-99 are 19xx.
        ("Mar-29", Month(2029, 3)),
        ("Mar-30", Month(1930, 3)),
    ],
)
def test_month_forms(text: str, expected: Month) -> None:
    assert month_of(text) == expected
    assert era_problem(text) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("令和1年4月", "the 令和 era began in May 2019; for April 2019 type 2019-04 (平成31年4月)"),
        ("令和元年4月", "the 令和 era began in May 2019; for April 2019 type 2019-04 (平成31年4月)"),
        ("R1年1月", "the 令和 era began in May 2019; for January 2019 type 2019-01 (平成31年1月)"),
        ("平成31年5月", "the 平成 era ended in April 2019; for May 2019 type 2019-05 (令和元年5月)"),
        ("平成32年3月", "the 平成 era ended in April 2019; for March 2020 type 2020-03 (令和2年3月)"),
        ("H32年1月", "the 平成 era ended in April 2019; for January 2020 type 2020-01 (令和2年1月)"),
        ("令和0年5月", "令和 has no year 0 (its first year is 元年, year 1)"),
    ],
)
def test_an_era_month_that_never_was_is_no_month_and_says_why(text: str, problem: str) -> None:
    assert month_of(text) is None
    assert era_problem(text) == problem


@pytest.mark.parametrize("text", ["Notes", "H1 2026", "Q1 2026", "FY26", "13月 2026", "R8年13月", "Smarch 2026"])
def test_not_months(text: str) -> None:
    assert month_of(text) is None
    assert era_problem(text) is None


# -- thresholds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.95, 0.95), ("0.95", 0.95), ("95%", 0.95), ("95 %", 0.95), ("９５％", 0.95), ("33.3%", 0.333), (1, 1.0)],
)
def test_fraction_of(value: object, expected: float) -> None:
    assert fraction_of(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc%", "%", "high", True, None])
def test_fraction_of_what_is_not_one(value: object) -> None:
    assert fraction_of(value) is None  # type: ignore[arg-type]


# -- in a workbook -------------------------------------------------------------------------------


def _cell_findings(path: Path) -> list[tuple[str, str, str]]:
    """(code, severity, cell) of each finding that names a cell: here, only skipped totals."""
    report = build_report(read_workbook(path))
    return [(f.code, f.severity, str(f.where)) for f in report.findings if f.where is not None]


@pytest.mark.parametrize("label", SPEC_TOTALS)
def test_a_total_column_is_skipped_with_an_info_finding(make_workbook: Make, label: str) -> None:
    def with_total(sheets: dict[str, Rows]) -> None:
        sheets["Targets"][0].append(label)  # after id and twelve months: column N
        sheets["Targets"][1].append(1200)
        sheets["Targets"][2].append(600)

    path = make_workbook(with_total)
    book = read_workbook(path)
    assert book.skipped == (Skipped(CellRef("Targets", "N1"), label, "column"),)
    assert book.targets["K1"][Month(2027, 3)] == 100.0
    assert len(book.targets["K1"]) == 12
    assert _cell_findings(path) == [("SMART-M", "info", "Targets!N1")]


@pytest.mark.parametrize("label", SPEC_TOTALS)
def test_a_total_row_is_skipped_with_an_info_finding(make_workbook: Make, label: str) -> None:
    path = make_workbook(lambda sheets: sheets["Actuals"].append([label, 130, 165, 170]))
    book = read_workbook(path)
    assert book.skipped == (Skipped(CellRef("Actuals", "A4"), label, "row"),)
    assert book.actuals["K1"] == {Month(2026, 4): 90.0, Month(2026, 5): 110.0, Month(2026, 6): 120.0}
    assert _cell_findings(path) == [("SMART-M", "info", "Actuals!A4")]


@pytest.mark.parametrize("kpi_id", ["Q1-NPS", "Q1"])
def test_an_id_on_the_kpi_sheet_is_a_kpi_even_when_it_reads_like_a_total(make_workbook: Make, kpi_id: str) -> None:
    def with_kpi(sheets: dict[str, Rows]) -> None:
        sheets["KPI"].append([kpi_id, "NPS score", "Customer Success", "G1", None, "number", "higher", "average"])
        sheets["Targets"].append([kpi_id, *([40] * 12)])
        sheets["Actuals"].append([kpi_id, 35, 38, 41])

    path = make_workbook(with_kpi)
    book = read_workbook(path)
    assert book.skipped == ()
    assert book.actuals[kpi_id] == {Month(2026, 4): 35.0, Month(2026, 5): 38.0, Month(2026, 6): 41.0}
    assert _cell_findings(path) == []


@pytest.mark.parametrize("label", ["Notes", "Q1 target", "計画", "Half", "FYI"])
def test_a_header_still_not_a_month_is_an_error_naming_the_cell(make_workbook: Make, label: str) -> None:
    def with_header(sheets: dict[str, Rows]) -> None:
        sheets["Targets"][0].append(label)
        sheets["Targets"][1].append(1)

    with pytest.raises(WorkbookError) as caught:
        read_workbook(make_workbook(with_header))
    assert f"Targets!N1: {label!r} is not a month; type a date or month text such as 2026-04" in str(caught.value)


@pytest.mark.parametrize("label", ["Notes", "Q1 target", "計画"])
def test_a_row_id_still_not_a_kpi_is_an_error_naming_the_cell(make_workbook: Make, label: str) -> None:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(make_workbook(lambda sheets: sheets["Actuals"].append([label, 1, 2, 3])))
    assert f"Actuals!A4: {label!r} is not a KPI id on the KPI sheet" in str(caught.value)


@pytest.mark.parametrize(
    "headers",
    [
        ["Apr-26", "May-26", "Jun-26"],
        ["April 2026", "May, 2026", "June, 2026"],
        ["4月 2026", "5月 2026", "6月 2026"],
        ["2026年4月分", "2026年5月分", "2026年6月分"],
        ["R8年4月", "R8年5月", "R8年6月"],
        ["令和8年4月", "令和8年5月", "令和8年6月"],
        ["Ｒ８年４月", "Ｒ８年５月", "Ｒ８年６月"],
    ],
)
def test_v1_2_month_headers_in_a_sheet(make_workbook: Make, headers: list[str]) -> None:
    def retitle(sheets: dict[str, Rows]) -> None:
        sheets["Actuals"][0] = ["id", *headers]

    book = read_workbook(make_workbook(retitle))
    assert book.actuals["K1"] == {Month(2026, 4): 90.0, Month(2026, 5): 110.0, Month(2026, 6): 120.0}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("平成31年4月", Month(2019, 4)),
        ("令和元年5月", Month(2019, 5)),
        ("令和1年5月", Month(2019, 5)),
        ("R8年3月", Month(2026, 3)),
        ("H31年3月", Month(2019, 3)),
    ],
)
def test_era_edges_as_month_headers(make_workbook: Make, header: str, expected: Month) -> None:
    def one_month(sheets: dict[str, Rows]) -> None:
        sheets["Actuals"] = [["id", header], ["K1", 7], ["K2", 8]]

    book = read_workbook(make_workbook(one_month))
    assert book.actuals["K1"] == {expected: 7.0}
    assert book.actuals["K2"] == {expected: 8.0}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("令和1年4月", "Actuals!C1: '令和1年4月' is not a month: the 令和 era began in May 2019;"),
        ("平成32年3月", "Actuals!C1: '平成32年3月' is not a month: the 平成 era ended in April 2019;"),
        ("H31年5月", "Actuals!C1: 'H31年5月' is not a month: the 平成 era ended in April 2019;"),
    ],
)
def test_an_impossible_era_month_header_is_an_error_naming_the_cell(
    make_workbook: Make, header: str, message: str
) -> None:
    def one_month(sheets: dict[str, Rows]) -> None:
        sheets["Actuals"] = [["id", "2026-04", header], ["K1", 7, 8]]

    with pytest.raises(WorkbookError) as caught:
        read_workbook(make_workbook(one_month))
    assert message in str(caught.value)


def test_an_impossible_era_month_elsewhere_is_an_error_naming_the_cell(make_workbook: Make) -> None:
    def comment_month(sheets: dict[str, Rows]) -> None:
        sheets["Comments"][1][1] = "令和元年4月"

    with pytest.raises(WorkbookError) as caught:
        read_workbook(make_workbook(comment_month))
    assert "Comments!B2: '令和元年4月' is not a month: the 令和 era began in May 2019;" in str(caught.value)


def test_an_era_month_as_the_report_month(make_workbook: Make) -> None:
    book = read_workbook(make_workbook(lambda sheets: sheets["Settings"].append(["report_month", "令和8年5月"])))
    assert book.settings.report_month == Month(2026, 5)
