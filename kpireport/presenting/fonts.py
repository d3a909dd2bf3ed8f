"""Which installed fonts can draw a pack, asked of fontconfig: the library Pango, and so
WeasyPrint, finds fonts with. A PDF whose language no installed font covers would show boxes
(tofu) where the text should be, so ``build`` asks before rendering (SPEC §6), and ``doctor``
shows the answer.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kpireport.errors import FontError
from kpireport.presenting import engine

# What to install where a language has no font (Debian's package names, as the README's
# set-up uses); a theme may also name an installed font that covers the language.
INSTALL_HINTS: dict[str, str] = {
    "en": "sudo apt-get install fonts-liberation2",
    "ja": "sudo apt-get install fonts-ipaexfont-gothic (or fonts-noto-cjk)",
}
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ja": "Japanese"}
_MATCH = 0  # FcResultMatch
_MATCH_PATTERN = 0  # FcMatchPattern


class _FontSet(ctypes.Structure):
    _fields_ = (("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p)))


@dataclass(frozen=True)
class Coverage:
    """The fonts that draw a language, and the one fontconfig picks for it."""

    lang: str
    families: tuple[str, ...]
    picked: str | None

    @property
    def ok(self) -> bool:
        return bool(self.families)


class Fontconfig:
    """The few fontconfig calls kpireport needs, through ctypes (WeasyPrint's own bindings do
    not declare listing or matching)."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self._lib = lib = library
        pointer = ctypes.c_void_p
        lib.FcInit.restype = ctypes.c_int
        lib.FcNameParse.argtypes = (ctypes.c_char_p,)
        lib.FcNameParse.restype = pointer
        lib.FcPatternCreate.restype = pointer
        lib.FcPatternAddString.argtypes = (pointer, ctypes.c_char_p, ctypes.c_char_p)
        lib.FcPatternDestroy.argtypes = (pointer,)
        lib.FcObjectSetCreate.restype = pointer
        lib.FcObjectSetAdd.argtypes = (pointer, ctypes.c_char_p)
        lib.FcObjectSetDestroy.argtypes = (pointer,)
        lib.FcFontList.argtypes = (pointer, pointer, pointer)
        lib.FcFontList.restype = ctypes.POINTER(_FontSet)
        lib.FcFontSetDestroy.argtypes = (ctypes.POINTER(_FontSet),)
        lib.FcPatternGetString.argtypes = (pointer, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p))
        lib.FcConfigSubstitute.argtypes = (pointer, pointer, ctypes.c_int)
        lib.FcDefaultSubstitute.argtypes = (pointer,)
        lib.FcFontMatch.argtypes = (pointer, pointer, ctypes.POINTER(ctypes.c_int))
        lib.FcFontMatch.restype = pointer
        lib.FcInit()

    @contextmanager
    def _pattern(self, *, lang: str | None = None, family: str | None = None) -> Iterator[int]:
        lib = self._lib
        # A language goes through the name parser, which makes it a language set; a family is
        # added as a plain string, so no character of it is read as name syntax.
        pattern = lib.FcNameParse(f":lang={lang}".encode()) if lang else lib.FcPatternCreate()
        if family:
            lib.FcPatternAddString(pattern, b"family", family.encode())
        try:
            yield pattern
        finally:
            lib.FcPatternDestroy(pattern)

    def _family(self, pattern: int) -> str | None:
        value = ctypes.c_char_p()
        if self._lib.FcPatternGetString(pattern, b"family", 0, ctypes.byref(value)) != _MATCH or not value.value:
            return None
        return value.value.decode("utf-8", "replace")

    def families(self, *, lang: str | None = None, family: str | None = None) -> tuple[str, ...]:
        """The installed font families that match (each once, in fontconfig's order)."""
        lib = self._lib
        objects = lib.FcObjectSetCreate()
        lib.FcObjectSetAdd(objects, b"family")
        try:
            with self._pattern(lang=lang, family=family) as pattern:
                found = lib.FcFontList(None, pattern, objects)
        finally:
            lib.FcObjectSetDestroy(objects)
        if not found:
            return ()
        try:
            names = (self._family(found.contents.fonts[i]) for i in range(found.contents.nfont))
            return tuple(dict.fromkeys(name for name in names if name))
        finally:
            lib.FcFontSetDestroy(found)

    def best(self, lang: str) -> str | None:
        """The family fontconfig substitutes for text in ``lang`` (what Pango falls back to)."""
        lib = self._lib
        with self._pattern(lang=lang) as pattern:
            lib.FcConfigSubstitute(None, pattern, _MATCH_PATTERN)
            lib.FcDefaultSubstitute(pattern)
            result = ctypes.c_int()
            match = lib.FcFontMatch(None, pattern, ctypes.byref(result))
        if not match:
            return None
        try:
            return self._family(match)
        finally:
            lib.FcPatternDestroy(match)

    def coverage(self, lang: str) -> Coverage:
        return Coverage(lang, self.families(lang=lang), self.best(lang))


@functools.cache
def fontconfig() -> Fontconfig | None:
    """The fontconfig library, or None where it is not installed (then WeasyPrint cannot run
    either, and says so itself)."""
    name = engine.find_in(engine.linker_cache())("fontconfig") or ctypes.util.find_library("fontconfig")
    if name is None:
        return None
    try:
        return Fontconfig(ctypes.CDLL(name))
    except (OSError, AttributeError):
        return None


def require_fonts(lang: str, family: str | None = None) -> None:
    """Raise :class:`FontError` unless an installed font draws ``lang`` and the theme's
    ``family``, if it names one, is installed."""
    fc = fontconfig()
    if fc is None:
        return
    if family and not fc.families(family=family):
        raise FontError(
            f"the theme's [font] family {family!r} is not installed, so the PDF would use another font. "
            "Install it, or name an installed font (run kpireport doctor to see the fonts found)."
        )
    if not fc.families(lang=lang):
        raise FontError(
            f"no installed font can draw {LANGUAGE_NAMES.get(lang, lang)} text, so the PDF would show boxes "
            f"instead of it; nothing was written. Install one: {INSTALL_HINTS.get(lang, 'a font for ' + lang)}; "
            "kpireport doctor shows the fonts found."
        )
