"""The PDFs of several packs (``build --split``) rendered in a few worker processes.

Each worker loads the PDF engine once, as the build starts, and then lays out one pack after
another while this process reads the workbook and makes the other formats. Two workers keep
both cores of the machines our users run busy. A worker that crashes natively or is killed
ends in a message, not in the death of the build; Ctrl-C is this process's to handle.

Where processes cannot be forked, each PDF is rendered in this process when it is collected.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType

from kpireport import forked
from kpireport.errors import RenderError
from kpireport.presenting import engine, pack_html
from kpireport.presenting.pdf_process import RENDER_SECONDS, time_bound, transportable

WORKERS = 2

_failure: BaseException | None = None
"""Why the engine did not load in this worker: raised by each render, as a message."""


def _start() -> None:
    global _failure
    forked.as_helper()
    try:
        engine.load()
    except Exception as exc:
        _failure = exc


def _ready() -> None:
    """Nothing: submitted first, so the workers start (and load the engine) at once."""


def _render(html: str, source: tuple[str, bytes] | None) -> bytes:
    try:
        if _failure is not None:
            raise _failure
        return pack_html.render_pdf(html, source=source)
    except BaseException as exc:
        raise transportable(exc) from None


class PooledPdf:
    """One pack's PDF, being rendered by a worker (or, without one, rendered when asked for)."""

    def __init__(self, future: concurrent.futures.Future[bytes] | None, html: str, source: tuple[str, bytes] | None):
        self._future = future
        self._request = (html, source)

    def result(self) -> bytes:
        if self._future is None:
            with time_bound(RENDER_SECONDS):
                return pack_html.render_pdf(self._request[0], source=self._request[1])
        try:
            return self._future.result(timeout=RENDER_SECONDS)
        except concurrent.futures.TimeoutError:
            raise RenderError(f"rendering the PDF took longer than {RENDER_SECONDS:g} s and was stopped.") from None
        except BrokenProcessPool:
            raise RenderError("rendering the PDF stopped unexpectedly; the build wrote nothing.") from None


class PdfPool:
    """``with PdfPool() as pool: job = pool.submit(html, source) … job.result()``: the workers
    start on entering and are stopped on leaving, whatever happened in between."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = max(1, min(workers, os.cpu_count() or 1))
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def __enter__(self) -> PdfPool:
        if "fork" in multiprocessing.get_all_start_methods():
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("fork"), initializer=_start
            )
            with forked.stop_signals_blocked():  # the workers are forked on the first submit
                self._pool.submit(_ready)
        return self

    def submit(self, html: str, source: tuple[str, bytes] | None) -> PooledPdf:
        future = self._pool.submit(_render, html, source) if self._pool is not None else None
        return PooledPdf(future, html, source)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kind is not None:
            # The build failed or was stopped: the PDFs in hand are not waited for.
            for process in list((pool._processes or {}).values()):
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)
