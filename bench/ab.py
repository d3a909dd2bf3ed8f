"""A/B of two revisions of kpireport, interleaved in one run: `python bench/ab.py BEFORE AFTER`.

Each round runs every command once with BEFORE's code and once with AFTER's (in alternating
order), as whole processes, on one of the bench's workbooks (50 KPIs x 24 months unless
--kpis and --months say otherwise); the machine's noise
weighs on both alike. Prints each command's median wall time and peak memory for both, and the
median and range of the rounds' AFTER/BEFORE ratios. The revisions are checked out in temporary
git worktrees and run with this interpreter (its installed dependencies), PYTHONPATH on each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import READ, WORK, generate, run_process

# What follows the interpreter: a kpireport command, or the read test of bench/run.py.
COMMANDS: dict[str, list[str]] = {
    "build pdf,html,json": ["-m", "kpireport", "build", "{wb}", "-o", "{out}", "--format", "pdf,html,json"],
    "build json": ["-m", "kpireport", "build", "{wb}", "-o", "{out}", "--format", "json"],
    "build pptx": ["-m", "kpireport", "build", "{wb}", "-o", "{out}", "--format", "pptx"],
    "build xlsx": ["-m", "kpireport", "build", "{wb}", "-o", "{out}", "--format", "xlsx"],
    "check": ["-m", "kpireport", "check", "{wb}"],
    "read": ["-c", READ, "{wb}"],
}


def _worktree(repo: Path, revision: str, into: Path) -> Path:
    """``revision`` checked out at ``into``, its bytecode compiled as `make` compiles an install's
    (under PYTHONDONTWRITEBYTECODE each run would otherwise compile every module again)."""
    subprocess.run(["git", "-C", str(repo), "worktree", "add", "-q", "--detach", str(into), revision], check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into / "kpireport")], check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--kpis", type=int, default=50)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--only", help="command names separated by ; (default: all)")
    args = parser.parse_args()
    repo = Path(__file__).resolve().parents[1]
    WORK.mkdir(exist_ok=True)
    workbook = generate(WORK / f"kpis-{args.kpis}x{args.months}.xlsx", args.kpis, args.months)
    names = args.only.split(";") if args.only else list(COMMANDS)
    with tempfile.TemporaryDirectory() as temp:
        trees = {side: _worktree(repo, rev, Path(temp) / side) for side, rev in (("A", args.before), ("B", args.after))}
        times: dict[tuple[str, str], list[float]] = {}
        peaks: dict[tuple[str, str], list[float]] = {}
        try:
            for round_number in range(args.rounds):
                order = ("A", "B") if round_number % 2 == 0 else ("B", "A")
                for name in names:
                    for side in order:
                        out = Path(temp) / f"out-{side}"
                        command = [part.format(wb=workbook, out=out) for part in COMMANDS[name]]
                        env_path = str(trees[side])
                        os.environ["PYTHONPATH"] = env_path
                        elapsed, peak, _ = run_process([sys.executable, *command], cwd=trees[side])
                        times.setdefault((name, side), []).append(elapsed)
                        peaks.setdefault((name, side), []).append(peak)
        finally:
            os.environ.pop("PYTHONPATH", None)
            for tree in trees.values():
                subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)], check=False)
    size = f"{args.kpis} KPIs x {args.months} months"
    print(f"A = {args.before}, B = {args.after}; {args.rounds} interleaved rounds, {size}\n")
    print("| command | A median (range) | B median (range) | B/A, median of the rounds (range) | peak MiB A → B |")
    print("|---|---|---|---|---|")
    for name in names:
        a, b = times[(name, "A")], times[(name, "B")]
        ratios = sorted(y / x for x, y in zip(a, b, strict=True))
        print(
            f"| `{name}` | {statistics.median(a):.2f} s ({min(a):.2f}–{max(a):.2f}) "
            f"| {statistics.median(b):.2f} s ({min(b):.2f}–{max(b):.2f}) "
            f"| {statistics.median(ratios):.3f}× ({ratios[0]:.2f}–{ratios[-1]:.2f}) "
            f"| {max(peaks[(name, 'A')]):.0f} → {max(peaks[(name, 'B')]):.0f} |"
        )


if __name__ == "__main__":
    main()
