"""What the interactive HTML pack explores: each KPI's detail (its fiscal year month by month,
comments, actions and findings), every figure formatted here, and the one JSON block it is
embedded as.

The page's script only places what this module decided: it positions the numbers on a chart and
shows the formatted strings beside them. It never formats or computes a figure.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from kpireport.computing.metrics import KpiResult
from kpireport.computing.report import Report
from kpireport.formatting import DASH, Formatter
from kpireport.model import Month
from kpireport.presenting.charts import nice_ticks
from kpireport.presenting.commentary_view import CommentaryView
from kpireport.presenting.palette import STATUS_CLASS
from kpireport.presenting.summary import describe_kpi
from kpireport.presenting.wording import WordedFinding

# The strings the page's own controls need, by label key (kpireport.i18n.LABELS).
UI_LABELS = (
    "close",
    "month",
    "target",
    "actual",
    "attainment",
    "legend_actual",
    "legend_target",
    "legend_prior",
    "legend_outlook",
    "comments_actions",
    "kpi_findings",
    "no_comments",
    "no_kpi_findings",
    "shown_count",
    "sort_by",
    "detail_chart",
    "suggestion",
    "action",
    "owner",
    "commentary",
    "drafted",
    "open_actions",
    "no_open_actions",
)


@dataclass(frozen=True)
class MonthDetail:
    """One month of a KPI's fiscal year: the figures as shown, and the values the chart plots
    (None where the month has none)."""

    month: str
    short: str
    target: str
    actual: str
    attainment: str
    prior: str
    outlook: str
    values: tuple[float | None, float | None, float | None, float | None]
    """target, actual, last year's actual, outlook: the chart's four lines."""

    def row(self) -> list[object]:
        """The month in the JSON: its fields in MONTH_FIELDS' order (a fiscal year of a
        thousand KPIs is 12,000 of them: names once, not 12,000 times)."""
        return [getattr(self, name) for name in MONTH_FIELDS]


MONTH_FIELDS = tuple(field.name for field in dataclasses.fields(MonthDetail))


@dataclass(frozen=True)
class KpiDetail:
    id: str
    name: str
    department: str
    owner: str
    status: str
    status_css: str
    summary: str
    months: tuple[MonthDetail, ...]
    axis: tuple[tuple[float, str], ...]
    """The value axis: each tick's value and its label."""
    comments: tuple[dict[str, str], ...]
    findings: tuple[dict[str, str], ...]
    commentary: tuple[tuple[str, str], ...] = ()
    """The KPI's comment as runs of text and the ``#id`` of the cell each figure comes from."""
    commentary_note: str = ""
    drafted: bool = False
    actions: tuple[dict[str, str], ...] = ()
    """The KPI's open actions (Actions sheet), overdue first: each its state, words and css."""


@dataclass(frozen=True)
class Explore:
    labels: dict[str, str]
    kpis: dict[str, KpiDetail]

    def as_script(self) -> Markup:
        """The JSON for ``<script type="application/json">``: workbook text can never end the
        element or open another (``</script>``, ``<!--``), because ``<``, ``>`` and ``&`` are
        written as JSON escapes, which the page's JSON.parse reads back unchanged."""
        kpis = {
            kpi: {
                **{field.name: getattr(detail, field.name) for field in dataclasses.fields(detail)},
                "months": [month.row() for month in detail.months],
            }
            for kpi, detail in self.kpis.items()
        }
        text = json.dumps({"labels": self.labels, "month_fields": MONTH_FIELDS, "kpis": kpis})
        for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(raw, escaped)
        return Markup(text)


class _Shown:
    """Month names and figures as shown, each formatted once: a fiscal year's twelve months
    and a KPI's repeated targets recur in every KPI (Babel takes about 0.1 ms a figure)."""

    def __init__(self, fmt: Formatter) -> None:
        self.fmt = fmt
        self.months: dict[Month, tuple[str, str]] = {}
        self.values: dict[tuple[float, str], str] = {}

    def month(self, month: Month) -> tuple[str, str]:
        if month not in self.months:
            self.months[month] = (self.fmt.month(month), self.fmt.short_month(month))
        return self.months[month]

    def value(self, value: float | None, unit: str) -> str:
        if value is None:
            return DASH
        key = (value, unit)
        if key not in self.values:
            self.values[key] = self.fmt.value(value, unit)
        return self.values[key]


def _months(result: KpiResult, shown: _Shown) -> tuple[MonthDetail, ...]:
    series, unit = result.series, result.kpi.unit
    return tuple(
        MonthDetail(
            *shown.month(month),
            target=shown.value(target, unit),
            actual=shown.value(actual, unit),
            attainment=shown.value(ratio, "percent"),
            prior=shown.value(prior, unit),
            outlook=shown.value(outlook, unit),
            values=(target, actual, prior, outlook),
        )
        for month, target, actual, prior, outlook, ratio in zip(
            series.months, series.target, series.actual, series.prior, series.outlook, series.attainment, strict=True
        )
    )


def _axis(result: KpiResult, fmt: Formatter) -> tuple[tuple[float, str], ...]:
    series = result.series
    values = [v for line in (series.target, series.actual, series.prior, series.outlook) for v in line if v is not None]
    if not values:
        return ()
    ticks = nice_ticks(min(values), max(values), count=4)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    largest = max(abs(ticks[0]), abs(ticks[-1]))
    return tuple((tick, fmt.axis(tick, result.kpi.unit, step, largest)) for tick in ticks)


def explore(
    report: Report,
    fmt: Formatter,
    text: Mapping[str, str],
    findings: Sequence[WordedFinding],
    notes: Mapping[str, CommentaryView],
    open_actions: Mapping[str, Sequence[dict[str, str]]] | None = None,
) -> Explore:
    """Every KPI's detail, from a report whose text is already clipped for display, its
    findings as worded for the pack, its comment and its open actions as the actions page
    shows them."""
    open_actions = open_actions or {}
    details = {}
    shown = _Shown(fmt)
    for result in report.kpis:
        kpi = result.kpi
        comments = sorted((c for c in report.workbook.comments if c.kpi == kpi.id), key=lambda c: c.month, reverse=True)
        details[kpi.id] = KpiDetail(
            id=kpi.id,
            name=kpi.name,
            department=kpi.department,
            owner=kpi.owner,
            status=text[f"status.{result.month.status}"],
            status_css=STATUS_CLASS[result.month.status],
            summary=describe_kpi(result, report.month, fmt),
            months=_months(result, shown),
            axis=_axis(result, fmt),
            comments=tuple(
                {"month": fmt.month(c.month), "comment": c.comment, "action": c.action, "owner": c.owner}
                for c in comments
            ),
            findings=tuple(
                {"code": f.code, "severity": f.severity, "message": f.message, "suggestion": f.suggestion}
                for f in findings
                if f.kpi == kpi.id
            ),
            commentary=tuple((run.text, run.href) for run in note.runs) if (note := notes.get(kpi.id)) else (),
            commentary_note=note.note if note else "",
            drafted=note.drafted if note else False,
            actions=tuple(open_actions.get(kpi.id, ())),
        )
    return Explore({key: text[key] for key in UI_LABELS}, details)
