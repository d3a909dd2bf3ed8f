"""``kpireport init`` writes the Actions sheet (SPEC §2): drop-downs for the target and the
status, and with ``--example`` realistic actions — some overdue, one due soon, one done that
worked and one that did not — whatever the year the example is made for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from kpireport.computing.report import build_report
from kpireport.model import ActionStatus, Locale
from kpireport.reading.workbook import read_workbook
from kpireport.scaffold import InitOptions, write_template

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(("lang", "statuses"), [("en", '"open,done,dropped"'), ("ja", '"未完了,完了,中止"')])
def test_the_sheet_has_drop_downs_for_target_and_status(tmp_path: Path, lang: Locale, statuses: str) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, InitOptions(lang=lang, year=2026), today=TODAY)
    book = openpyxl.load_workbook(path)
    sheet = book["Actions" if lang == "en" else "アクション"]
    lists = {str(dv.sqref)[0]: dv for dv in sheet.data_validations.dataValidation}
    targets, status = lists["B"], lists["H"]
    assert targets.formula1.startswith('"KGI-1,KGI-2,MKT-01,') and not targets.showErrorMessage
    assert (status.formula1, status.showErrorMessage) == (statuses, True)
    assert sheet.freeze_panes == "A2"
    assert sheet["G2"].number_format == "yyyy-mm-dd"
    assert read_workbook(path).actions == ()


@pytest.mark.parametrize(
    ("lang", "year", "start"),
    [("en", 2026, 4), ("ja", 2026, 4), ("en", 2025, 1), ("ja", 2024, 4), ("en", 2027, 10)],
)
def test_the_example_closes_the_loop(tmp_path: Path, lang: Locale, year: int, start: int) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, InitOptions(lang=lang, year=year, fiscal_start=start, example=True), today=TODAY)
    report = build_report(read_workbook(path))
    results = {r.action.id: r for r in report.actions}
    # The example's month is its seventh (the first of its third quarter): A-01 was due at the
    # end of the month before, A-02 on the 15th; A-03 is due next month.
    assert report.month.months_since(report.workbook.settings.fiscal_year_of(report.month)) == 6
    assert [r.action.id for r in report.actions if r.overdue] == ["A-01", "A-02"]
    assert [r.action.id for r in report.actions if r.due_soon] == ["A-03"]
    # A-05, the onboarding calls: done this month, churn still rose (the example's churn drifts
    # up for three months), short of the plan it expected.
    assert (results["A-05"].status, results["A-05"].moved, results["A-05"].reached) == (
        ActionStatus.DONE, "worsened", False,
    )  # fmt: skip
    # the done action whose KPI improved most, three quarters of the way to now expected.
    assert (results["A-06"].status, results["A-06"].moved, results["A-06"].reached) == (
        ActionStatus.DONE, "improved", True,
    )  # fmt: skip
    assert results["A-07"].status is ActionStatus.DROPPED
    assert {f.code for f in report.findings} >= {"OVERDUE"}
    emails = {r.action.email for r in report.actions}
    assert all(e.endswith("@example.com") for e in emails)


def test_the_example_keeps_to_the_departments_chosen(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    options = InitOptions(year=2026, fiscal_start=4, departments=("sales", "hr"), example=True)
    write_template(path, options, today=TODAY)
    actions = read_workbook(path).actions or ()
    assert {a.target[:3] for a in actions} <= {"SAL", "HR-", "KGI"}
    assert {a.owner for a in actions} <= {"K. Suzuki", "Y. Ito"}
