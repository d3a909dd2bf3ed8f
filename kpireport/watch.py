"""The drop folder: build a pack whenever a workbook lands in, or changes in, a folder.

watchdog reports file events; a workbook is built only once its size and modification time
have stopped changing (Excel and file shares write in several steps), and a failure is logged
while the watch goes on.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from kpireport.batch import Outcome, build_one, is_workbook_name
from kpireport.build import BuildOptions


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


def wait_until_stable(path: Path, settle: float, timeout: float = 120.0) -> bool:
    """True once the file's size and mtime have not changed for ``settle`` seconds."""
    deadline = time.monotonic() + timeout
    last: tuple[int, int] | None = None
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return False
        now = (stat.st_size, stat.st_mtime_ns)
        if now != last:
            last, stable_since = now, time.monotonic()
        elif stat.st_size > 0 and time.monotonic() - stable_since >= settle:
            return True
        time.sleep(min(settle / 4, 0.25))
    return False


def watch(
    inbox: Path,
    options: BuildOptions,
    on_done: Callable[[Outcome], None],
    *,
    settle: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Run until ``stop()`` is true or Ctrl-C; each workbook version is built once."""
    pending: queue.Queue[Path] = queue.Queue()
    observer = Observer()
    observer.schedule(_Inbox(pending), str(inbox), recursive=False)
    observer.start()
    built: dict[Path, tuple[int, int]] = {}
    try:
        while not stop():
            try:
                path = pending.get(timeout=0.2)
            except queue.Empty:
                continue
            if not wait_until_stable(path, settle):
                continue
            stat = path.stat()
            version = (stat.st_size, stat.st_mtime_ns)
            if built.get(path) == version:
                continue  # several events for one write
            built[path] = version
            on_done(build_one(path, options))
    finally:
        observer.stop()
        observer.join()
