"""`build --split` against the full pack alone (#31): `python bench/split.py [--rounds N]`.

The bench's 50-KPI x 24-month workbook (bench/run.py) with a Distribution sheet of six
recipients, one department each, in the workbook's language and the default formats (pdf,
html, json). Each round runs, as whole processes and in alternating order, `kpireport build`
of the workbook and `kpireport build --split` of it (the full pack and the six department
packs), this checkout's code (PYTHONPATH) with this interpreter. Prints each command's median
wall time and peak memory and the median and range of the rounds' split / full ratios; the
budget is a ratio under 3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from run import DEPARTMENTS, WORK, generate, run_process

BUDGET = 3.0
SPLIT_DEPARTMENTS = DEPARTMENTS[:6]


def with_distribution(workbook: Path, target: Path) -> Path:
    """``workbook`` with a Distribution sheet: one recipient per department of SPLIT_DEPARTMENTS."""
    if target.exists():
        return target
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    sheet = book.create_sheet("Distribution")
    sheet.append(["recipient", "email", "scope", "lang", "formats"])
    for number, department in enumerate(SPLIT_DEPARTMENTS, 1):
        sheet.append([f"Head {number}", f"head{number}@example.com", department, None, "pdf"])
    book.save(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--kpis", type=int, default=50)
    parser.add_argument("--work", type=Path, default=WORK, help="folder for the generated workbooks (kept)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    base = generate(args.work / f"kpis-{args.kpis}x24.xlsx", args.kpis, 24)
    workbook = with_distribution(base, args.work / f"kpis-{args.kpis}x24-split.xlsx")
    repo = Path(__file__).resolve().parents[1]
    os.environ["PYTHONPATH"] = str(repo)  # this checkout's code, as bench/ab.py runs each revision
    commands = {"full": [], "split": ["--split"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as temp:
        for round_number in range(args.rounds):
            order = list(commands) if round_number % 2 == 0 else list(reversed(commands))
            for name in order:
                out = Path(temp) / f"{name}-{round_number}"
                command = [sys.executable, "-m", "kpireport", "build", str(workbook), "-o", str(out), *commands[name]]
                seconds, peak, _ = run_process(command, cwd=repo)
                times[name].append(seconds)
                peaks[name].append(peak)
            print(f"round {round_number + 1}: full {times['full'][-1]:.2f} s, split {times['split'][-1]:.2f} s",
                  file=sys.stderr)  # fmt: skip
        files = sorted(p.name for p in (Path(temp) / "split-0").iterdir())
    ratios = sorted(s / f for s, f in zip(times["split"], times["full"], strict=True))
    print(f"{args.kpis} KPIs x 24 months, {len(SPLIT_DEPARTMENTS)} department packs, {args.rounds} rounds")
    for name in commands:
        print(f"{name:>5}: {statistics.median(times[name]):.2f} s median "
              f"({min(times[name]):.2f}-{max(times[name]):.2f}), peak {max(peaks[name]):.0f} MiB")  # fmt: skip
    median = statistics.median(ratios)
    verdict = "met" if median < BUDGET else "NOT met"
    print(f"split / full: {median:.2f}x median ({ratios[0]:.2f}-{ratios[-1]:.2f}); budget {BUDGET:g}x: {verdict}")
    print(f"files of --split: {len(files)}")


if __name__ == "__main__":
    main()
