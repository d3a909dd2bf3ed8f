"""Large sheets read in a process of their own (kpireport.reading.apart).

Each case runs in a fresh interpreter: a sheet is read apart only by a process that runs no
other thread (pytest's workers do), and the size from which a sheet is read apart is lowered
there to one byte, so the samples' sheets are read apart too."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
from conftest import REPO, SAMPLE_EN

from kpireport.reading.apart import can_fork

EVERY_SHEET_APART = """
import json, sys
from pathlib import Path
from kpireport.reading import apart, workbook
apart.LARGE_PART_BYTES = 1
started = []
class Counted(apart.GridProcess):
    def __init__(self, path, sheet_name):
        started.append(sheet_name)
        super().__init__(path, sheet_name)
apart.GridProcess = Counted
"""


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120, check=False, cwd=REPO
    )


def _series(path: Path, sheet: str) -> dict[str, dict[str, float]]:
    """A monthly sheet as openpyxl reads it: id → month (as its header reads) → value."""
    rows = list(openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return {
        str(row[0]): {str(header[col]): float(value) for col, value in enumerate(row) if col and value is not None}
        for row in rows[1:]
        if row[0] is not None
    }


def test_the_monthly_sheets_read_apart_hold_what_the_workbook_holds() -> None:
    run = _run(
        EVERY_SHEET_APART
        + """
book = workbook.read_workbook(Path(sys.argv[1]))
def plain(series):
    return {k: {f"{m.year}-{m.month:02d}": v for m, v in months.items()} for k, months in series.items()}
print(json.dumps({"started": started, "targets": plain(book.targets), "actuals": plain(book.actuals)}))
""",
        str(SAMPLE_EN),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    read = json.loads(run.stdout)
    assert sorted(read["started"]) == ["Actuals", "Targets"]
    for sheet in ("Targets", "Actuals"):
        expected = _series(SAMPLE_EN, sheet)
        got = read[sheet.lower()]
        assert got.keys() == expected.keys()
        for kpi, months in expected.items():
            # openpyxl reads the month headers as dates (2025-04-01 00:00:00) or text (2025-04)
            assert {month[:7]: value for month, value in months.items()} == got[kpi], kpi


def test_a_sheet_refused_apart_is_refused_with_the_same_message(make_workbook: Callable[..., Path]) -> None:
    path = make_workbook()
    book = openpyxl.load_workbook(path)
    book["Actuals"].cell(row=1_000_000, column=2, value=1)
    book.save(path)
    run = _run(
        EVERY_SHEET_APART
        + """
sys.argv = ["kpireport", "check", sys.argv[1]]
from kpireport._entry import main
try:
    main()
finally:
    print("started", started, file=sys.stderr)
""",
        str(path),
    )
    assert run.returncode == 2
    assert "Actuals!B1000000: the sheet's cells reach row 1,000,000 and column 4" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "'Actuals'" in run.stderr.splitlines()[-1]  # it was read apart


def test_a_reader_that_dies_ends_in_a_message_naming_its_sheet() -> None:
    run = _run(
        """
import os, signal, sys
from pathlib import Path
from kpireport.errors import WorkbookError
from kpireport.reading import apart, xlsx
xlsx.XlsxFile.grid = lambda self, name: os.kill(os.getpid(), signal.SIGKILL)  # a native crash, as seen from here
process = apart.GridProcess(Path(sys.argv[1]), "Targets")
try:
    process.result()
except WorkbookError as exc:
    print(exc)
finally:
    process.close()
""",
        str(SAMPLE_EN),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == (
        "Targets: the sheet's reader stopped unexpectedly (signal 9). Save the workbook again from Excel."
    )


def test_no_process_is_forked_beside_other_threads() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not can_fork()
    finally:
        release.set()
        other.join()


def test_ctrl_c_or_sigterm_while_sheets_are_read_apart_ends_quietly_and_stops_them() -> None:
    script = (
        EVERY_SHEET_APART
        + """
import os, time
from kpireport.reading import xlsx
build, grid = os.getpid(), xlsx.XlsxFile.grid
def slow(self, name):
    if os.getpid() != build:
        os.write(1, b"reading apart\\n")  # one write: the two readers print at once
        time.sleep(60)
    return grid(self, name)
xlsx.XlsxFile.grid = slow
sys.argv = ["kpireport", "check", sys.argv[1]]
from kpireport._entry import main
main()
"""
    )
    for stop in (signal.SIGINT, signal.SIGTERM):
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(SAMPLE_EN)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            start_new_session=True,
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "reading apart"
        os.killpg(process.pid, stop)  # as a terminal's Ctrl-C, or a service manager, reaches the whole group
        _, err = process.communicate(timeout=30)
        assert process.returncode == 1, (stop, err[-2000:])
        assert "Traceback" not in err, err[-2000:]
        assert err.strip() == "Aborted!"
        # nothing of the group is left: its children were stopped with it
        with contextlib.suppress(ProcessLookupError):
            time.sleep(0.5)
            os.killpg(process.pid, 0)
            raise AssertionError(f"a process of the build outlived it ({stop.name})")
