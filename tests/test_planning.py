"""Driver trees end to end (issue: driver trees): the formula cell, `check`, `plan` with
--write, and the bridge in the JSON and the pack, in English and Japanese."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import SAMPLE_EN, SAMPLE_JA, Rows, minimal_sheets, write_sheets
from pypdf import PdfReader

from kpireport.cli import cli

MONTHS = [f"2026-{m:02d}" for m in range(4, 13)] + [f"2027-{m:02d}" for m in range(1, 4)]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def driver_sheets(formula: str | None = "[K1] * [K3]", kgi_target: float = 1200.0) -> dict[str, Rows]:
    """Minimal sheets plus K3, a rate, with G1 = K1 x K3: targets 100 x 1.0 a month, 1,200 a year."""
    sheets = minimal_sheets()
    sheets["KGI"] = [
        ["id", "name", "target", "unit", "deadline", "measured_by", "owner", "start", "formula"],
        ["G1", "Revenue", kgi_target, "currency", dt.date(2027, 3, 31), "K1", "CEO", None, formula],
    ]
    sheets["KPI"].append(["K3", "Price index", "Sales", "G1", None, "percent", "higher", "average", "kpi", "Ann"])
    sheets["Targets"].append(["K3", *([1.0] * 12)])
    sheets["Actuals"].append(["K3", 1.0, 0.9, 1.1])
    return sheets


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("[K1] * [K9]", "KGI!I2: [K9] is not a KPI id on the KPI sheet; type one of its ids."),
        ("[K1] ^ 2", "KGI!I2: '^' cannot be read; use KPI ids in square brackets, numbers, + - * / and parentheses."),
        ("[K1] / (3 - 3)", "KGI!I2: the formula divides by zero; correct the divisor."),
    ],
)
def test_a_bad_formula_names_its_cell(tmp_path: Path, formula: str, message: str) -> None:
    path = write_sheets(tmp_path / "book.xlsx", driver_sheets(formula))
    for command in ("check", "build"):
        result = run(command, path, "-o", tmp_path / "out") if command == "build" else run(command, path)
        assert result.exit_code == 2
        assert message in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_check_reports_targets_that_do_not_add_up_to_the_kgi(tmp_path: Path) -> None:
    # 12 months x 100 x 1.0 = 1,200 implied against 1,500: 20% short.
    path = write_sheets(tmp_path / "book.xlsx", driver_sheets(kgi_target=1500.0))
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output
    [driver] = [f for f in json.loads(result.output)["findings"] if f["code"] == "DRIVER"]
    assert driver["severity"] == "warning" and driver["kgi"] == "G1" and driver["where"] == "KGI!A2"
    assert driver["message"] == "KGI “Revenue”: the KPI targets imply ¥1,200 against ¥1,500: 20.0% short."


def test_check_works_before_any_actual(tmp_path: Path) -> None:
    sheets = driver_sheets(kgi_target=1500.0)
    sheets["Actuals"] = [["id", *MONTHS[:3]]]
    result = run("check", write_sheets(tmp_path / "book.xlsx", sheets), "--format", "json")
    assert result.exit_code == 0, result.output
    assert [f["code"] for f in json.loads(result.stdout)["findings"]].count("DRIVER") == 1


def test_plan_scales_a_linear_driver_exactly_and_writes_a_copy(tmp_path: Path) -> None:
    source = write_sheets(tmp_path / "book.xlsx", driver_sheets(kgi_target=1500.0))
    before = source.read_bytes()
    result = run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", tmp_path / "new.xlsx")
    assert result.exit_code == 0, result.output
    # 1,200 -> 1,500: K1's targets x 1.25, 125 a month.
    assert "×1.25 (exact: the formula is linear in K1)" in result.output
    assert "With them the KPI targets imply ¥1,500." in result.output
    assert source.read_bytes() == before
    copy = openpyxl.load_workbook(tmp_path / "new.xlsx")
    assert [c.value for c in copy["Targets"][2][1:]] == [125] * 12
    assert [c.value for c in copy["Targets"][3][1:]] == [50] * 12  # K2 untouched
    assert copy.sheetnames == ["Settings", "KGI", "KPI", "Targets", "Actuals", "Comments"]
    checked = run("check", tmp_path / "new.xlsx", "--format", "json")
    assert "DRIVER" not in [f["code"] for f in json.loads(checked.output)["findings"]]


def test_plan_solves_inside_a_ratio_numerically(tmp_path: Path) -> None:
    # G1 = K1 / K3 with K1 100 and K3 1.0: 1,200 a year; 1,500 needs K3 x 0.8 (100 / 0.8 = 125).
    source = write_sheets(tmp_path / "book.xlsx", driver_sheets("[K1] / [K3]", kgi_target=1500.0))
    result = run("plan", source, "--kgi", "G1", "--solve", "K3", "--write", tmp_path / "new.xlsx")
    assert result.exit_code == 0, result.output
    assert "×0.8 (found numerically" in result.output
    copy = openpyxl.load_workbook(tmp_path / "new.xlsx")
    assert [c.value for c in copy["Targets"][4][1:]] == pytest.approx([0.8] * 12, rel=1e-12)
    built = run("build", tmp_path / "new.xlsx", "-o", tmp_path / "out", "--format", "json")
    assert built.exit_code == 0, built.output
    data = json.loads(next((tmp_path / "out").glob("*.json")).read_text(encoding="utf-8"))
    assert data["kgis"][0]["drivers"]["implied_target"] == pytest.approx(1500, rel=1e-12)


def test_plan_says_when_no_factor_reaches_the_target(tmp_path: Path) -> None:
    # K1 - 2000 can reach 1,200 only with negative deals... a goal of -30,000 needs a negative K1.
    source = write_sheets(tmp_path / "book.xlsx", driver_sheets("[K1] * [K3] - 2000", kgi_target=-30000.0))
    result = run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", tmp_path / "new.xlsx")
    assert result.exit_code == 1
    assert "no positive factor for this KPI's targets reaches the KGI target; nothing was written." in result.output
    assert not (tmp_path / "new.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kgi", "G9", "--solve", "K1"), "there is no KGI 'G9' on the KGI sheet (its KGIs: G1)."),
        (("--kgi", "G1", "--solve", "K2"), "KPI 'K2' is not in KGI 'G1''s formula [K1] * [K3]; choose one of K1, K3."),
        (("--kgi", "G1", "--solve", "K1", "--write", "out.txt"), "--write out.txt must end in .xlsx."),
    ],
)
def test_plan_refuses_what_it_cannot_solve(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    source = write_sheets(tmp_path / "book.xlsx", driver_sheets())
    result = run("plan", source, *args)
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {message}"


def test_plan_names_the_cell_of_a_missing_target(tmp_path: Path) -> None:
    sheets = driver_sheets()
    sheets["Targets"][3][5] = None  # K3, 2026-08 (column F)
    result = run("plan", write_sheets(tmp_path / "book.xlsx", sheets), "--kgi", "G1", "--solve", "K1")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: Targets!F4: K3 2026-08 has no target; type one (each month from the KGI's start to its deadline "
        "needs one)."
    )


def test_plan_never_writes_onto_its_input(tmp_path: Path) -> None:
    source = write_sheets(tmp_path / "book.xlsx", driver_sheets(kgi_target=1500.0))
    before = source.read_bytes()
    result = run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", source)
    assert result.exit_code == 2 and "is the workbook itself" in result.output
    assert source.read_bytes() == before


def test_plan_on_the_sample_keeps_its_formats_and_validations(tmp_path: Path) -> None:
    source = tmp_path / "sample.xlsx"
    shutil.copyfile(SAMPLE_EN, source)
    result = run("plan", source, "--kgi", "KGI-1", "--solve", "SAL-04", "--write", tmp_path / "new.xlsx")
    assert result.exit_code == 0, result.output
    original, copy = openpyxl.load_workbook(source), openpyxl.load_workbook(tmp_path / "new.xlsx")
    assert copy.sheetnames == original.sheetnames
    assert len(copy["KPI"].data_validations.dataValidation) == len(original["KPI"].data_validations.dataValidation)
    row = next(r for r in copy["Targets"].iter_rows() if r[0].value == "SAL-04")
    assert {c.number_format for c in row[1:]} == {'"¥"#,##0'}
    built = run("build", tmp_path / "new.xlsx", "-o", tmp_path / "out", "--format", "json")
    assert built.exit_code == 0, built.output
    data = json.loads(next((tmp_path / "out").glob("*.json")).read_text(encoding="utf-8"))
    kgi = next(k for k in data["kgis"] if k["id"] == "KGI-1")
    assert kgi["drivers"]["implied_target"] == pytest.approx(kgi["target"], rel=1e-12)


# -- the samples: JSON against the workbook's own cells, and the pack's pages ------------------


def cells(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    book = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for sheet in ("Targets", "Actuals") if "Targets" in book.sheetnames else ("目標値", "実績"):
        rows = list(book[sheet].iter_rows(values_only=True))
        out[sheet] = {r[0]: dict(zip(rows[0][1:], r[1:], strict=False)) for r in rows[1:] if r[0]}
    return out


@pytest.mark.parametrize(("sample", "lang"), [(SAMPLE_EN, "en"), (SAMPLE_JA, "ja")])
def test_the_sample_bridge_matches_its_cells_and_is_drawn(tmp_path: Path, sample: Path, lang: str) -> None:
    result = run("build", sample, "-o", tmp_path, "--format", "json,pdf")
    assert result.exit_code == 0, result.output
    data = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    drivers = next(k for k in data["kgis"] if k["id"] == "KGI-1")["drivers"]
    targets, actuals = cells(sample).values()
    months = [f"2026-{m:02d}" for m in range(4, 11)]  # the fiscal year from April to the report month
    planned = sum(targets["SAL-02"][m] * targets["SAL-04"][m] for m in months)
    actual = sum(actuals["SAL-02"][m] * actuals["SAL-04"][m] for m in months)
    assert drivers["formula"] == "[SAL-02] * [SAL-04]"
    assert drivers["planned"] == pytest.approx(planned, rel=1e-12)
    assert drivers["actual"] == pytest.approx(actual, rel=1e-12)
    assert sum(e["effect"] for e in drivers["bridge"]) == pytest.approx(actual - planned, rel=1e-9)
    implied = sum(targets["SAL-02"][m] * targets["SAL-04"][m] for m in MONTHS)
    assert drivers["implied_target"] == pytest.approx(implied, rel=1e-12)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(next(tmp_path.glob("*.pdf"))).pages)
    heading, formula = ("What drives the goals", "Formula: ") if lang == "en" else ("KGI の要因分析", "計算式: ")
    # The formula in the KPIs' names, no codes (README, "Figures as a board reads them").
    named = "New deals won × Average deal size" if lang == "en" else "新規受注件数 × 平均受注単価"
    assert heading in text and f"{formula}" in text and named in text and "[SAL-02]" not in text
    # The variance in the sentence is the shown actual less the shown plan: in ¥M to one
    # decimal (English), in 億円 to two (Japanese).
    if lang == "en":
        variance = f"¥{(round(actual / 1e5) - round(planned / 1e5)) / 10:,.1f}M"
    else:
        variance = f"{(round(actual / 1e6) - round(planned / 1e6)) / 100:,.2f}億円"
    assert variance in text
