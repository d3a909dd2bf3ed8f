"""The drop folder: build a pack whenever a workbook lands in, or changes in, a folder.

watchdog reports file events; a workbook is built only once its size and modification time
have stopped changing (Excel and file shares write in several steps), in a worker process, and
a failure is logged while the watch goes on.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from kpireport.batch import IsolatedBuilder, Outcome, is_workbook_name
from kpireport.build import BuildOptions
from kpireport.presenting.formats import parse_pack_file_name


class _Inbox(FileSystemEventHandler):
    def __init__(self, pending: queue.Queue[Path]) -> None:
        self.pending = pending

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in {"created", "modified", "moved", "closed"}:
            return
        raw = event.dest_path if event.event_type == "moved" else event.src_path
        path = Path(raw if isinstance(raw, str) else raw.decode())
        if is_workbook_name(path):
            self.pending.put(path)


def _version(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def already_built(path: Path, out_dir: Path) -> bool:
    """A pack of this workbook in ``out_dir`` no older than the workbook: a watch that was
    stopped and started again does not build it again."""
    version = _version(path)
    if version is None:
        return False
    try:
        packs = [p for p in out_dir.iterdir() if (name := parse_pack_file_name(p.name)) and name.stem == path.stem]
    except OSError:
        return False
    return any((_version(p) or (0, 0))[1] >= version[1] for p in packs)


def watch(
    inbox: Path,
    options: BuildOptions,
    on_done: Callable[[Outcome], None],
    *,
    settle: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Run until ``stop()`` is true or Ctrl-C; each workbook version is built once.

    A workbook is built once its size and modification time have not changed for ``settle``
    seconds; files still being written wait without holding up the others. Builds run in a
    worker process, so a workbook whose build crashes fails alone and the watch
    goes on. Workbooks already in the folder are built at the start unless a pack of them at
    least as new is already in the output folder."""
    pending: queue.Queue[Path] = queue.Queue()
    for existing in sorted(inbox.iterdir()):
        if existing.is_file() and is_workbook_name(existing) and not already_built(existing, options.out_dir):
            pending.put(existing)
    observer = Observer()
    observer.schedule(_Inbox(pending), str(inbox), recursive=False)
    observer.start()
    seen: dict[Path, tuple[tuple[int, int], float]] = {}  # path → (version, unchanged since)
    built: dict[Path, tuple[int, int]] = {}
    try:
        with IsolatedBuilder(options, jobs=1) as builder:
            while not stop():
                try:
                    while True:
                        path = pending.get(timeout=min(settle / 4, 0.2))
                        seen.setdefault(path, ((-1, -1), time.monotonic()))
                except queue.Empty:
                    pass
                now = time.monotonic()
                for path, (last, since) in list(seen.items()):
                    version = _version(path)
                    if version is None:
                        del seen[path]  # removed or renamed away
                    elif version != last:
                        seen[path] = (version, now)
                    elif now - since >= settle:
                        del seen[path]
                        if built.get(path) != version:  # several events for one write
                            built[path] = version
                            builder.build([path], on_done)
    finally:
        observer.stop()
        observer.join()
