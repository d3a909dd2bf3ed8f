"""Months as finance teams type them (SPEC v1.2 §2), alone and in a workbook. Every expected
value is worked out by hand from the SPEC: 令和 year N is 2018 + N (令和元年 = 2019, from May),
平成 year N is 1988 + N (平成31年 = 2019, to April)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Rows

from kpireport.errors import WorkbookError
from kpireport.model import Month
from kpireport.reading.labels import era_problem, month_of
from kpireport.reading.workbook import read_workbook

Make = Callable[..., Path]

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


# -- in a workbook -------------------------------------------------------------------------------


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
