"""Loading the PDF engine, WeasyPrint, once and quickly.

WeasyPrint opens Pango, HarfBuzz and fontconfig through cffi, trying several names per
library (one list for Linux, macOS and Windows alike). For every name that is not a file,
cffi asks ``ctypes.util.find_library``, which on Linux starts ``ldconfig -p``, then ``gcc``
and ``ld``: 54 processes and about a quarter of a second per import on Debian
(Kozea/WeasyPrint#1125). While WeasyPrint imports, :func:`load` answers those questions from
one reading of the linker cache instead; the libraries opened are the same.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import gc
import io
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from types import ModuleType


def linker_cache() -> frozenset[str]:
    """The sonames in the dynamic linker's cache (``ldconfig -p``); empty where there is none."""
    ldconfig = shutil.which("ldconfig") or shutil.which("ldconfig", path="/sbin:/usr/sbin")
    if ldconfig is None:
        return frozenset()
    try:
        listing = subprocess.run(
            [ldconfig, "-p"], capture_output=True, text=True, env={"LC_ALL": "C"}, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # Lines read "\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0".
    return frozenset(line.split()[0] for line in listing.splitlines() if line.startswith(("\t", " ")) and line.split())


def find_in(sonames: frozenset[str]) -> Callable[[str], str | None]:
    """A ``find_library`` that looks ``name`` up among ``sonames`` as ``lib<name>.so[.N…]``."""

    def find_library(name: str) -> str | None:
        stem = f"lib{name}.so"
        found = [s for s in sonames if s == stem or s.startswith(stem + ".")]
        # The newest version: .so.10 after .so.9, which a text sort would put first.
        return max(found, key=lambda soname: _version(soname[len(stem) :]), default=None)

    return find_library


def _version(suffix: str) -> tuple[tuple[int, str], ...]:
    """``.1.2`` → ((1, ""), (2, "")); a part that is not a number sorts by its text, before
    any number, so an odd name loses to a numbered one instead of failing the lookup."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in suffix.split(".") if part)


@contextlib.contextmanager
def library_lookup(find_library: Callable[[str], str | None]) -> Iterator[None]:
    original = ctypes.util.find_library
    ctypes.util.find_library = find_library  # type: ignore[assignment]
    try:
        yield
    finally:
        ctypes.util.find_library = original


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block.

    WeasyPrint allocates millions of small, mostly long-lived objects (styles, boxes, layouts,
    and at import its stylesheets and C declarations); each full collection walks them all
    again. Measured on the 1,000-KPI pack: 29 s with the collector running, 22 s paused, for
    2 % more peak memory; importing WeasyPrint, 50 ms less. Reference counting still frees
    everything as usual; cycles wait until the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load() -> ModuleType:
    """The ``weasyprint`` module, imported with the quick library lookup where it works."""
    if "weasyprint" not in sys.modules:
        with gc_paused():
            _import()
    return sys.modules["weasyprint"]


def _import() -> None:
    sonames = linker_cache()
    if sonames:
        try:
            # On failure WeasyPrint prints installation help before raising; the retry below
            # prints it again if the libraries really are missing.
            with library_lookup(find_in(sonames)), contextlib.redirect_stdout(io.StringIO()):
                import weasyprint
            return
        except OSError:
            # A library outside the linker cache (LD_LIBRARY_PATH, say): Python has already
            # dropped the half-imported modules, so the ordinary lookup can start afresh.
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
    import weasyprint  # noqa: F401
