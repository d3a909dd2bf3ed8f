"""A workbook as a pack in one language shows it (SPEC v1.2 §2, §4b), made before anything is
computed, so every figure is the same in every language and only the words differ.

A KGI's or KPI's name is its ``name_en`` / ``name_ja`` in that language, else the Translations
sheet's form of its name, else its name as written. The Translations sheet gives the other
workbook text its form in each language: the company, departments, units written as labels
(件, days), owners (names and titles) and descriptions. Comments, actions and the controller's
commentary stay as written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from kpireport.model import Kgi, Kpi, Locale, Workbook
from kpireport.schema import key_of

Translations = Mapping[str, Mapping[Locale, str]]

# The units kpireport formats itself; any other unit is a label shown as written.
_FORMATTED_UNITS = frozenset({"number", "currency", "percent", ""})


def translated(translations: Translations, text: str, lang: Locale) -> str:
    """``text`` in ``lang`` as the Translations sheet gives it; as written where it gives none."""
    if not translations or not text:
        return text
    forms = translations.get(key_of(text))
    return (forms.get(lang) if forms else None) or text


def name_in(item: Kpi | Kgi, lang: Locale, translations: Translations) -> str:
    """The name a pack in ``lang`` shows: ``name_<lang>``, else the translation of ``name``."""
    own = item.name_en if lang == "en" else item.name_ja
    return own or translated(translations, item.name, lang)


def localised(workbook: Workbook, lang: Locale) -> Workbook:
    """``workbook`` with its pack language ``lang`` and its names and labels in it."""
    settings = dataclasses.replace(workbook.settings, locale=lang)
    words = workbook.translations
    items: tuple[Kpi | Kgi, ...] = (*workbook.kpis, *workbook.kgis)
    named = any(item.name_en or item.name_ja for item in items)
    if not words and not named:
        return dataclasses.replace(workbook, settings=settings)

    def say(text: str) -> str:
        return translated(words, text, lang)

    def unit(text: str) -> str:
        return text if text in _FORMATTED_UNITS else say(text)

    kpis = tuple(
        dataclasses.replace(
            kpi,
            name=name_in(kpi, lang, words),
            department=say(kpi.department),
            unit=unit(kpi.unit),
            owner=say(kpi.owner),
            description=say(kpi.description),
        )
        for kpi in workbook.kpis
    )
    kgis = tuple(
        dataclasses.replace(kgi, name=name_in(kgi, lang, words), unit=unit(kgi.unit), owner=say(kgi.owner))
        for kgi in workbook.kgis
    )
    if words:
        settings = dataclasses.replace(settings, company=say(settings.company))
        comments = tuple(dataclasses.replace(c, owner=say(c.owner)) for c in workbook.comments)
        actions = (
            tuple(dataclasses.replace(a, owner=say(a.owner)) for a in workbook.actions)
            if workbook.actions is not None
            else None
        )
        return dataclasses.replace(
            workbook, settings=settings, kpis=kpis, kgis=kgis, comments=comments, actions=actions
        )
    return dataclasses.replace(workbook, settings=settings, kpis=kpis, kgis=kgis)
