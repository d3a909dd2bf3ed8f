"""The drop folder, run as a user runs it: a real process, files dropped in, Ctrl-C to stop."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import SAMPLE_EN

WAIT_SECONDS = 60


def _wait_for(path: Path) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
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
