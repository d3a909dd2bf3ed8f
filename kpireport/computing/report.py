"""One report: the workbook's metrics and findings for one month."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kpireport.computing.changes import Changes
from kpireport.computing.drivers import (
    MAX_BRIDGE_MIXES,
    DriverAnalysis,
    analyse,
    bridge_mixes,
    bridge_span,
    formula_series,
    kgi_months,
)
from kpireport.computing.findings import Finding, by_severity, restated, review
from kpireport.computing.goals import KgiResult, evaluate_kgi, goal_start
from kpireport.computing.metrics import (
    KpiResult,
    Pace,
    QuarterRow,
    closes_quarter,
    evaluate_kpi,
    kpi_pace,
    quarter_row,
)
from kpireport.errors import KpiReportError, WorkbookError
from kpireport.model import Comment, Kgi, Kpi, Month, Scope, Workbook

if TYPE_CHECKING:
    from kpireport.computing.actions import ActionResult


@dataclass(frozen=True)
class Report:
    workbook: Workbook
    month: Month
    kpis: tuple[KpiResult, ...]
    kgis: tuple[KgiResult, ...]
    findings: tuple[Finding, ...]
    kpi_paces: dict[str, Pace | None]
    kgi_paces: dict[str, Pace | None]
    quarterly: tuple[QuarterRow, ...] | None = None
    """The quarterly review, when the month closes a fiscal quarter or it was asked for."""
    drivers: Mapping[str, DriverAnalysis] = field(default_factory=dict)
    """KGI id → its driver tree's implied value and bridge, for each KGI with a formula."""
    changes: Changes | None = None
    """What changed since the previous pack (SPEC §7), when there is one."""
    actions: tuple[ActionResult, ...] = ()
    """The Actions sheet judged in the month (SPEC §3c)."""
    scope: Scope | None = None
    """The audience's scope of a pack per audience (SPEC §4b); None for the full pack."""

    def comments_for(self, kpi_id: str) -> list[Comment]:
        return [c for c in self.workbook.comments if c.kpi == kpi_id and c.month == self.month]


def choose_month(workbook: Workbook, requested: Month | None, *, design_review: bool = False) -> Month:
    """--month, else Settings' report_month, else the latest month with any actual.

    A design review (``check``) also works before any actual exists: it reviews the plan from
    the workbook's first month (today's, for a workbook with no month at all)."""
    settings = workbook.settings
    month = requested or settings.report_month or workbook.latest_actual_month()
    if month is None and design_review:
        return workbook.months[0] if workbook.months else Month.of(dt.date.today())
    if month is None:
        raise WorkbookError(
            "there is no actual yet, so there is no month to report on. Type the month's actuals, "
            "or set report_month on the Settings sheet.",
            sheet="Actuals",
        )
    if workbook.months and month not in workbook.months:
        covers = f"the workbook's months run from {workbook.months[0]} to {workbook.months[-1]}"
        if requested is None and settings.report_month_source is not None:
            source = settings.report_month_source
            raise WorkbookError(
                f"report_month {month} is not a month of this workbook ({covers}); type one of those "
                "months, or clear the cell to report on the latest month with an actual.",
                sheet=source.sheet,
                cell=source.cell,
            )
        raise KpiReportError(f"--month {month} is not a month of this workbook ({covers}); choose one of those months.")
    return month


