"""One report: the workbook's metrics and findings for one month, and its JSON form (SPEC §5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kpireport.computing.changes import Changes
from kpireport.computing.drivers import DriverAnalysis, analyse
from kpireport.computing.findings import SEVERITIES, Finding, restated, review
from kpireport.computing.metrics import (
    KgiResult,
    KpiResult,
    MonthOverMonth,
    Pace,
    Period,
    QuarterRow,
    YearSeries,
    closes_quarter,
    evaluate_kgi,
    evaluate_kpi,
    kgi_pace,
    kpi_pace,
    quarter_row,
)
from kpireport.errors import KpiReportError, WorkbookError
from kpireport.model import Comment, Direction, Month, Workbook

SCHEMA = "kpireport/v1"


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
    kgis = tuple(
        evaluate_kgi(
            kgi,
            by_id.get(kgi.measured_by) if kgi.measured_by else None,
            workbook.actual_series(kgi.measured_by or ""),
            settings,
            month,
            workbook.forecast_series(kgi.measured_by or ""),
        )
        for kgi in workbook.kgis
    )
    drivers = {
        k.kgi.id: analyse(
            k.kgi,
            k.kgi.formula,
            k.start or settings.fiscal_year_of(month),
            month,
            workbook.targets,
            workbook.actuals,
            by_id[k.kgi.measured_by].direction if k.kgi.measured_by in by_id else Direction.HIGHER,
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
    return Report(
        workbook=workbook,
        month=month,
        kpis=kpis,
        kgis=kgis,
        findings=tuple(review(workbook, month, kpis, kgis, drivers)),
        kpi_paces={r.kpi.id: kpi_pace(r, settings, month) for r in kpis},
        kgi_paces={k.kgi.id: kgi_pace(k, month) for k in kgis},
        quarterly=quarter,
        drivers=drivers,
    )


def with_changes(report: Report, changes: Changes) -> Report:
    """The report with SPEC §7's changes since the previous pack and their RESTATED findings."""
    found = [*report.findings, *restated(report.workbook, changes)]
    order = {severity: index for index, severity in enumerate(SEVERITIES)}
    return dataclasses.replace(report, changes=changes, findings=tuple(sorted(found, key=lambda f: order[f.severity])))


def _period(p: Period) -> dict[str, Any]:
    return {
        "target": p.target,
        "actual": p.actual,
        "attainment": p.attainment,
        "status": p.status,
        "variance": p.variance,
        "favorable": p.favorable,
        "prior": p.prior,
        "yoy_pct": p.yoy_pct,
    }


def _series(s: YearSeries) -> dict[str, Any]:
    return {
        "months": [str(m) for m in s.months],
        "target": list(s.target),
        "actual": list(s.actual),
        "forecast": list(s.forecast),
    }


def _mom(m: MonthOverMonth) -> dict[str, Any]:
    return {"previous": m.previous, "delta": m.delta, "delta_pct": m.delta_pct, "trend": m.trend}


def _pace(p: Pace | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "months_remaining": p.months_remaining,
        "remaining": p.remaining,
        "per_month": p.per_month,
        "average_so_far": p.average_so_far,
    }


def _drivers(analysis: DriverAnalysis | None) -> dict[str, Any] | None:
    if analysis is None:
        return None
    return {
        "formula": analysis.formula.text,
        "implied_target": analysis.implied_target,
        "planned": analysis.bridge.planned,
        "actual": analysis.bridge.actual,
        "bridge": [{"kpi": e.kpi, "effect": e.effect} for e in analysis.bridge.effects],
    }


def to_json(report: Report, *, company: str | None = None) -> dict[str, Any]:
    """SPEC §5; ``company`` is the name the pack displays (a theme's, when it sets one)."""
    settings = report.workbook.settings
    return {
        "schema": SCHEMA,
        "company": company or settings.company,
        "report_month": str(report.month),
        "currency": settings.currency,
        "locale": settings.locale,
        "kpis": [
            {
                "id": r.kpi.id,
                "name": r.kpi.name,
                "department": r.kpi.department,
                "kgi": r.kpi.kgi,
                "unit": r.kpi.unit,
                "direction": r.kpi.direction.value,
                "aggregation": r.kpi.aggregation.value,
                "kind": r.kpi.kind.value,
                "month": _period(r.month),
                "mom": _mom(r.mom),
                "qtd": _period(r.qtd),
                "ytd": _period(r.ytd),
                "forecast": (
                    {
                        "projected": r.forecast.projected,
                        "full_year_target": r.forecast.full_year_target,
                        "attainment": r.forecast.attainment,
                        "outlook": r.forecast.outlook,
                        "outlook_attainment": r.forecast.outlook_attainment,
                    }
                    if r.forecast
                    else None
                ),
                "red_streak": r.red_streak,
                "series": _series(r.series),
                "required_pace": _pace(report.kpi_paces[r.kpi.id]),
            }
            for r in report.kpis
        ],
        "kgis": [
            {
                "id": k.kgi.id,
                "name": k.kgi.name,
                "target": k.kgi.target,
                "actual": k.actual,
                "progress": k.progress,
                "expected_progress": k.expected_progress,
                "on_track": k.on_track,
                "projected": k.projected,
                "outlook": k.outlook,
                "required_pace": _pace(report.kgi_paces[k.kgi.id]),
                "drivers": _drivers(report.drivers.get(k.kgi.id)),
            }
            for k in report.kgis
        ],
        "changes": [c.as_json() for c in report.changes.values] if report.changes else [],
        "findings": [f.as_json() for f in report.findings],
    }
