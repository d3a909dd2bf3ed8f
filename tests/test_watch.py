"""The drop folder, run as a user runs it: a real process, files dropped in, Ctrl-C to stop."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE_EN

WAIT_SECONDS = 60


def _wait_for(path: Path, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


def test_watch_builds_dropped_workbooks_survives_a_bad_one_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kpireport",
            "watch",
            str(inbox),
            "-o",
            str(outbox),
            "--format",
            "json",
            "--settle",
            "0.3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        time.sleep(1.5)  # let the observer start
        (inbox / "~$lock.xlsx").write_bytes(b"Excel's lock file")
        (inbox / "broken.xlsx").write_bytes(b"this is not a workbook")
        partial = inbox / "unit.xlsx"
        data = SAMPLE_EN.read_bytes()
        with partial.open("wb") as handle:  # written in two steps, as a file share does
            handle.write(data[: len(data) // 2])
            handle.flush()
            time.sleep(0.1)
            handle.write(data[len(data) // 2 :])
        assert _wait_for(outbox / "unit-2026-10.json"), "no pack within the time limit"
        shutil.copy(SAMPLE_EN, inbox / "second.xlsx")
        assert _wait_for(outbox / "second-2026-10.json")
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 0, output
    assert "broken.xlsx: FAILED: broken.xlsx is not an .xlsx workbook" in output
    assert "unit.xlsx: wrote unit-2026-10.json" in output
    assert "~$lock" not in output
    assert output.rstrip().endswith("Stopped.")
    assert "Traceback" not in output


@pytest.mark.parametrize("moment", ["waiting", "building"])
def test_ctrl_c_to_the_whole_group_stops_the_watch_and_its_worker_quietly(tmp_path: Path, moment: str) -> None:
    """Ctrl-C at a terminal reaches every process of its group, the watch's worker too."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_EN, inbox / "first.xlsx")
    process = subprocess.Popen(
        [sys.executable, "-m", "kpireport", "watch", str(inbox), "-o", str(outbox), "--format", "pdf,json",
         "--settle", "0.3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(Path(__file__).parent.parent)},
    )  # fmt: skip
    try:
        assert _wait_for(outbox / "first-2026-10.json"), "no pack within the time limit"
        if moment == "building":
            shutil.copy(SAMPLE_EN, inbox / "second.xlsx")
            time.sleep(1.2)  # settled, and its PDF being rendered (a few seconds)
        else:
            time.sleep(0.5)
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        output, errors = process.communicate(timeout=WAIT_SECONDS)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in output + errors, errors
    assert process.returncode == 0 and output.rstrip().endswith("Stopped."), output + errors
    assert took < 3.0, f"stopped {took:.1f} s after Ctrl-C"
    names = sorted(p.name for p in outbox.iterdir())
    first = ["first-2026-10.json", "first-2026-10.pdf"]
    assert names in (first, sorted([*first, "second-2026-10.json", "second-2026-10.pdf"])), names


def test_watch_refuses_a_bad_address_before_watching(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kpireport.cli import cli

    result = CliRunner().invoke(
        cli, ["watch", str(tmp_path), "-o", str(tmp_path / "out"), "--email-to", "cfo at example"]
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: 'cfo at example' is not an e-mail address (it needs exactly one @); give a bare address "
        "such as cfo@example.com."
    )


def test_a_failing_empty_or_killed_build_never_stops_the_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watch keeps building after a workbook whose deadline is 9999-12-31, a 0-byte file
    and a worker that is killed; the good workbook dropped after them is built."""
    from test_batch import killing_build_one

    from kpireport import batch
    from kpireport.batch import Outcome
    from kpireport.build import BuildOptions
    from kpireport.watch import watch

    monkeypatch.setattr(batch, "build_one", killing_build_one)
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    outcomes: list[Outcome] = []
    stop = threading.Event()
    options = BuildOptions(out_dir=outbox, formats=("json",))
    thread = threading.Thread(
        target=watch, args=(inbox, options, outcomes.append), kwargs={"settle": 0.3, "stop": stop.is_set}
    )
    thread.start()
    try:
        time.sleep(1.0)
        deadline = openpyxl.load_workbook(SAMPLE_EN)
        deadline["KGI"]["E2"] = "9999-12-31"
        deadline.save(inbox / "deadline.xlsx")
        (inbox / "empty.xlsx").write_bytes(b"")
        shutil.copy(SAMPLE_EN, inbox / "dies.xlsx")
        time.sleep(0.5)
        shutil.copy(SAMPLE_EN, inbox / "good.xlsx")
        assert _wait_for(outbox / "good-2026-10.json", seconds=30), [o.error for o in outcomes]
    finally:
        stop.set()
        thread.join(timeout=WAIT_SECONDS)
    errors = {o.workbook.name: o.error for o in outcomes if not o.ok}
    assert errors["deadline.xlsx"].startswith("KGI!E2: the year 9999 is outside 1900-2199")
    assert errors["empty.xlsx"] == "empty.xlsx is empty (0 bytes). Save the workbook again from Excel."
    assert errors["dies.xlsx"].startswith("the build process stopped unexpectedly")
    assert not thread.is_alive()


def test_a_restarted_watch_does_not_build_again_what_it_built(tmp_path: Path) -> None:
    from kpireport.batch import Outcome
    from kpireport.build import BuildOptions
    from kpireport.watch import watch

    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_EN, inbox / "built.xlsx")
    shutil.copy(SAMPLE_EN, inbox / "new.xlsx")
    options = BuildOptions(out_dir=outbox, formats=("json",))
    from kpireport.batch import build_one

    assert build_one(inbox / "built.xlsx", options).ok  # built by an earlier run
    outcomes: list[Outcome] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch, args=(inbox, options, outcomes.append), kwargs={"settle": 0.2, "stop": stop.is_set}
    )
    thread.start()
    try:
        assert _wait_for(outbox / "new-2026-10.json", seconds=30)
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join(timeout=WAIT_SECONDS)
    assert [o.workbook.name for o in outcomes] == ["new.xlsx"]


def test_the_watch_builds_the_deck_and_the_metrics_workbook(tmp_path: Path) -> None:
    from kpireport.batch import Outcome
    from kpireport.build import BuildOptions
    from kpireport.watch import watch

    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_EN, inbox / "board.xlsx")
    outcomes: list[Outcome] = []
    stop = threading.Event()
    options = BuildOptions(out_dir=outbox, formats=("pptx", "xlsx"))
    thread = threading.Thread(
        target=watch, args=(inbox, options, outcomes.append), kwargs={"settle": 0.2, "stop": stop.is_set}
    )
    thread.start()
    try:
        assert _wait_for(outbox / "board-2026-10.xlsx", seconds=60), [o.error for o in outcomes]
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=WAIT_SECONDS)
    assert sorted(p.name for p in outbox.iterdir()) == ["board-2026-10.pptx", "board-2026-10.xlsx"]
    assert [o.ok for o in outcomes] == [True]