def build_report(
    workbook: Workbook,
    requested_month: Month | None = None,
    *,
    quarterly: bool = False,
    design_review: bool = False,
) -> Report:
    month = choose_month(workbook, requested_month, design_review=design_review)
    settings = workbook.settings
    kpis = tuple(
        evaluate_kpi(
            kpi,
            workbook.target_series(kpi.id),
            workbook.actual_series(kpi.id),
            settings,
            month,
            workbook.forecast_series(kpi.id),
        )
        for kpi in workbook.kpis
    )
    by_id = {kpi.id: kpi for kpi in workbook.kpis}
    kgis = tuple(_goal(kgi, by_id.get(kgi.measured_by or ""), workbook, month) for kgi in workbook.kgis)
    _check_bridge_work(kgis, workbook, month)
    drivers = {
        k.kgi.id: analyse(
            k.kgi,
            k.kgi.formula,
            goal_start(k.kgi, settings, month),
            k.as_of or month,
            workbook.targets,
            workbook.actuals,
            k.direction,
        )
        for k in kgis
        if k.kgi.formula is not None
    }
    quarter = None
    if quarterly or closes_quarter(settings, month):
        quarter = tuple(
            quarter_row(r, workbook.target_series(r.kpi.id), workbook.actual_series(r.kpi.id), settings, month)
            for r in kpis
        )
    found = review(workbook, month, kpis, kgis, drivers)
    actions: tuple[ActionResult, ...] = ()
    if workbook.actions is not None:
        # Imported only for a workbook that tracks actions: the rest never pay for it.
        from kpireport.computing.actions import action_findings, evaluate_actions

        actions = evaluate_actions(workbook, month)
        found = [*found, *action_findings(workbook, month, actions, kpis, kgis)]
    return Report(
        workbook=workbook,
        month=month,
        kpis=kpis,
        kgis=kgis,
        findings=tuple(by_severity(found)),
        kpi_paces={r.kpi.id: kpi_pace(r, workbook.target_series(r.kpi.id), settings, month) for r in kpis},
        kgi_paces={k.kgi.id: k.pace for k in kgis},
        quarterly=quarter,
        drivers=drivers,
        actions=actions,
    )


def _check_bridge_work(kgis: Sequence[KgiResult], workbook: Workbook, month: Month) -> None:
    """Refuse, before any is done, bridges that would take minutes: the KGI whose formula
    takes the count past MAX_BRIDGE_MIXES is named, at its formula's cell."""
    total = 0
    for result in kgis:
        kgi, formula = result.kgi, result.kgi.formula
        if formula is None:
            continue
        span = bridge_span(goal_start(kgi, workbook.settings, month), result.as_of or month)
        mixes = bridge_mixes(formula, workbook.targets, workbook.actuals, span)
        total += mixes
        if total > MAX_BRIDGE_MIXES:
            where = kgi.formula_source or kgi.source
            n = len(formula.kpis)
            raise WorkbookError(
                f"the driver bridges of the KGIs up to {kgi.id} evaluate their formulas {total:,} times (each "
                f"once for every mix of its KPIs' targets and actuals: 2^{n} = {1 << n:,} a month for this one's "
                f"{n} KPIs, over {mixes >> n} months); kpireport evaluates at most {MAX_BRIDGE_MIXES:,}. Give "
                "fewer KGIs a formula, or their formulas fewer KPIs.",
                sheet=where.sheet if where else "KGI",
                cell=where.cell if where else None,
            )


def _goal(kgi: Kgi, measured: Kpi | None, workbook: Workbook, month: Month) -> KgiResult:
    settings = workbook.settings
    if measured is None and kgi.formula is not None:
        # Measured by its formula alone (SPEC §3): the formula of the drivers' actuals and of
        # their targets, month by month over the goal's months.
        months = kgi_months(kgi, goal_start(kgi, settings, month))
        formula_plan = (
            formula_series(kgi.formula, workbook.actuals, months),
            formula_series(kgi.formula, workbook.targets, months),
        )
        return evaluate_kgi(kgi, None, {}, {}, settings, month, formula_plan=formula_plan)
    series = measured.id if measured is not None else ""
    return evaluate_kgi(
        kgi,
        measured,
        workbook.target_series(series),
        workbook.actual_series(series),
        settings,
        month,
        workbook.forecast_series(series),
    )


def with_changes(report: Report, changes: Changes) -> Report:
    """The report with SPEC §7's changes since the previous pack and their RESTATED findings."""
    found = by_severity([*report.findings, *restated(report.workbook, changes)])
    return dataclasses.replace(report, changes=changes, findings=tuple(found))
