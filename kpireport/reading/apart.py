"""A large sheet read in a process of its own, on the machine's other core.

Scanning a sheet's XML (:mod:`kpireport.reading.sheetscan`) is Python work for every cell and
holds the interpreter's lock, so the two large sheets of numbers, read in threads, were scanned
one after the other: on 20,000 KPIs × 36 months, most of the read. Forked, each large sheet is
scanned and parsed in a process of its own while this one reads the others, and only its grid
(its values) comes back. The process opens and checks the workbook afresh, as calamine does
(it reads the file by its path): it shares no open file, and no file offset, with this one. A
reader that dies natively (calamine aborting) ends in a message naming the sheet.

Where no process can be forked, the sheet is read in this process, as before: on a system
without fork; in a worker of ``build --jobs`` (a daemonic process may not have children, and
the workers already keep both cores busy); and in a process running other threads, as
``watch`` does, whose locks a fork would copy held.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kpireport import forked
from kpireport.errors import WorkbookError
from kpireport.reading.xlsx import Grid, XlsxFile

LARGE_PART_BYTES = 4 * 1024 * 1024
"""A sheet whose XML is this large, uncompressed (about 100,000 cells), is read apart: below it
starting a process costs more than it saves."""


def can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and threading.active_count() == 1
    )


def _serve(connection: Connection, path: Path, sheet_name: str) -> None:
    forked.as_helper()
    reply: tuple[str, Any]
    try:
        with XlsxFile(path) as xlsx:
            reply = ("grid", xlsx.grid(sheet_name))
    except BaseException as exc:
        reply = (
            "raise",
            forked.transportable(
                exc, lambda what: WorkbookError(f"the sheet cannot be read ({what}).", sheet=sheet_name)
            ),
        )
    with contextlib.suppress(OSError):  # the build is gone: no one to tell
        connection.send(reply)
    connection.close()


class GridProcess:
    """``GridProcess(path, sheet)`` starts reading the sheet; ``result()`` waits for its grid
    (raising what reading it raised); ``close()`` stops the process, whatever happened."""

    def __init__(self, path: Path, sheet_name: str) -> None:
        self.sheet_name = sheet_name
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=False)
        self._process: Any = context.Process(
            target=_serve, args=(theirs, path, sheet_name), name="kpireport-sheet", daemon=True
        )
        with forked.stop_signals_blocked():
            self._process.start()
        theirs.close()
        self._connection: Connection | None = ours
        # result() (in a reader thread) and close() (in the build's) may both wait for the
        # process: one at a time, or one reaps it while the other's wait finds no child.
        self._waiting = threading.Lock()
        self._closed = False

    def result(self) -> Grid:
        assert self._connection is not None, "result() once"
        connection, self._connection = self._connection, None
        try:
            kind, payload = connection.recv()
        except (EOFError, OSError):
            with self._waiting:
                code = None if self._closed else self._exit_code()
            why = forked.how_it_ended(code)
            raise WorkbookError(
                f"the sheet's reader stopped unexpectedly ({why}). Save the workbook again from Excel.",
                sheet=self.sheet_name,
            ) from None
        finally:
            connection.close()
        if kind == "raise":
            raise payload
        grid: Grid = payload
        return grid

    def _exit_code(self) -> int | None:
        self._process.join(timeout=5)
        code: int | None = self._process.exitcode
        return code

    def close(self) -> None:
        """Stop the process. Its pipe is left to ``result()``, which may be waiting on it in
        another thread: the process gone, it ends there."""
        with self._waiting:
            if self._closed:
                return
            self._process.join(timeout=0)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process.close()
            self._closed = True
