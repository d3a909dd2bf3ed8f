"""SPEC §7, changes since the last pack: restated actuals, changed targets, KPIs added and
removed, no previous pack, and a previous JSON that is broken or not ours."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import SAMPLE_EN, YEAR, kpi
from conftest import book as model_book
from pypdf import PdfReader

from kpireport.cli import cli
from kpireport.computing.changes import compare
from kpireport.errors import PackError


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def edit(path: Path, sheet: str, kpi: str, month: str, value: float | None) -> None:
    book = openpyxl.load_workbook(path)
    rows = list(book[sheet].iter_rows())
    column = [c.value for c in rows[0]].index(month)
    next(r for r in rows if r[0].value == kpi)[column].value = value
    book.save(path)


@pytest.fixture
def september(tmp_path: Path) -> Path:
    """The sample workbook with its September pack's JSON already in the output folder."""
    book = tmp_path / "book.xlsx"
    shutil.copy(SAMPLE_EN, book)
    result = run("build", book, "-o", tmp_path / "out", "--month", "2026-09", "--format", "json")
    assert result.exit_code == 0, result.output
    return book


def october(book: Path, *extra: str, formats: str = "json") -> tuple[Result, dict[str, Any]]:
    result = run("build", book, "-o", book.parent / "out", "--format", formats, *extra)
    assert result.exit_code == 0, result.output
    return result, json.loads((book.parent / "out" / "book-2026-10.json").read_text(encoding="utf-8"))


def test_a_restated_actual_and_a_changed_target_are_listed(september: Path) -> None:
    edit(september, "Actuals", "SAL-02", "2026-08", 62)  # was 56
    edit(september, "Targets", "MKT-01", "2026-08", 1500)  # was 1,300
    _, data = october(september)
    assert data["changes"] == [
        {"kpi": "MKT-01", "month": "2026-08", "field": "target", "before": 1300, "after": 1500},
        {"kpi": "SAL-02", "month": "2026-08", "field": "actual", "before": 56, "after": 62},
    ]
    restated = [f for f in data["findings"] if f["code"] == "RESTATED"]
    assert [(f["severity"], f["kpi"], f["message"]) for f in restated] == [
        ("warning", "MKT-01", "Marketing · Leads generated · Aug 2026 target restated 1,300 → 1,500."),
        ("warning", "SAL-02", "Sales · New deals won · Aug 2026 actual restated 56 → 62."),
    ]


def test_a_cleared_actual_is_a_change_to_nothing_and_the_pack_shows_the_page(september: Path) -> None:
    edit(september, "Actuals", "HR-01", "2026-05", None)
    _, data = october(september, formats="json,pdf")
    [change] = data["changes"]
    assert (change["kpi"], change["month"], change["field"], change["after"]) == ("HR-01", "2026-05", "actual", None)
    assert change["before"] is not None
    text = "\n".join(p.extract_text() or "" for p in PdfReader(september.parent / "out" / "book-2026-10.pdf").pages)
    assert "Changes since the last pack" in text and "Compared with the pack for Sep 2026." in text
    assert "Job applications · May 2026 actual restated" in text


def test_kpis_added_and_removed_are_listed(september: Path) -> None:
    book = openpyxl.load_workbook(september)
    kpis = book["KPI"]
    row = next(r for r in kpis.iter_rows(min_row=2) if r[0].value == "HR-04")
    kpis.delete_rows(row[0].row)
    for sheet in ("Targets", "Actuals", "Forecast"):
        rows = book[sheet]
        found = next((r for r in rows.iter_rows(min_row=2) if r[0].value == "HR-04"), None)
        if found:
            rows.delete_rows(found[0].row)
    kpis.append(["HR-05", "Training hours", "HR", "KGI-1", "learning", "hours", "higher", "sum", "kpi", "Y. Ito"])
    book["Targets"].append(["HR-05", *[100] * 24])
    book.save(september)
    _, data = october(september, formats="json,html")
    assert data["changes"] == []
    html = (september.parent / "out" / "book-2026-10.html").read_text(encoding="utf-8")
    assert "KPIs added" in html and "HR-05 Training hours" in html
    assert "KPIs removed" in html and "HR-04 Employee engagement score" in html


