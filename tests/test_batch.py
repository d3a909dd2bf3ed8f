"""Many workbooks at once: a process pool, one broken workbook among good ones."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import SAMPLE_EN, SAMPLE_JA

from kpireport.batch import expand, is_workbook_name
from kpireport.cli import cli


def test_a_folder_with_one_broken_workbook_builds_the_rest_and_exits_with_its_code(tmp_path: Path) -> None:
    inbox = tmp_path / "units"
    inbox.mkdir()
    for name, sample in (("unit-a", SAMPLE_EN), ("unit-b", SAMPLE_JA), ("unit-c", SAMPLE_EN)):
        shutil.copy(sample, inbox / f"{name}.xlsx")
    (inbox / "unit-broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (inbox / "~$unit-a.xlsx").write_bytes(b"Excel lock file")
    (inbox / "notes.txt").write_text("not a workbook")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(inbox), "-o", str(out), "--jobs", "2", "--format", "json,html"])
    assert result.exit_code == 2, result.output  # an unusable workbook is exit 2, in a batch too
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"unit-{u}-2026-10.{ext}" for u in "abc" for ext in ("json", "html")
    )
    assert "3 of 4 packs built" in result.output
    assert "unit-broken.xlsx: FAILED: unit-broken.xlsx is damaged: its zip container cannot be read" in result.output
    assert "~$unit-a" not in result.output


def test_a_folder_of_good_workbooks_exits_0(tmp_path: Path) -> None:
    for name in ("x", "y"):
        shutil.copy(SAMPLE_EN, tmp_path / f"{name}.xlsx")
    result = CliRunner().invoke(cli, ["build", str(tmp_path), "-o", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 packs built" in result.output


def test_lock_and_temporary_files_are_not_workbooks(tmp_path: Path) -> None:
    for name in ("a.xlsx", "~$a.xlsx", ".hidden.xlsx", "b.xlsm", "c.xlsx~", "d.csv"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in expand([tmp_path])] == ["a.xlsx", "b.xlsm"]
    assert not is_workbook_name(Path("~$Budget.xlsx"))
