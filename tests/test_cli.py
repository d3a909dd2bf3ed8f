"""The command line as a user meets it: exit codes, messages, files written or not."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import sha256

from kpireport.cli import cli

Make = Callable[..., Path]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_init_writes_the_template_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "kpi.xlsx"
    result = run("init", path, "--year", "2026", "--fiscal-start", "4")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Settings",
        "KGI",
        "KPI",
        "Targets",
        "Actuals",
        "Forecast",
        "Comments",
        "Actions",
        "Commentary",
        "Translations",
        "Distribution",
    ]
    kpi = book["KPI"]
    assert kpi.freeze_panes == "A2"
    assert {dv.formula1 for dv in kpi.data_validations.dataValidation} >= {
        '"higher,lower"',
        '"sum,average,last"',
        '"kpi,okr"',
    }
    assert book["Targets"]["B1"].value == "2026-04" and book["Targets"]["M1"].value == "2027-03"
    before = sha256(path)
    again = run("init", path)
    assert again.exit_code == 2
    assert again.output.strip() == f"Error: {path} already exists; pass --force to overwrite it."
    assert sha256(path) == before
    assert run("init", path, "--force", "--lang", "ja").exit_code == 0
    assert openpyxl.load_workbook(path).sheetnames == [
        "設定",
        "KGI",
        "KPI",
        "目標値",
        "実績",
        "見込",
        "コメント",
        "アクション",
        "コメンタリー",
        "翻訳",
        "配布先",
    ]


def test_init_template_without_example_does_not_build_yet(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    assert run("init", path, "--departments", "sales,hr").exit_code == 0
    result = run("build", path, "-o", tmp_path)
    assert result.exit_code == 2
    assert "there is no actual yet" in result.output
    assert "Traceback" not in result.output


def test_init_example_builds_straight_away(tmp_path: Path) -> None:
    path = tmp_path / "ex.xlsx"
    assert run("init", path, "--example", "--lang", "ja").exit_code == 0
    result = run("build", path, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "out").glob("ex-*.json")
    data = json.loads(written.read_text(encoding="utf-8"))
    assert len(data["kpis"]) == 18 and all(k["month"]["actual"] is not None for k in data["kpis"])


def test_build_json_only_with_month_override(make_workbook: Make, tmp_path: Path) -> None:
    path = make_workbook()
    result = run("build", path, "-o", tmp_path / "o", "--format", "json", "--month", "2026-05")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "o" / "book-2026-05.json").read_text())
    assert data["report_month"] == "2026-05"
    k1 = data["kpis"][0]
    assert (k1["month"]["actual"], k1["mom"]["delta"], k1["ytd"]["actual"]) == (110.0, 20.0, 200.0)
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["book-2026-05.json"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s["Actuals"][2].__setitem__(2, "12,5"),
            "Error: Actuals!C3: '12,5' is not a number; type a number such as 12.5 or clear the cell.",
        ),
        (
            lambda s: s.pop("Targets"),
            "Error: book.xlsx has no sheet named 'Targets' or '目標値' (sheets found: Settings, KGI, KPI, "
            "Actuals, Comments). Add it, or start from the template: kpireport init NEW.xlsx",
        ),
        (
            lambda s: s["Actuals"][2].__setitem__(0, "K9"),
            "Error: Actuals!A3: 'K9' is not a KPI id on the KPI sheet; fix the id or add the KPI there.",
        ),
    ],
)
def test_build_bad_workbook_exits_2_with_the_cell_and_writes_nothing(
    make_workbook: Make, tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    path = make_workbook(change)
    before = sha256(path)
    out = tmp_path / "out"
    result = run("build", path, "-o", out)
    assert result.exit_code == 2
    assert result.output.strip() == message
    assert not out.exists() or not any(out.iterdir())
    assert sha256(path) == before


def test_build_month_outside_the_workbook(make_workbook: Make, tmp_path: Path) -> None:
    result = run("build", make_workbook(), "-o", tmp_path, "--month", "2031-01", "--format", "json")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: --month 2031-01 is not a month of this workbook (the workbook's months run from 2026-04 "
        "to 2027-03); choose one of those months."
    )


def test_report_month_out_of_range_names_the_settings_cell(make_workbook: Make, tmp_path: Path) -> None:
    def far_month(sheets: dict[str, Any]) -> None:
        sheets["Settings"].append(["report_month", "2031-01"])  # row 6: Settings!B6

    for command in (["build", "--format", "json", "-o", str(tmp_path)], ["check"]):
        result = run(command[0], make_workbook(far_month), *command[1:])
        assert result.exit_code == 2, result.output
        assert result.output.strip() == (
            "Error: Settings!B6: report_month 2031-01 is not a month of this workbook (the workbook's months "
            "run from 2026-04 to 2027-03); type one of those months, or clear the cell to report on the latest "
            "month with an actual."
        )
    assert not list(tmp_path.glob("*.json"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "choose from pdf, html, json"),
        (["--month", "October"], "'October' is not a month; use YYYY-MM"),
    ],
)
def test_build_bad_options_are_usage_errors(make_workbook: Make, args: list[str], message: str) -> None:
    result = run("build", make_workbook(), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_build_many_workbooks_one_bad_builds_the_rest_and_exits_with_its_code(
    make_workbook: Make, tmp_path: Path
) -> None:
    good = make_workbook(name="good.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    result = run("build", bad, good, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 2
    assert "[1/2] bad.xlsx: FAILED: bad.xlsx is not an .xlsx workbook (it looks like text or CSV)." in result.output
    assert "[2/2] good.xlsx: ok" in result.output
    assert "1 of 2 packs built" in result.output
    assert (tmp_path / "out" / "good-2026-06.json").exists()


def test_check_exit_codes(make_workbook: Make, tmp_path: Path) -> None:
    clean = run("check", make_workbook(name="clean.xlsx"))
    assert clean.exit_code == 0, clean.output
    assert "no findings" in clean.output

    def orphan(sheets: dict[str, Any]) -> None:
        sheets["KPI"][2][3] = None

    errors = run("check", make_workbook(orphan, name="orphan.xlsx"), "--format", "json")
    assert errors.exit_code == 1
    findings = json.loads(errors.output)["findings"]
    assert [(f["code"], f["severity"], f["kpi"], f["where"]) for f in findings] == [
        ("SMART-R", "error", "K2", "KPI!A3")
    ]

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"")
    unusable = run("check", broken)
    assert unusable.exit_code == 2
    assert unusable.output.strip() == "Error: broken.xlsx is empty (0 bytes). Save the workbook again from Excel."


def test_check_reports_text_in_a_number_cell_as_smart_m_error(make_workbook: Make) -> None:
    result = run("check", make_workbook(lambda s: s["Actuals"][1].__setitem__(1, "n/a")), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    [finding] = [f for f in findings if f["code"] == "SMART-M"]
    assert (finding["severity"], finding["where"], finding["message"]) == (
        "error",
        "Actuals!B2",
        "“n/a” for 2026-04 is not a number.",
    )


def test_every_command_has_help() -> None:
    for command in ("init", "build", "check"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Usage: " in result.output and "--" in result.output


def test_an_unknown_setting_is_a_warning_on_stderr_not_an_error(make_workbook: Make, tmp_path: Path) -> None:
    path = make_workbook(lambda s: s["Settings"].append(["colour", "blue"]))
    runner = CliRunner()
    built = runner.invoke(cli, ["build", str(path), "-o", str(tmp_path), "--format", "json"])
    assert built.exit_code == 0
    assert built.stderr.strip() == "Warning: Settings!A6: unknown setting 'colour' is ignored."
    checked = runner.invoke(cli, ["check", str(path), "--format", "json"])
    assert checked.exit_code == 0
    assert json.loads(checked.stdout) == {"findings": []}  # stdout stays clean JSON
    assert "unknown setting 'colour'" in checked.stderr


def test_check_notes_skipped_total_columns_as_info(make_workbook: Make) -> None:
    def with_total(sheets: dict[str, Any]) -> None:
        sheets["Targets"][0].append("合計")
        sheets["Targets"][1].append(1200)

    result = run("check", make_workbook(with_total), "--format", "json")
    assert result.exit_code == 0, result.output
    notes = [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "info"]
    assert [(f["code"], f["where"]) for f in notes] == [("SMART-M", "Targets!N1")]
    assert "“合計” is a total" in notes[0]["message"]
