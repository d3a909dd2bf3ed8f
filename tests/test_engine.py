"""WeasyPrint loads with the same libraries, without spawning a compiler to find them."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import textwrap

import pytest

from kpireport.presenting import engine

# The libraries WeasyPrint opens on Linux, by the stems its name lists try.
WEASYPRINT_LIBRARIES = ["gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0"]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("stem", WEASYPRINT_LIBRARIES)
def test_the_linker_cache_finds_what_ctypes_finds(stem: str) -> None:
    assert engine.find_in(engine.linker_cache())(stem) == ctypes.util.find_library(stem)


def test_lookup_takes_the_versioned_soname_and_only_whole_stems() -> None:
    find = engine.find_in(frozenset({"libfoo.so", "libfoo.so.1", "libfoobar.so.2", "libbar-1.0.so.0"}))
    assert find("foo") == "libfoo.so.1"
    assert find("bar-1.0") == "libbar-1.0.so.0"
    assert find("fo") is None
    assert find("libfoo-1") is None  # a Windows-style name WeasyPrint also tries


def test_lookup_compares_versions_as_numbers() -> None:
    find = engine.find_in(frozenset({"libz.so.9", "libz.so.10", "libz.so.1.2.13", "libz.so.odd"}))
    assert find("z") == "libz.so.10"  # a text sort would pick .so.9
    assert engine.find_in(frozenset({"liby.so.odd", "liby.so.2"}))("y") == "liby.so.2"


def test_loading_spawns_one_process_instead_of_dozens() -> None:
    result = run_python(
        """
        import subprocess
        spawned = []
        original = subprocess.Popen.__init__
        def counting(self, args, *rest, **options):
            spawned.append(args[0])
            original(self, args, *rest, **options)
        subprocess.Popen.__init__ = counting
        from kpireport.presenting import engine
        weasyprint = engine.load()
        print(weasyprint.__name__, spawned)
        """
    )
    assert result.returncode == 0, result.stderr
    name, spawned = result.stdout.split(" ", 1)
    assert name == "weasyprint"
    assert spawned.count(",") == 0 and "ldconfig" in spawned  # ldconfig, once; no gcc, no ld


def test_a_library_outside_the_cache_falls_back_to_the_usual_lookup() -> None:
    result = run_python(
        """
        from kpireport.presenting import engine
        engine.linker_cache = lambda: frozenset({"libunrelated.so.1"})
        weasyprint = engine.load()
        print(weasyprint.HTML.__name__)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "HTML\n"  # and none of WeasyPrint's installation help on stdout


def test_the_usual_lookup_is_restored_even_after_a_failure() -> None:
    before = ctypes.util.find_library
    with pytest.raises(OSError), engine.library_lookup(lambda name: None):
        assert ctypes.util.find_library("c") is None
        raise OSError("no such library")
    assert ctypes.util.find_library is before


def test_the_collector_is_paused_while_loading_and_rendering_and_restored_after() -> None:
    import gc

    assert gc.isenabled()
    with engine.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with engine.gc_paused():
            pass
        assert not gc.isenabled()  # a caller who had paused it keeps it paused
    finally:
        gc.enable()
