"""The benchmark cannot rot: run it on the smallest size (no timing is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_the_benchmark_runs_and_prints_its_tables(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "6", "--runs", "1", "--large", "40",
         "--batch", "2", "--drivers", "2", "--drivers-kpis", "12", "--no-soffice", "--work", str(tmp_path),
         "--write", str(tmp_path / "RESULTS.md")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    for expected in ("| KPIs | import s / MiB | read s / MiB", "end to end s", "Reading 40 KPIs × 36 months",
                     "Batch of 2 × 6 KPIs", "`check` of 12 KPIs and 2 KGIs"):  # fmt: skip
        assert expected in run.stdout, expected
    assert (tmp_path / "RESULTS.md").read_text(encoding="utf-8").startswith("# Benchmark results")


def test_the_split_benchmark_runs_and_says_its_ratio(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "split.py"), "--kpis", "6", "--rounds", "1", "--work", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "split / full: " in run.stdout
    # The full pack (pdf, html, json) and six department packs of the same three formats.
    assert "files of --split: 21" in run.stdout


def fuzz(*args: str) -> subprocess.CompletedProcess[str]:
    # This checkout's kpireport, whichever one the environment has installed.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / "fuzz.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


def test_the_fuzzer_runs_and_prints_its_summary() -> None:
    run = fuzz("--examples", "15")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1].startswith("15 inputs in ")
    assert "FAILED" not in run.stdout


def test_the_fuzzer_of_previous_packs_runs_and_every_input_builds() -> None:
    run = fuzz("--target", "previous-pack", "--examples", "12")
    assert run.returncode == 0, run.stderr[-3000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert summary.startswith("12 inputs in "), summary
    assert "FAILED" not in run.stdout and "CRASHED" not in run.stdout and "HUNG" not in run.stdout
