"""Which scripts a pack's text is written in: a pack carries a font for each (SPEC v1.2 §4b), so an
English pack that names a Japanese owner draws the name, not boxes."""

from __future__ import annotations

import re
from collections.abc import Iterator

# Kana, CJK ideographs, CJK punctuation and full-width forms: what a Latin font cannot draw.
_JAPANESE = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f]")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def has_japanese(*values: object) -> bool:
    """Whether any text in ``values`` (strings, or JSON-like data holding them) is Japanese."""
    return any(_JAPANESE.search(text) for text in _strings(list(values)))


def pack_languages(locale: str, *values: object) -> tuple[str, ...]:
    """The languages whose fonts a pack in ``locale`` holding ``values`` needs, its own first."""
    return (locale,) if locale == "ja" or not has_japanese(*values) else (locale, "ja")
