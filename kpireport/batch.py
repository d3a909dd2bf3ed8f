"""Building many workbooks: a process pool whose workers keep WeasyPrint and fonts loaded,
progress on the terminal, and a summary where one bad workbook never stops the others.

Ctrl-C reaches every process of the terminal's group. The workers ignore it: the parent
decides, and stops them with SIGTERM. A worker then leaves at once, with its PDF renderer,
unless it is putting a pack in place, which it finishes first: no half pack is left.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from kpireport.build import BuildOptions, build_pack
from kpireport.delivering.output import write_set
from kpireport.errors import KpiReportError
from kpireport.model import STATUSES

if TYPE_CHECKING:
    # Imported where used: multiprocessing costs a single build ~25 ms of start-up it never uses.
    from concurrent.futures import ProcessPoolExecutor

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

    @property
    def full_pack(self) -> tuple[Path, ...]:
        """The outputs of the full pack: --email-to sends it; each pack per audience goes to its
        own recipients (send --distribution)."""
        from kpireport.presenting.formats import parse_pack_file_name

        return tuple(p for p in self.outputs if (name := parse_pack_file_name(p.name)) is None or name.slug is None)


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
    counts = tuple((s, statuses.get(s, 0)) for s in STATUSES)
    warnings = result.report.workbook.warnings
    return Outcome(path, str(result.report.month), counts, tuple(result.outputs), warnings=warnings)


# How long stopped workers get to finish writing a pack before they are killed.
STOP_SECONDS = 3.0

_stopping = False
"""Set in a worker told to stop while it was putting a pack in place: it leaves once done."""


def _stop_worker(signum: int, frame: FrameType | None) -> None:
    """The parent's SIGTERM: leave now, unless the pack is being put in place.

    No exception is raised: one raised from a signal handler can land in any code, a __del__
    or a lock's release included, where Python prints it and carries on. A build stopped
    before it writes has nothing on disk; its renderer is ended with it. One stopped while
    write_set puts its files in place finishes that first, so no pack is left half old, half
    new."""
    global _stopping
    if _writing(frame):
        _stopping = True
        return
    import multiprocessing  # loaded already: this is one of its workers

    for child in multiprocessing.active_children():  # the build's PDF renderer
        child.kill()
    os._exit(1)


def _writing(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code is write_set.__code__:
            return True
        frame = frame.f_back
    return False


def _start_worker(warm: bool) -> None:
    """Each worker, as it starts: Ctrl-C is the parent's to handle (a KeyboardInterrupt here
    would print a traceback per worker); SIGTERM stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    if warm:
        # Each worker pays for WeasyPrint's import and font set-up once, not once per workbook.
        from kpireport.presenting import engine

        engine.load()


def _build_in_worker(path: Path, options: BuildOptions) -> Outcome:
    outcome = build_one(path, options)
    if _stopping:  # told to stop while writing: the pack is whole, and the pool is shutting down
        os._exit(1)
    return outcome


def _died(path: Path, why: str) -> Outcome:
    return Outcome(
        path, error=f"the build process stopped unexpectedly ({why}); the other packs are not affected.", exit_code=1
    )


class IsolatedBuilder:
    """Builds in worker processes that keep WeasyPrint loaded. A worker that dies (a native
    crash, the out-of-memory killer, a signal) fails only the workbook it was building: the
    pool is started again and the others are built."""

    def __init__(self, options: BuildOptions, jobs: int) -> None:
        self.options = options
        self.jobs = max(jobs, 1)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> IsolatedBuilder:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc_info: object) -> None:
        if kind is None:
            self.close()
        else:  # Ctrl-C, SIGTERM or a bug: the builds in hand are not waited for
            self.stop()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def stop(self) -> None:
        """End the workers now: SIGTERM (each leaves at once, or once the pack it is putting in
        place is whole), then SIGKILL for any still there after STOP_SECONDS."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # The pool has no public way to end its workers before Python 3.14's terminate_workers().
        processes = list((pool._processes or {}).values())
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes:
            process.join(max(deadline - time.monotonic(), 0))
            if process.is_alive():
                process.kill()
                process.join()
        pool.shutdown(wait=True, cancel_futures=True)

    def _fresh_pool(self, workers: int) -> ProcessPoolExecutor:
        from concurrent.futures import ProcessPoolExecutor

        self.close()
        warm = "pdf" in self.options.formats
        self._pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(warm,))
        return self._pool

    def build(self, paths: Sequence[Path], on_done: Callable[[Outcome], None]) -> dict[Path, Outcome]:
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        done: dict[Path, Outcome] = {}
        pool = self._pool or self._fresh_pool(min(self.jobs, len(paths), os.cpu_count() or 1))
        futures = {pool.submit(_build_in_worker, path, self.options): path for path in paths}
        broken: list[Path] = []
        for future in as_completed(futures):
            path = futures[future]
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken.append(path)  # this one, or another built beside it, killed the worker
                continue
            except Exception as exc:  # an unexpected failure inside the worker: that workbook only
                outcome = Outcome(path, error=f"the build stopped unexpectedly: {exc!r}", exit_code=1)
            done[path] = outcome
            on_done(outcome)
        # Whichever worker died took its neighbours' futures with it: build those again one at
        # a time in fresh workers, so the one that dies again is the one to blame.
        for path in sorted(broken, key=list(paths).index):
            future = self._fresh_pool(1).submit(_build_in_worker, path, self.options)
            try:
                outcome = future.result()
            except BrokenProcessPool:
                outcome = _died(path, "it was killed or crashed")
                self.close()
            done[path] = outcome
            on_done(outcome)
        return done


def build_many(
    paths: Sequence[Path], options: BuildOptions, jobs: int, on_done: Callable[[Outcome], None]
) -> list[Outcome]:
    """Build each workbook. One is built in this process, as fast as can be; a batch is built in
    workers at any ``jobs``, so that one whose build crashes fails alone, with --jobs 1 too."""
    if len(paths) <= 1:
        outcomes = []
        for path in paths:
            outcome = build_one(path, options)
            on_done(outcome)
            outcomes.append(outcome)
        return outcomes
    with IsolatedBuilder(options, jobs) as builder:
        by_path = builder.build(paths, on_done)
    return [by_path[p] for p in paths]
