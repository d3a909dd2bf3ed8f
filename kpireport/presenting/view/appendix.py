"""The pack's closing pages: the actions, the changes since the last pack, the balanced
scorecard, the quarterly review, the findings and the audit trail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kpireport.computing.findings import SEVERITIES
from kpireport.computing.report import Report
from kpireport.formatting import Formatter
from kpireport.i18n import message
from kpireport.model import Month, Perspective
from kpireport.presenting.kpi_figures import KpiFigureFormat, figure_decimals
from kpireport.presenting.palette import STATUS_CLASS
from kpireport.presenting.summary import StatusCount, status_counts
from kpireport.presenting.view.common import STATUS_RANK, StatusChip, chip, sort_key
from kpireport.presenting.view.kpis import points
from kpireport.presenting.wording import WordedFinding


@dataclass(frozen=True)
class FindingGroup:
    severity: str
    label: str
    findings: tuple[WordedFinding, ...]


def finding_groups(findings: Sequence[WordedFinding], text: Mapping[str, str]) -> tuple[FindingGroup, ...]:
    return tuple(
        FindingGroup(severity, text[f"severity.{severity}"], group)
        for severity in SEVERITIES
        if (group := tuple(f for f in findings if f.severity == severity))
    )


@dataclass(frozen=True)
class ActionRow:
    month: str
    kpi: str
    action: str
    owner: str
    chip: StatusChip
    month_key: str = ""
    """The month as a number that sorts in time (year × 12 + month)."""
    status_key: str = ""
    kpi_id: str = ""


def actions(report: Report, fmt: Formatter, text: Mapping[str, str]) -> tuple[ActionRow, ...]:
    by_id = {r.kpi.id: r for r in report.kpis}
    comments = sorted((c for c in report.workbook.comments if c.action), key=lambda c: c.month, reverse=True)
    return tuple(
        ActionRow(
            fmt.month(c.month),
            by_id[c.kpi].kpi.name,
            c.action,
            c.owner,
            chip(by_id[c.kpi].month.status, text),
            str(c.month.year * 12 + c.month.month),
            str(STATUS_RANK[by_id[c.kpi].month.status]),
            c.kpi,
        )
        for c in comments
        if c.kpi in by_id
    )


@dataclass(frozen=True)
class ChangesView:
    """SPEC §7 on one page: what changed since the previous pack."""

    since: str
    lines: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]


def changes(
    report: Report, findings: Sequence[WordedFinding], fmt: Formatter, text: Mapping[str, str]
) -> ChangesView | None:
    """The page lists the RESTATED findings' sentences, so the page and the findings say the same."""
    found = report.changes
    if found is None or not (found.values or found.added or found.removed):
        return None
    names = {r.kpi.id: r.kpi.name for r in report.kpis}
    return ChangesView(
        since=text["changes_since"].format(month=fmt.month(Month.parse(found.since))),
        lines=tuple(f.message for f in findings if f.code == "RESTATED"),
        added=tuple(f"{kpi} {names.get(kpi, '')}".strip() for kpi in found.added),
        removed=tuple(f"{kpi} {found.removed_names.get(kpi, '')}".strip() for kpi in found.removed),
    )


@dataclass(frozen=True)
class ScorecardRow:
    perspective: str
    total: int
    counts: tuple[StatusCount, ...]
    kpis: tuple[tuple[str, StatusChip], ...]


