"""The Translations and Distribution sheets (SPEC v1.2 §4b), read with the rigour of every sheet:
a repeated text, an empty scope, an unknown department or KGI id, a bad address, language or
format each name their cell.

Each distinct scope gets its slug here, where the order of first appearance is known: the scope
as typed where it is ASCII (``Sales, HR`` → ``sales-hr``), else ``scope1``, ``scope2`` … in the
order such scopes first appear; ``all`` for every KPI.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from kpireport.addresses import address_problem
from kpireport.model import Kgi, Kpi, Locale, Recipient, Scope
from kpireport.reading.tables import Problems, Table, find_table
from kpireport.reading.xlsx import Grid
from kpireport.schema import (
    DEFAULT_DISTRIBUTION_FORMATS,
    DISTRIBUTION_COLUMNS,
    DISTRIBUTION_REQUIRED,
    FORMAT_NAMES,
    LOCALES,
    SCOPE_ALL,
    SCOPE_SEPARATORS,
    TRANSLATION_COLUMNS,
    TRANSLATION_REQUIRED,
    key_of,
)

MAX_SLUG_CHARS = 60
_SEPARATORS = re.compile("|".join(re.escape(s) for s in SCOPE_SEPARATORS))
# A slug must not read as a month, or a pack's file name could be read as another's.
_MONTH_LIKE = re.compile(r"(^|-)\d{4}-\d{2}(-|$)")


def read_translations(grid: Grid, problems: Problems) -> dict[str, dict[Locale, str]]:
    """Each text (compared as sheet and column names are) → its form in each language given."""
    table = find_table(grid, TRANSLATION_COLUMNS, TRANSLATION_REQUIRED, problems)
    if table is None:
        return {}
    found: dict[str, dict[Locale, str]] = {}
    first: dict[str, str] = {}
    for row in table.rows():
        text = table.text(row, "text")
        forms: dict[Locale, str] = {lang: form for lang in ("en", "ja") if (form := table.text(row, lang))}
        ref = table.ref(row, "text")
        if not text:
            if forms:
                problems.error("this translation has no text to translate; type the workbook's text.", ref)
            continue
        key = key_of(text)
        if key in found:
            problems.error(f"{text!r} is translated twice (first at {first[key]}); keep one row.", ref)
            continue
        first[key] = str(ref)
        found[key] = forms
    return found


def read_distribution(
    grid: Grid,
    problems: Problems,
    kpis: Sequence[Kpi],
    kgis: Sequence[Kgi],
    translations: Mapping[str, Mapping[Locale, str]],
) -> list[Recipient]:
    """Every row of the Distribution sheet, its scope resolved against the KPI and KGI sheets."""
    table = find_table(grid, DISTRIBUTION_COLUMNS, DISTRIBUTION_REQUIRED, problems)
    if table is None:
        return []
    scopes = _Scopes(kpis, kgis, translations)
    recipients = []
    for row in table.rows():
        recipient = _recipient(table, row, scopes, problems)
        if recipient is not None:
            recipients.append(recipient)
    return recipients


def _recipient(table: Table, row: int, scopes: _Scopes, problems: Problems) -> Recipient | None:
    email = table.text(row, "email")
    email_ref = table.ref(row, "email")
    problem = "it is empty" if not email else address_problem(email)
    if problem:
        shown = f"{email!r} is not an e-mail address ({problem})" if email else "the e-mail address is empty"
        problems.error(f"{shown}; type a bare address such as cfo@example.com.", email_ref)
    scope = scopes.read(table.text(row, "scope"), table, row, problems)
    lang_text = table.text(row, "lang")
    lang = LOCALES.get(key_of(lang_text)) if lang_text else None
    if lang_text and lang is None:
        problems.error(
            f"{lang_text!r} is not a pack language; type en or ja, or clear the cell.", table.ref(row, "lang")
        )
    formats = _formats(table, row, problems)
    if problem or scope is None or (lang_text and lang is None) or formats is None:
        return None
    name = table.text(row, "recipient") or email
    return Recipient(name, email, scope, lang, formats, email_ref)


def _formats(table: Table, row: int, problems: Problems) -> tuple[str, ...] | None:
    text = table.text(row, "formats")
    chosen = [part.strip().lower() for part in _SEPARATORS.split(key_of(text)) if part.strip()]
    unknown = [name for name in chosen if name not in FORMAT_NAMES]
    if unknown:
        problems.error(
            f"{unknown[0]!r} is not a pack format; type some of {', '.join(FORMAT_NAMES)}, comma-separated "
            "(empty: pdf).",
            table.ref(row, "formats"),
        )
        return None
    return tuple(name for name in FORMAT_NAMES if name in chosen) or DEFAULT_DISTRIBUTION_FORMATS


class _Scopes:
    """Scopes as typed → resolved, each distinct one made once, with its slug."""

    def __init__(self, kpis: Sequence[Kpi], kgis: Sequence[Kgi], translations: Mapping[str, Mapping[Locale, str]]):
        self.departments: dict[str, str] = {}
        for kpi in kpis:
            for spelling in (kpi.department, *translations.get(key_of(kpi.department), {}).values()):
                self.departments.setdefault(key_of(spelling), kpi.department)
        self.kgis = {key_of(k.id): k.id for k in kgis}
        self.known = [*dict.fromkeys(k.department for k in kpis), *(k.id for k in kgis)]
        self.made: dict[tuple[bool, frozenset[str], frozenset[str]], Scope] = {}
        self.numbered = 0

    def read(self, text: str, table: Table, row: int, problems: Problems) -> Scope | None:
        ref = table.ref(row, "scope")
        parts = [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
        if not parts:
            problems.error("the scope is empty; type all, or department names and KGI ids separated by commas.", ref)
            return None
        names: list[str] = []
        everything = False
        for part in parts:
            key = key_of(part)
            if key in SCOPE_ALL:
                everything = True
            elif key in self.kgis or key in self.departments:
                names.append(self.kgis.get(key) or self.departments[key])
            else:
                problems.error(
                    f"{part!r} is not a department on the KPI sheet nor a KGI id; type one of "
                    f"{_listed(self.known)}, or all.",
                    ref,
                )
                return None
        kgi_ids = frozenset(n for n in names if n in self.kgis.values())
        departments = frozenset(n for n in names if n not in kgi_ids)
        scope_key: tuple[bool, frozenset[str], frozenset[str]] = (
            (True, frozenset(), frozenset()) if everything else (False, departments, kgi_ids)
        )
        if scope_key not in self.made:
            ordered = () if everything else tuple(dict.fromkeys(names))
            slug = self._slug(text, everything)
            self.made[scope_key] = Scope(text, everything, scope_key[1], scope_key[2], ordered, slug)
        return self.made[scope_key]

    def _slug(self, text: str, everything: bool) -> str:
        if everything:
            return "all"
        # Full-width letters and the Japanese commas count as the ASCII they stand for.
        plain = _SEPARATORS.sub(",", unicodedata.normalize("NFKC", text))
        slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") if plain.isascii() else ""
        taken = {scope.slug for scope in self.made.values()} | {"all"}
        if slug and slug not in taken and len(slug) <= MAX_SLUG_CHARS and not _MONTH_LIKE.search(slug):
            return slug
        while True:
            self.numbered += 1
            if (numbered := f"scope{self.numbered}") not in taken:
                return numbered


def _listed(names: Iterable[str], limit: int = 12) -> str:
    shown = list(names)
    more = f" … ({len(shown) - limit} more)" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more
