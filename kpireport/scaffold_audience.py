"""``kpireport init``'s part for packs per audience (SPEC v1.2 §2, §4b): each example KGI's and KPI's
name in the other language, the Translations sheet (the company, departments, owners, unit
labels and descriptions in both languages) and the Distribution sheet (with ``--example``: the CEO's pack, the
board's in the other language, and each department's owner with their department's pack).

Only the other language's name column is filled: the template's own is ``name``, so a team that
renames a KPI sees the new name in the pack of its own language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpireport.model import Locale

# A Japanese counter stands for several English words (件: leads, deals, renewals …): one
# English word serves them all.
GENERIC_UNITS_EN = {"件": "items"}
EXAMPLE_COMPANY = {"en": "Example Holdings Ltd.", "ja": "株式会社サンプル"}
MAX_ROWS = 200


def other_name(lang: Locale, names: Mapping[Locale, str]) -> dict[str, str]:
    """The row's ``name_en`` / ``name_ja``: the other language's name; the template's own stays
    empty (``name`` is that)."""
    return {"name_en": names["en"] if lang == "ja" else "", "name_ja": names["ja"] if lang == "en" else ""}


def translation_rows(
    lang: Locale,
    departments: Mapping[str, Mapping[str, str]],
    kgis: Iterable[Mapping[str, Any]],
    unit_labels: Iterable[Mapping[Locale, str]],
    company: str,
    descriptions: Iterable[Mapping[Locale, str]] = (),
) -> list[tuple[str, str, str]]:
    """(text as the template writes it, English, Japanese) for each text a pack in the other
    language must say otherwise."""
    pairs: list[tuple[str, str]] = []
    if company == EXAMPLE_COMPANY[lang]:
        pairs.append((EXAMPLE_COMPANY["en"], EXAMPLE_COMPANY["ja"]))
    for department in departments.values():
        pairs.append((department["en"], department["ja"]))
        pairs.append((department["owner_en"], department["owner_ja"]))
    for kgi in kgis:
        pairs.append((str(kgi["owner_en"]), str(kgi["owner_ja"])))
        pairs.append((str(kgi["unit_en"]), str(kgi["unit_ja"])))
    labels = list(unit_labels)
    if lang == "en":
        pairs.extend((label["en"], label["ja"]) for label in labels)
    else:
        english: dict[str, list[str]] = {}
        for label in labels:
            english.setdefault(label["ja"], []).append(label["en"])
        for ja, words in english.items():
            shared = GENERIC_UNITS_EN.get(ja, words[0]) if len(set(words)) > 1 else words[0]
            pairs.append((shared, ja))
    pairs.extend((text["en"], text["ja"]) for text in descriptions)
    rows: dict[str, tuple[str, str, str]] = {}
    for en, ja in pairs:
        text = en if lang == "en" else ja
        if en != ja and text not in rows:
            rows[text] = (text, en, ja)
    return list(rows.values())


def recipients(
    lang: Locale, departments: Sequence[str], details: Mapping[str, Mapping[str, str]]
) -> list[tuple[str, str, str, str, str]]:
    """(recipient, email, scope, lang, formats): the CEO, the board in the other language, and
    each department's owner."""
    other: str = "ja" if lang == "en" else "en"
    rows: list[tuple[str, str, str, str, str]] = [
        ("CEO" if lang == "en" else "代表取締役", "ceo@example.com", "all", lang, "pdf"),
        ("Board" if lang == "en" else "取締役会", "board@example.com", "all", other, "pdf,pptx"),
    ]
    for key in departments:
        department = details[key]
        rows.append((department[f"owner_{lang}"], department["email"], department[lang], lang, "pdf,html"))
    return rows


def write_rows(sheet: Worksheet, rows: Iterable[Sequence[str]]) -> None:
    for row in rows:
        sheet.append(list(row))


def add_language_choices(sheet: Worksheet, column: str) -> None:
    """A drop-down of the pack languages on the Distribution sheet's ``lang`` column."""
    validation = DataValidation(type="list", formula1='"en,ja"', allow_blank=True, showErrorMessage=True)
    sheet.add_data_validation(validation)
    validation.add(f"{column}2:{column}{MAX_ROWS}")