def scorecard(report: Report, fmt: Formatter, text: Mapping[str, str]) -> tuple[ScorecardRow, ...]:
    if not any(r.kpi.perspective for r in report.kpis):
        return ()
    rows = []
    for perspective in Perspective:
        members = [r for r in report.kpis if r.kpi.perspective is perspective]
        rows.append(
            ScorecardRow(
                # A heading: Financial, not financial (the label is lower case for sentences).
                perspective=capitalised(message(fmt.locale, f"perspective.{perspective.value}")),
                total=len(members),
                counts=status_counts([r.month.status for r in members], text),
                kpis=tuple((r.kpi.name, chip(r.month.status, text)) for r in members),
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class QuarterCell:
    actual: str
    chip: StatusChip
    key: str = ""
    """The actual as the interactive HTML sorts it (:func:`sort_key`)."""


@dataclass(frozen=True)
class QuarterFigures:
    """A KPI's quarter as numbers, for a spreadsheet: each month's actual, the QTD, and the
    change on the same months of the last quarter (in points for a percent KPI)."""

    actuals: tuple[float | None, ...]
    qtd_actual: float | None
    qtd_attainment: float | None
    previous: float | None
    change: float | None
    change_pct: float | None
    value_format: str
    change_format: str


@dataclass(frozen=True)
class QuarterLine:
    name: str
    department: str
    cells: tuple[QuarterCell, ...]
    qtd: str
    qtd_chip: StatusChip
    change: str
    change_pct: str
    okr_score: str
    kpi: str = ""
    status_css: str = ""
    """The KPI's status this month, as the department tables filter by it."""
    qtd_key: str = ""
    change_key: str = ""
    """The change on last quarter in percent: it compares across KPIs of any unit."""
    okr_key: str = ""
    figures: QuarterFigures | None = None


@dataclass(frozen=True)
class QuarterlyView:
    span: str
    months: tuple[str, ...]
    lines: tuple[QuarterLine, ...]
    to_review: tuple[str, ...]
    disconnected: tuple[str, ...]
    has_okr: bool
    actions_improved: str = ""
    """The share of the quarter's done actions whose KPI improved (SPEC §3c); "" without any."""


def quarterly(
    report: Report, findings: Sequence[WordedFinding], fmt: Formatter, text: Mapping[str, str]
) -> QuarterlyView | None:
    if report.quarterly is None:
        return None
    first_row = report.quarterly[0] if report.quarterly else None
    months = tuple(fmt.month(m) for m, _ in first_row.months) if first_row else ()
    lines = tuple(
        QuarterLine(
            name=q.result.kpi.name,
            department=q.result.kpi.department,
            cells=tuple(
                QuarterCell(shown.value(p.actual), chip(p.status, text), sort_key(p.actual)) for _, p in q.months
            ),
            qtd=fmt.percent(q.result.qtd.attainment),
            qtd_chip=chip(q.result.qtd.status, text),
            change=shown.delta(q.change),
            change_pct=shown.change_pct(q.change_pct),
            okr_score=f"{q.okr_score:.2f}" if q.okr_score is not None else "",
            kpi=q.result.kpi.id,
            status_css=STATUS_CLASS[q.result.month.status],
            qtd_key=sort_key(q.result.qtd.attainment),
            change_key=sort_key(q.change_pct),
            okr_key=sort_key(q.okr_score),
            figures=QuarterFigures(
                tuple(p.actual for _, p in q.months),
                q.result.qtd.actual,
                q.result.qtd.attainment,
                q.previous,
                points(q.change, q.result.kpi.unit),
                None if q.result.kpi.unit == "percent" else q.change_pct,
                fmt.excel_format(q.result.kpi.unit, decimals=figure_decimals(q.result)),
                fmt.excel_format(q.result.kpi.unit, signed=True, decimals=figure_decimals(q.result)),
            ),
        )
        for q in report.quarterly
        for shown in (KpiFigureFormat.of(q.result, fmt),)
    )
    return QuarterlyView(
        span=text["quarter_span"].format(first=months[0], last=months[-1]) if months else "",
        months=months,
        lines=lines,
        to_review=tuple(f.message for f in findings if f.code == "REVIEW"),
        disconnected=tuple(f.message for f in findings if f.code == "DISCONNECT"),
        has_okr=any(q.okr_score is not None for q in report.quarterly),
    )


@dataclass(frozen=True)
class AuditView:
    """Where every figure came from: printed on the last page of an audited pack."""

    workbook: str
    sha256: str
    version: str


def capitalised(label: str) -> str:
    """A label as a heading or a table's first column shows it: Learning & growth."""
    return label[:1].upper() + label[1:]
