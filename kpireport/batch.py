"""Building many workbooks: a process pool whose workers keep WeasyPrint and fonts loaded,
progress on the terminal, and a summary where one bad workbook never stops the others."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kpireport.build import BuildOptions, build_pack
from kpireport.errors import KpiReportError

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass(frozen=True)
class Outcome:
    workbook: Path
    month: str = ""
    counts: tuple[tuple[str, int], ...] = ()
    outputs: tuple[Path, ...] = ()
    error: str = ""
    warnings: tuple[str, ...] = ()
    exit_code: int = 0
    """The failed build's exit code (the error's own: 2 for an unusable workbook, 1 for
    an output or rendering failure); 0 when the pack was built."""

    @property
    def ok(self) -> bool:
        return not self.error


def is_workbook_name(path: Path) -> bool:
    """Excel's lock files (~$book.xlsx), hidden and temporary files are not workbooks."""
    name = path.name
    return path.suffix.lower() in WORKBOOK_SUFFIXES and not name.startswith(("~$", ".")) and not name.endswith("~")


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders as the workbooks directly inside them, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.is_file() and is_workbook_name(p)))
        else:
            found.append(path)
    return found


def build_one(path: Path, options: BuildOptions) -> Outcome:
    """Build one pack and describe it; a user-facing error becomes the outcome's message."""
    try:
        result = build_pack(path, options)
    except KpiReportError as error:
        return Outcome(path, error=str(error), exit_code=error.exit_code)
    statuses = Counter(r.month.status for r in result.report.kpis)
    counts = tuple((s, statuses.get(s, 0)) for s in ("green", "amber", "red", "no_data"))
    warnings = result.report.workbook.warnings
    return Outcome(path, str(result.report.month), counts, tuple(result.outputs), warnings=warnings)


def _warm_up() -> None:
    # Each worker pays for WeasyPrint's import and font set-up once, not once per workbook.
    from kpireport import engine

    engine.load()


def build_many(
    paths: Sequence[Path], options: BuildOptions, jobs: int, on_done: Callable[[Outcome], None]
) -> list[Outcome]:
    if jobs <= 1 or len(paths) <= 1:
        outcomes = []
        for path in paths:
            outcome = build_one(path, options)
            on_done(outcome)
            outcomes.append(outcome)
        return outcomes
    warm = _warm_up if "pdf" in options.formats else None
    by_path: dict[Path, Outcome] = {}
    # Imported here: multiprocessing costs a single build ~25 ms of start-up it never uses.
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=min(jobs, len(paths), os.cpu_count() or 1), initializer=warm) as pool:
        futures = {pool.submit(build_one, path, options): path for path in paths}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:  # a crashed worker must not take the batch down
                outcome = Outcome(futures[future], error=f"the build stopped unexpectedly: {exc!r}", exit_code=1)
            by_path[futures[future]] = outcome
            on_done(outcome)
    return [by_path[p] for p in paths]
