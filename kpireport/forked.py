"""How kpireport's helper processes (the PDF's renderer, a large sheet's reader) meet Ctrl-C
and SIGTERM: the build decides, and stops them; none prints a word.

Ctrl-C reaches the whole process group. A helper ignores it, and the build, interrupted,
stops its helpers; SIGTERM (a service manager stopping everything) ends a helper at once. The
signals are blocked while a helper is forked: it starts with the build's own handlers, which
raise an exception that multiprocessing would print, until it has set its own.
"""

from __future__ import annotations

import contextlib
import pickle
import signal
from collections.abc import Callable, Iterator

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextlib.contextmanager
def stop_signals_blocked() -> Iterator[None]:
    """Around the fork of a helper, in the build."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def as_helper() -> None:
    """First thing in a helper: its own handlers, then the signals that came while it was
    forked (if any), delivered to them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def transportable(exc: BaseException, instead: Callable[[str], BaseException]) -> BaseException:
    """``exc``, for the build to raise, if it survives pickling (kpireport's errors and
    KeyboardInterrupt do); else ``instead`` of a line saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return instead(f"{exc.__class__.__name__}: {exc}")
    return exc


def how_it_ended(exit_code: int | None) -> str:
    """A helper's end as a message says it: "signal 9", "exit code 1"."""
    return f"signal {-exit_code}" if exit_code is not None and exit_code < 0 else f"exit code {exit_code}"