def test_no_previous_pack_means_no_section_and_no_warning(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    shutil.copy(SAMPLE_EN, book)
    result, data = october(book, formats="json,html")
    assert data["changes"] == [] and "RESTATED" not in {f["code"] for f in data["findings"]}
    assert 'id="changes"' not in (tmp_path / "out" / "book-2026-10.html").read_text(encoding="utf-8")
    assert "Warning" not in result.output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"schema": "kpireport/v1", "kpis": [', "is not a kpireport JSON pack"),
        ('{"hello": "world"}', "is not a valid kpireport/v1 pack"),
    ],
)
def test_a_broken_or_foreign_previous_json_is_a_warning_not_a_failure(
    september: Path, content: str, reason: str
) -> None:
    (september.parent / "out" / "book-2026-09.json").write_text(content, encoding="utf-8")
    result, data = october(september)
    assert data["changes"] == []
    assert "Warning: the previous pack cannot be compared (book-2026-09.json " + reason in result.output


def test_since_names_the_pack_to_compare_with(september: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "kept" / "september.json"
    elsewhere.parent.mkdir()
    shutil.move(september.parent / "out" / "book-2026-09.json", elsewhere)
    edit(september, "Actuals", "SAL-02", "2026-08", 62)
    _, data = october(september, "--since", str(elsewhere))
    assert [(c["kpi"], c["field"]) for c in data["changes"]] == [("SAL-02", "actual")]


def previous_with(**series: object) -> dict[str, Any]:
    """A previous pack for K1 as compare() reads it: no schema check in front."""
    months = [str(m) for m in YEAR[:3]]
    return {
        "report_month": "2026-06",
        "kpis": [
            {
                "id": "K1",
                "name": "Deals",
                "series": {"months": months, "target": [100] * 3, "actual": [100] * 3, **series},
            }
        ],
    }


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        ({"report_month": "2026-13", "kpis": []}, "report_month: not a YYYY-MM month of the years 1900–2199"),
        ({"report_month": 202606, "kpis": []}, "report_month: not a YYYY-MM month"),
        ({"report_month": "0000-06", "kpis": []}, "report_month: not a YYYY-MM month of the years 1900–2199"),
        ({"report_month": "2026-06", "kpis": {"K1": {}}}, "kpis: not a list of KPIs"),
        ({"report_month": "2026-06", "kpis": [{}]}, "kpis[0]: not a KPI with an id"),
        ({"report_month": "2026-06", "kpis": [{"id": "K1", "series": {"x": 1}}]}, "kpis[0].series.months: not a list"),
        ({"report_month": "2026-06", "kpis": [{"id": "K1", "series": [1]}]}, "kpis[0].series: not an object"),
        (previous_with(months=["2026-13"]), "kpis[0].series.months[0]: not a YYYY-MM month"),
        (previous_with(actual=5), "kpis[0].series.actual: not a list of figures"),
        (previous_with(target=None), "kpis[0].series.target: not a list of figures"),
        (previous_with(actual=[10**400]), "kpis[0].series.actual[0]: not a figure within ±1e+15"),
        (previous_with(actual=[1, 1e308]), "kpis[0].series.actual[1]: not a figure within ±1e+15"),
        (previous_with(target=[1, 2, float("nan")]), "kpis[0].series.target[2]: not a figure within ±1e+15"),
        (previous_with(actual=[True]), "kpis[0].series.actual[0]: not a figure within ±1e+15"),
        (previous_with(actual=["56"]), "kpis[0].series.actual[0]: not a figure within ±1e+15"),
    ],
)
def test_compare_names_what_it_cannot_read_in_the_previous_pack(previous: dict[str, Any], message: str) -> None:
    workbook = model_book([kpi("K1")])
    with pytest.raises(PackError) as raised:
        compare(previous, workbook)
    assert str(raised.value).startswith(message)


def test_compare_reads_a_month_listed_twice_once() -> None:
    # The workbook has 100 everywhere; the previous pack said 90 for April, twice.
    previous = previous_with(months=["2026-04", "2026-04"], actual=[90, 90], target=[100, 100])
    changes = compare(previous, model_book([kpi("K1")]))
    assert [(str(c.month), c.field, c.before, c.after) for c in changes.values] == [("2026-04", "actual", 90, 100)]
