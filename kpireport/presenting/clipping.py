"""Workbook text as the pack lays it out: clipped to a bound and fit for XML.

What the pack lays out is bounded (a 100,000-character name would take the PDF renderer
minutes) and fit for every renderer; the JSON's fields keep the text whole.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from kpireport.computing.findings import MAX_NAME_CHARS
from kpireport.computing.report import Report
from kpireport.model import Action, Kpi

MAX_TEXT_CHARS = 2_000


# Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates,
# U+FFFE/U+FFFF). Excel writes them as _xHHHH_ and calamine reads them back; the HTML, the
# deck and the metrics workbook are XML, and their writers refuse them (openpyxl and lxml raise).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Workbook text as an XML document can hold it: each character XML forbids becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_width(char: str) -> int:
    """How many columns ``char`` takes: two for a wide (East Asian) character, one otherwise."""
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def clip_width(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` (a wide character counts two) with an ellipsis. A title is
    cut here, not by the stylesheet: CSS's ``text-overflow`` hides the rest of the text but
    leaves it in the PDF's text layer, where a search and a screen reader read it through the
    ellipsis."""
    if sum(map(text_width, text)) <= columns:
        return text
    used, kept = 0, 0
    # One column is the ellipsis's.
    while used + text_width(text[kept]) <= columns - 1:
        used += text_width(text[kept])
        kept += 1
    return text[:kept].rstrip() + "…"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, and XML-safe: what the pack lays
    out is bounded (a 100,000-character name would take the PDF renderer minutes) and fit for
    every renderer; the JSON keeps it whole. Only what can be shown is made safe: one character
    past the limit says whether the text is cut (a 50 MB name took half a second a field)."""
    return shorten(xml_safe(text[: limit + 1]), limit)


def displayed(report: Report) -> Report:
    """The report with every workbook text the pack lays out clipped (SMART-S names the
    cells of names that were)."""
    workbook = report.workbook

    def kpi(item: Kpi) -> Kpi:
        return dataclasses.replace(
            item,
            name=clip(item.name, MAX_NAME_CHARS),
            department=clip(item.department, MAX_NAME_CHARS),
            owner=clip(item.owner, MAX_NAME_CHARS),
            description=clip(item.description, MAX_TEXT_CHARS),
        )

    kpis = tuple(dataclasses.replace(r, kpi=kpi(r.kpi)) for r in report.kpis)
    clipped = {id(before): after for before, after in zip(report.kpis, kpis, strict=True)}
    # The workbook's KPI definitions too, where a pack per audience shows one it does not hold
    # (a driver in a goal's bridge); the full pack's are its results' own.
    defined = {r.kpi.id: r.kpi for r in kpis}
    all_kpis = tuple(defined.get(k.id) or kpi(k) for k in workbook.kpis)
    kgis = tuple(
        dataclasses.replace(k, kgi=dataclasses.replace(k.kgi, name=clip(k.kgi.name, MAX_NAME_CHARS)))
        for k in report.kgis
    )
    comments = tuple(
        dataclasses.replace(
            c,
            comment=clip(c.comment, MAX_TEXT_CHARS),
            action=clip(c.action, MAX_TEXT_CHARS),
            owner=clip(c.owner, MAX_NAME_CHARS),
        )
        for c in workbook.comments
    )

    def action(item: Action) -> Action:
        return dataclasses.replace(
            item,
            action=clip(item.action, MAX_TEXT_CHARS),
            owner=clip(item.owner, MAX_NAME_CHARS),
            id=clip(item.id, MAX_NAME_CHARS),
        )

    actions = tuple(dataclasses.replace(r, action=action(r.action)) for r in report.actions)
    settings = dataclasses.replace(workbook.settings, company=clip(workbook.settings.company, MAX_NAME_CHARS))
    quarterly = (
        tuple(dataclasses.replace(q, result=clipped[id(q.result)]) for q in report.quarterly)
        if report.quarterly is not None
        else None
    )
    return dataclasses.replace(
        report,
        workbook=dataclasses.replace(workbook, settings=settings, comments=comments, kpis=all_kpis),
        kpis=kpis,
        kgis=kgis,
        quarterly=quarterly,
        actions=actions,
    )
