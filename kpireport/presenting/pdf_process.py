"""The PDF rendered in a process of its own, started before the workbook is read.

Rendering is most of a build, and starting the engine (importing WeasyPrint, opening Pango and
fontconfig) is a good part of the rest. In a process of its own the engine starts while the
workbook is read and the report computed, and the PDF is laid out while the other formats (the
interactive HTML, the JSON, the deck) are made: on the 2-core machines our users run, a build
takes the longest of the two paths rather than their sum. A renderer that crashes natively
(Pango, HarfBuzz) or is killed ends in a message, not in the death of the build.

Where processes cannot be forked, the PDF is rendered in this process as before.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from kpireport import forked
from kpireport.errors import RenderError
from kpireport.presenting import engine, pack_html

# A 1,000-KPI pack renders in about a minute here; past this something is wrong.
RENDER_SECONDS = 300.0


def _too_long(seconds: float) -> RenderError:
    return RenderError(f"rendering the PDF took longer than {seconds:g} s and was stopped.")


@contextlib.contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise RenderError when the block runs longer than ``seconds`` (main thread only:
    signals cannot interrupt other threads). For rendering in the build's own process only:
    the exception may land anywhere, even inside a library holding a lock, which is harmless
    only because the build then ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _too_long(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Forward(logging.Handler):
    """Sends the renderer's log records (WeasyPrint's warnings) to the build, which logs them
    as if rendered there."""

    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self.connection = connection

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError):  # the build is gone: no one to tell
            self.connection.send(("log", record.name, record.levelno, record.getMessage()))


def _serve(connection: Connection, builds_end: Connection) -> None:
    # The fork copied the build's end of the pipe too: closed here, the pipe ends (EOF) when
    # the build's own copy closes, however the build ended.
    builds_end.close()
    forked.as_helper()
    weasyprint_log = logging.getLogger("weasyprint")
    weasyprint_log.handlers = [_Forward(connection)]
    weasyprint_log.propagate = False
    try:
        engine.load()
    except BaseException as exc:
        failure: BaseException | None = exc
    else:
        failure = None
    # A build that ended, however it ended, closes its end: this process then just stops.
    with contextlib.suppress(EOFError, OSError):
        request = connection.recv()
        if request is None:
            return
        html, source = request
        try:
            if failure is not None:
                raise failure
            reply: tuple[str, object] = ("pdf", pack_html.render_pdf(html, source=source))
        except BaseException as exc:
            reply = ("raise", transportable(exc))
        connection.send(reply)


def transportable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RenderError saying what it was."""
    return forked.transportable(exc, lambda what: RenderError(f"rendering the PDF failed: {what}"))


class PdfProcess:
    """``with PdfProcess() as renderer: … renderer.submit(html, source) … renderer.result()``:
    the process starts on entering and is stopped on leaving, whatever happened in between;
    between ``submit`` and ``result`` the build does its other work."""

    def __init__(self) -> None:
        self._process: Any = None
        self._connection: Connection | None = None
        self._request: tuple[str, tuple[str, bytes] | None] | None = None
        self._deadline = 0.0

    def __enter__(self) -> PdfProcess:
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            ours, theirs = context.Pipe()
            self._process = context.Process(target=_serve, args=(theirs, ours), name="kpireport-pdf")
            with forked.stop_signals_blocked():
                self._process.start()
            theirs.close()
            self._connection = ours
        return self

    def submit(self, html: str, source: tuple[str, bytes] | None) -> None:
        """Start rendering ``html``; ``source`` (name, bytes) makes it an audited PDF/A-3b."""
        self._request = (html, source)
        self._deadline = time.monotonic() + RENDER_SECONDS
        if self._connection is not None:
            self._connection.send(self._request)

    def result(self) -> bytes:
        """The PDF of what was submitted, once it is rendered; its failure, raised here."""
        assert self._request is not None, "submit() first"
        if self._connection is None:
            html, source = self._request
            with time_bound(RENDER_SECONDS):
                return pack_html.render_pdf(html, source=source)
        connection, self._connection = self._connection, None
        try:
            while True:
                # The deadline is kept here, not by a signal in the renderer: stopping a process
                # from outside cannot leave a lock of this one held.
                if not connection.poll(max(self._deadline - time.monotonic(), 0)):
                    raise _too_long(RENDER_SECONDS)  # leaving the block stops the renderer
                kind, *payload = connection.recv()
                if kind == "log":
                    name, level, text = payload
                    log = logging.getLogger(name)
                    # Where no one listens, silence, as WeasyPrint's own NullHandler keeps it in
                    # the renderer (Python's last-resort handler would print it here).
                    if log.hasHandlers():
                        log.log(level, "%s", text)
                elif kind == "pdf":
                    pdf: bytes = payload[0]
                    return pdf
                else:
                    raise payload[0]
        except (EOFError, OSError):
            self._process.join(timeout=5)  # it has closed its end: it is ending
            code = self._process.exitcode
            why = forked.how_it_ended(code) if code is not None and code < 0 else "it ended without a PDF"
            raise RenderError(f"rendering the PDF stopped unexpectedly ({why}); the build wrote nothing.") from None
        finally:
            connection.close()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.send(None)  # no PDF after all (the workbook failed, say)
            self._connection.close()
            self._connection = None
        if self._process is not None:
            self._process.join(timeout=0.5 if kind is None else 0)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process.close()
            self._process = None
