"""Packs per audience (SPEC v1.2 §4b): which packs ``build --split`` makes, and the report one of
them shows.

A scoped report is the full report filtered after it was computed, so every figure in it is the
full pack's: all the company's KGIs with their bridges, then only the scope's KPIs (its
departments' KPIs and its KGIs' KPIs: those that name the KGI, the one that measures it and the
drivers of its formula) with what belongs to them: paces, quarterly rows, findings, changes,
comments, the controller's words and actions. What is about the whole workbook (a skipped total,
a missing perspective) or about a goal stays; what is about another department's KPI, or about
another department (FOCUS, MIX), goes. The commentary is then drafted from the scoped report, so
each figure it states is a field of the scoped pack's own JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from kpireport.computing.facts import Text
from kpireport.computing.findings import Finding
from kpireport.computing.language import translated
from kpireport.computing.report import Report
from kpireport.model import KEY_MESSAGES, Locale, Recipient, Scope, Workbook


@dataclass(frozen=True)
class Audience:
    """One pack of ``build --split``: a scope in a language, and who receives it."""

    scope: Scope
    lang: Locale
    recipients: tuple[Recipient, ...]

    @property
    def formats(self) -> tuple[str, ...]:
        """What its recipients asked for, each once."""
        return tuple(dict.fromkeys(f for r in self.recipients for f in r.formats))


def audiences(recipients: Sequence[Recipient], default_lang: Locale) -> list[Audience]:
    """One audience per distinct (scope, language), in the order they first appear; a row
    without a language takes ``default_lang``, the full pack's."""
    found: dict[tuple[object, Locale], list[Recipient]] = {}
    scopes: dict[tuple[object, Locale], Scope] = {}
    for recipient in recipients:
        key = (recipient.scope.key, recipient.lang or default_lang)
        found.setdefault(key, []).append(recipient)
        scopes.setdefault(key, recipient.scope)
    return [Audience(scopes[key], key[1], tuple(listed)) for key, listed in found.items()]


def scope_kpis(workbook: Workbook, scope: Scope) -> frozenset[str]:
    """The KPI ids ``scope`` covers: its departments' KPIs (departments as written on the KPI
    sheet), and for each of its KGIs the KPIs that name it, its measuring KPI and its drivers."""
    if scope.everything:
        return frozenset(k.id for k in workbook.kpis)
    ids = {k.id for k in workbook.kpis if k.department in scope.departments}
    for kgi in workbook.kgis:
        if kgi.id not in scope.kgis:
            continue
        ids.update(k.id for k in workbook.kpis if k.kgi == kgi.id)
        if kgi.measured_by:
            ids.add(kgi.measured_by)
        if kgi.formula is not None:
            ids.update(kgi.formula.kpis)
    return frozenset(ids)


def scope_departments(scope: Scope, workbook: Workbook) -> frozenset[str]:
    """The scope's departments as a pack in ``workbook``'s language names them."""
    lang = workbook.settings.locale
    return frozenset(translated(workbook.translations, d, lang) for d in scope.departments)


def _keeps(finding: Finding, kpis: frozenset[str], departments: frozenset[str]) -> bool:
    if finding.kpi is not None:
        return finding.kpi in kpis
    department = finding.fact("department")
    if isinstance(department, Text) and finding.kgi is None:
        return department.value in departments
    return True  # about a goal, or about the whole workbook


def scoped(report: Report, scope: Scope, kpis: frozenset[str]) -> Report:
    """``report`` as the pack of ``scope`` shows it; ``kpis`` from :func:`scope_kpis` of the
    workbook as read (its departments as written)."""
    if scope.everything:
        return dataclasses.replace(report, scope=scope)
    departments = scope_departments(scope, report.workbook)
    workbook = report.workbook
    goals = {k.id for k in workbook.kgis} - {k.id for k in workbook.kpis}

    def in_pack(target: str) -> bool:
        """A subject the pack holds: one of its KPIs, or a goal (an id that names a KPI too is
        the KPI's, as the Actions sheet reads it)."""
        return target in kpis or target in goals

    changes = report.changes
    if changes is not None:
        changes = dataclasses.replace(
            changes,
            values=tuple(c for c in changes.values if c.kpi in kpis),
            added=tuple(k for k in changes.added if k in kpis),
            removed=(),
            removed_names={},
        )
    shown = dataclasses.replace(
        workbook,
        comments=tuple(c for c in workbook.comments if c.kpi in kpis),
        commentary=tuple(row for row in workbook.commentary if row.subject == KEY_MESSAGES or in_pack(row.subject)),
        actions=(tuple(a for a in workbook.actions if in_pack(a.target)) if workbook.actions is not None else None),
    )
    return dataclasses.replace(
        report,
        workbook=shown,
        kpis=tuple(r for r in report.kpis if r.kpi.id in kpis),
        findings=tuple(f for f in report.findings if _keeps(f, kpis, departments)),
        kpi_paces={kpi: pace for kpi, pace in report.kpi_paces.items() if kpi in kpis},
        quarterly=(
            tuple(q for q in report.quarterly if q.result.kpi.id in kpis) if report.quarterly is not None else None
        ),
        changes=changes,
        actions=tuple(a for a in report.actions if in_pack(a.action.target)),
        scope=scope,
    )
