"""Many workbooks at once: a process pool, one broken workbook among good ones."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_EN, SAMPLE_JA

from kpireport import batch
from kpireport.batch import Outcome, expand, is_workbook_name
from kpireport.build import BuildOptions
from kpireport.cli import cli
from kpireport.delivering.output import write_set


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


_ORIGINAL_BUILD_ONE = batch.build_one


def killing_build_one(path: Path, options: BuildOptions) -> Outcome:
    """build_one, except that the worker building dies.xlsx is killed as the kernel's
    out-of-memory killer would kill it (the pool forks, so workers see the patch)."""
    if path.name == "dies.xlsx":
        os.kill(os.getpid(), signal.SIGKILL)
    return _ORIGINAL_BUILD_ONE(path, options)


def test_a_killed_worker_fails_only_its_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    for index in range(5):
        shutil.copy(SAMPLE_EN, folder / f"good-{index}.xlsx")
    shutil.copy(SAMPLE_EN, folder / "dies.xlsx")
    far = openpyxl.load_workbook(SAMPLE_EN)
    far["Actuals"]["XFD200000"] = 1  # once enough to abort the whole batch
    far.save(folder / "far.xlsx")
    monkeypatch.setattr(batch, "build_one", killing_build_one)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "--jobs", "2", "--format", "json"])
    assert result.exit_code == 2, result.output  # far.xlsx is unusable input: 2 beats 1
    assert sorted(p.name for p in out.iterdir()) == [f"good-{i}-2026-10.json" for i in range(5)]
    assert "5 of 7 packs built" in result.output
    assert "dies.xlsx: FAILED: the build process stopped unexpectedly" in result.output
    assert "far.xlsx: FAILED: Actuals!XFD200000: the sheet's cells reach row 200,000" in result.output


def crashing_build_one(path: Path, options: BuildOptions) -> Outcome:
    """build_one, except that crash.xlsx meets a bug (not a user error): a traceback's worth."""
    if path.name == "crash.xlsx":
        raise RuntimeError("a bug in a renderer")
    return _ORIGINAL_BUILD_ONE(path, options)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_workbook_whose_build_crashes_fails_alone_at_any_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    shutil.copy(SAMPLE_EN, folder / "crash.xlsx")  # first in the folder's order
    for name in ("good-a", "good-b"):
        shutil.copy(SAMPLE_EN, folder / f"{name}.xlsx")
    monkeypatch.setattr(batch, "build_one", crashing_build_one)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "--jobs", jobs, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["good-a-2026-10.json", "good-b-2026-10.json"]
    assert "2 of 3 packs built" in result.output
    assert "crash.xlsx: FAILED: the build stopped unexpectedly: RuntimeError('a bug in a renderer')" in result.output


def test_ctrl_c_stops_a_batch_at_once_and_nothing_is_written_after_it(tmp_path: Path) -> None:
    folder, out = tmp_path / "units", tmp_path / "out"
    folder.mkdir()
    for index in range(4):
        shutil.copy(SAMPLE_EN, folder / f"unit-{index}.xlsx")
    command = [sys.executable, "-m", "kpireport", "build", str(folder), "-o", str(out), "--jobs", "2"]
    # A session of its own, so that Ctrl-C can go to the whole group as a terminal sends it.
    process = subprocess.Popen(
        [*command, "--format", "pdf,json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("*.json")) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert list(out.glob("*.json")), "no pack within the time limit"  # the workers now build the next
        sent, started = time.time(), time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        output, errors = process.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in output + errors, errors
    assert process.returncode == 1 and errors.rstrip().endswith("Aborted!"), errors
    assert took < 3.0, f"stopped {took:.1f} s after Ctrl-C"  # was 7 s: the builds in hand ran to their end
    files = list(out.iterdir())
    assert not [f.name for f in files if f.stat().st_mtime > sent + 0.5], "written after Ctrl-C"
    stems = {f.name.rsplit(".", 1)[0] for f in files}
    assert sorted(f.name for f in files) == sorted(f"{stem}.{ext}" for stem in stems for ext in ("json", "pdf"))


def test_a_worker_told_to_stop_while_it_puts_a_pack_in_place_finishes_it_first(tmp_path: Path) -> None:
    class StopHalfway(dict[Path, str]):
        """The parent's SIGTERM arrives once the pack's first file is written."""

        def items(self) -> Any:
            for number, item in enumerate(super().items()):
                if number == 1:
                    os.kill(os.getpid(), signal.SIGTERM)
                yield item

    child = os.fork()
    if child == 0:  # a worker, as the pool starts it
        code = 3
        try:
            signal.signal(signal.SIGTERM, batch._stop_worker)
            write_set(StopHalfway({tmp_path / "a-2026-10.json": "{}", tmp_path / "a-2026-10.html": "<p>"}))
            code = 0 if batch._stopping else 4  # finished, and knows to leave
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-2026-10.html", "a-2026-10.json"]
