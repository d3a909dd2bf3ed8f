"""The pack's JSON (SPEC §5, schema ``kpireport/v1``): the report's figures as computed, its
text whole, its findings in the pack's words. Rounding for display belongs to the other
formats; every number here carries the metrics' 15 significant digits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from kpireport.computing.actions import ActionResult, Reading
from kpireport.computing.drivers import DriverAnalysis
from kpireport.computing.metrics import MonthOverMonth, Pace, Period, YearSeries, excel_round
from kpireport.computing.report import Report
from kpireport.formatting import Formatter
from kpireport.presenting.wording import WordedCommentary, WordedFinding, word_all

SCHEMA = "kpireport/v1"


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
    """The year's values as read, each to 15 significant digits like every JSON number (a
    cell's =29/30 is 0.966666666666667 here)."""
    return {
        "months": [str(m) for m in s.months],
        "target": [excel_round(v) for v in s.target],
        "actual": [excel_round(v) for v in s.actual],
        "forecast": [excel_round(v) for v in s.forecast],
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
        "planned_per_month": p.planned_per_month,
    }


def _drivers(analysis: DriverAnalysis | None) -> dict[str, Any] | None:
    if analysis is None:
        return None
    return {
        "formula": analysis.formula.text,
        "implied_target": analysis.implied_target,
        "planned": analysis.bridge.planned,
        "actual": analysis.bridge.actual,
        "bridge": [{"kpi": e.kpi, "effect": e.effect, "month_effect": e.month_effect} for e in analysis.bridge.effects],
    }


def _reading(reading: Reading | None) -> dict[str, Any] | None:
    if reading is None:
        return None
    return {"month": str(reading.month), "actual": reading.actual, "attainment": reading.attainment}


def _action(result: ActionResult) -> dict[str, Any]:
    """SPEC §3c as of the report month: an action closed after it is still ``open`` here, and
    shows no ``closed`` date. The owner's e-mail address is not part of a pack."""
    action = result.action
    return {
        "id": action.id,
        "target": action.target,
        "action": action.action,
        "owner": action.owner,
        "opened": str(action.opened) if action.opened else None,
        "due": action.due.isoformat() if action.due else None,
        "status": result.status.value,
        "overdue": result.overdue,
        "due_soon": result.due_soon,
        "closed": action.closed.isoformat() if action.closed and not result.is_open else None,
        "baseline": _reading(result.baseline),
        "latest": _reading(result.latest),
        "moved": result.moved,
        "expected": excel_round(action.expected),
        "reached": result.reached,
    }


@dataclass(frozen=True)
class PackSource:
    """Where a pack came from (SPEC §5 ``source``): the workbook's file name and SHA-256, when
    the pack was built and by which kpireport."""

    workbook: str
    sha256: str
    built_at: str
    kpireport: str


def pack_json(
    report: Report,
    findings: Sequence[WordedFinding],
    *,
    company: str | None = None,
    source: PackSource | None = None,
    commentary: WordedCommentary | None = None,
) -> dict[str, Any]:
    """SPEC §5 of ``report`` (its text whole, its numbers unrounded), with its findings as
    worded for the pack; ``company`` is the name the pack displays (a theme's, when it sets one)."""
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
                "state": k.state,
                "expected_basis": k.expected_basis,
                "projected": k.projected,
                "outlook": k.outlook,
                "required_pace": _pace(report.kgi_paces[k.kgi.id]),
                "drivers": _drivers(report.drivers.get(k.kgi.id)),
            }
            for k in report.kgis
        ],
        "changes": [c.as_json() for c in report.changes.values] if report.changes else [],
        "findings": [f.as_json() for f in findings],
        "quarterly": _quarterly(report),
        "actions": [_action(a) for a in report.actions],
        **({"commentary": commentary.as_json()} if commentary is not None else {}),
        **({"source": asdict(source)} if source is not None else {}),
    }


def _quarterly(report: Report) -> dict[str, Any] | None:
    """SPEC §5's quarterly review: the quarter so far, like for like with the last one."""
    if report.quarterly is None:
        return None
    settings = report.workbook.settings
    start = settings.fiscal_quarter_of(report.month)
    year = settings.fiscal_year_of(report.month)
    number = start.months_since(year) // 3 + 1
    return {
        "quarter": f"{year.year}-Q{number}",
        "months": [str(start.shift(i)) for i in range(3)],
        "kpis": [
            {
                "kpi": q.result.kpi.id,
                "qtd": _period(q.result.qtd),
                "vs_last_quarter": {"previous": q.previous, "delta": q.change, "delta_pct": q.change_pct},
            }
            for q in report.quarterly
        ],
        "to_review": [f.kpi for f in report.findings if f.code == "REVIEW" and f.kpi],
        "disconnected": [f.kgi for f in report.findings if f.code == "DISCONNECT" and f.kgi],
        "okr_scores": {q.result.kpi.id: q.okr_score for q in report.quarterly if q.okr_score is not None},
    }


def to_json(report: Report, fmt: Formatter, *, company: str | None = None) -> dict[str, Any]:
    """The JSON of ``report`` alone (no summary), its findings worded with ``fmt``."""
    return pack_json(report, word_all(report.findings, fmt), company=company)
