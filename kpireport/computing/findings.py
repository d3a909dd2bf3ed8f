"""KPI design review: SMART and review rules over the model and its metrics.

Findings are data shown in the pack and by ``kpireport check``, never exceptions. Each rule
is a small function; thresholds are named constants documented in the README. A finding
carries its code, severity, subject and the facts it states (names, figures in their unit,
months), never a sentence: presenting words it in the pack's language with the pack's one
formatter (:mod:`kpireport.presenting.wording`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kpireport.computing.changes import Changes
from kpireport.computing.drivers import DriverAnalysis, Implied, drivers_disagree, kgi_months, shortfall
from kpireport.computing.facts import Amount, Fact, Large, MonthName, Share, Text, Word
from kpireport.computing.goals import KgiResult, alignment_gap
from kpireport.computing.metrics import KpiResult, fiscal_year_months, months_between
from kpireport.model import Aggregation, CellRef, Direction, Kgi, Kind, Kpi, Month, Perspective, Workbook
from kpireport.schema import MAX_MAGNITUDE

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

MAX_KPIS_PER_DEPARTMENT = 5
# Longer names are cut in the pack (the JSON keeps them whole): a title, not a paragraph.
MAX_NAME_CHARS = 200
REVIEW_AFTER_RED_MONTHS = 3
DISCONNECT_GREEN_SHARE = 0.75
# SPEC §3: a goal's target within 2% of its KPI's targets added up is a note, beyond it a warning.
ALIGN_TOLERANCE = 0.02
AMBITION_LOOKBACK_MONTHS = 6

VAGUE_WORDS = re.compile(
    r"\b(improve\w*|increase|enhance\w*|strengthen\w*|boost|awareness|better|optimi[sz]e\w*|up)\b"
    r"|向上|強化|アップ|改善|認知度|促進|推進|活性化|最適化",
    re.IGNORECASE,
)
MEASURABLE_WORDS = re.compile(
    r"\b(number|count|rate|ratio|share|%|percent|revenue|sales|leads?|deals?|calls?|emails?|visits?|"
    r"sessions?|searches|score|nps|cpa|cost|price|days?|hours?|minutes?|time|months?|size|ltv|churn|"
    r"applications?|hires?|tickets?|orders?|margin|profit|amount|volume|yen|usd|jpy)\b"
    r"|数|率|件|額|人|時間|日数|売上|利益|スコア|回数|金額|単価|比|%",
    re.IGNORECASE,
)
LESS_IS_BETTER_WORDS = re.compile(
    r"\b(cpa|costs?|churn|attrition|lead[ -]time|defects?|complaints?|errors?|downtime|backlog)\b"
    r"|(?<!顧客)(?<!客)(?<!販売)(?<!平均)(?<!受注)単価|コスト|費用|解約率|離職率|退職率|不良|クレーム|遅延",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    key: str
    """Which sentence states it (the i18n keys ``<key>.message`` and ``<key>.suggestion``)."""
    facts: tuple[tuple[str, Fact], ...] = ()
    kpi: str | None = None
    kgi: str | None = None
    where: CellRef | None = None

    def fact(self, name: str) -> Fact | None:
        return dict(self.facts).get(name)


@dataclass(frozen=True)
class ReviewInput:
    """What every rule may look at."""

    workbook: Workbook
    month: Month
    kpis: Sequence[KpiResult]
    kgis: Sequence[KgiResult]
    drivers: Mapping[str, DriverAnalysis]


Rule = Callable[[ReviewInput], Iterator[Finding]]


def _finding(
    code: str,
    severity: Severity,
    key: str,
    *,
    kpi: str | None = None,
    kgi: str | None = None,
    where: CellRef | None = None,
    **facts: Fact,
) -> Finding:
    return Finding(code, severity, key, tuple(facts.items()), kpi=kpi, kgi=kgi, where=where)


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes; in the order found within each."""
    order: Mapping[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: order[f.severity])


def _shown(name: str) -> str:
    """The words of a name a reader sees: the pack shows MAX_NAME_CHARS of it (a longer one is
    a SMART-S finding of its own). Searching 50 MB of a name took seconds a rule."""
    return name[:MAX_NAME_CHARS]


def smart_specific(review: ReviewInput) -> Iterator[Finding]:
    named_rows: list[Kpi | Kgi] = [*review.workbook.kpis, *review.workbook.kgis]
    for named in named_rows:
        if len(named.name) > MAX_NAME_CHARS:
            yield _finding(
                "SMART-S",
                "warning",
                "long_name",
                kpi=named.id if isinstance(named, Kpi) else None,
                kgi=named.id if isinstance(named, Kgi) else None,
                where=named.source,
                length=len(named.name),
                limit=MAX_NAME_CHARS,
                start=Text(named.name[:40]),
            )
    for kpi in review.workbook.kpis:
        if not kpi.unit:
            yield _finding("SMART-S", "warning", "no_unit", kpi=kpi.id, where=kpi.source, name=Text(kpi.name))
        name = _shown(kpi.name)
        if VAGUE_WORDS.search(name) and not MEASURABLE_WORDS.search(name):
            yield _finding("SMART-S", "warning", "vague_name", kpi=kpi.id, where=kpi.source, name=Text(kpi.name))


def smart_measurable(review: ReviewInput) -> Iterator[Finding]:
    workbook = review.workbook
    for kpi in workbook.kpis:
        # Without a row on Targets nothing about the KPI can be judged; an Actuals row can
        # still be added when the first actual comes in.
        if kpi.id not in workbook.targets:
            yield _finding("SMART-M", "error", "no_target_row", kpi=kpi.id, where=kpi.source, name=Text(kpi.name))
        if kpi.id not in workbook.actuals:
            yield _finding("SMART-M", "warning", "no_actual_row", kpi=kpi.id, where=kpi.source, name=Text(kpi.name))
    for skipped in workbook.skipped:
        yield _finding("SMART-M", "info", f"skipped_{skipped.kind}", where=skipped.where, label=Text(skipped.label))
    for issue in workbook.cell_issues:
        severity: Severity = "warning" if issue.kind == "formula_without_value" else "error"
        yield _finding(
            "SMART-M",
            severity,
            issue.kind,
            kpi=issue.kpi,
            where=issue.where,
            text=Text(issue.text),
            month=str(issue.month),
        )


def smart_achievable(review: ReviewInput) -> Iterator[Finding]:
    factor = review.workbook.settings.ambition_factor
    for kpi in review.workbook.kpis:
        if kpi.kind is Kind.OKR:
            continue
        target = review.workbook.target_series(kpi.id).get(review.month)
        actuals = review.workbook.actual_series(kpi.id)
        recent = [
            actuals[m]
            for m in months_between(review.month.shift(-AMBITION_LOOKBACK_MONTHS), review.month.shift(-1))
            if m in actuals
        ]
        if target is None or not recent:
            continue
        if kpi.direction is Direction.LOWER:
            best = min(recent)
            beyond = best > 0 and target < best / factor
        else:
            best = max(recent)
            beyond = best > 0 and target > best * factor
        if beyond:
            yield _finding(
                "SMART-A",
                "warning",
                f"ambitious_{kpi.direction.value}",
                kpi=kpi.id,
                where=kpi.source,
                name=Text(kpi.name),
                target=Amount(target, kpi.unit),
                best=Amount(best, kpi.unit),
                factor=f"{factor:g}",
            )


def smart_relevant(review: ReviewInput) -> Iterator[Finding]:
    kgi_ids = {kgi.id for kgi in review.workbook.kgis}
    for kpi in review.workbook.kpis:
        if kpi.kgi is None:
            yield _finding("SMART-R", "error", "no_kgi", kpi=kpi.id, where=kpi.source, name=Text(kpi.name))
        elif kpi.kgi not in kgi_ids:
            yield _finding(
                "SMART-R",
                "error",
                "unknown_kgi",
                kpi=kpi.id,
                where=kpi.source,
                name=Text(kpi.name),
                kgi_id=Text(kpi.kgi),
            )


def smart_time_bound(review: ReviewInput) -> Iterator[Finding]:
    for kgi in review.workbook.kgis:
        if kgi.deadline is None:
            yield _finding("SMART-T", "warning", "no_deadline", kgi=kgi.id, where=kgi.source, name=Text(kgi.name))
    year_start = review.workbook.settings.fiscal_year_of(review.month)
    year = fiscal_year_months(year_start)
    for kpi in review.workbook.kpis:
        targets = review.workbook.target_series(kpi.id)
        actuals = review.workbook.actual_series(kpi.id)
        unjudged = [m for m in months_between(year_start, review.month) if m in actuals and m not in targets]
        if unjudged:
            yield _finding(
                "SMART-T",
                "warning",
                "actual_without_target",
                kpi=kpi.id,
                where=kpi.source,
                name=Text(kpi.name),
                months=", ".join(str(m) for m in unjudged),
            )
        missing = [m for m in year if m not in targets]
        if missing:
            yield _finding(
                "SMART-T",
                "warning",
                "missing_targets",
                kpi=kpi.id,
                where=kpi.source,
                name=Text(kpi.name),
                months=", ".join(str(m) for m in missing),
                count=len(missing),
            )


def focus(review: ReviewInput) -> Iterator[Finding]:
    counts = Counter(kpi.department for kpi in review.workbook.kpis if kpi.kind is Kind.KPI)
    for department, count in counts.items():
        if count > MAX_KPIS_PER_DEPARTMENT:
            yield _finding(
                "FOCUS", "warning", "focus", department=Text(department), count=count, limit=MAX_KPIS_PER_DEPARTMENT
            )


def balance(review: ReviewInput) -> Iterator[Finding]:
    used = {kpi.perspective for kpi in review.workbook.kpis if kpi.perspective is not None}
    if not used:
        return
    for perspective in Perspective:
        if perspective not in used:
            yield _finding(
                "BALANCE",
                "info",
                "balance",
                perspective=Word(f"perspective.{perspective.value}"),
            )


def review_red(review: ReviewInput) -> Iterator[Finding]:
    for result in review.kpis:
        if result.red_streak >= REVIEW_AFTER_RED_MONTHS:
            yield _finding(
                "REVIEW",
                "warning",
                "review",
                kpi=result.kpi.id,
                where=result.kpi.source,
                name=Text(result.kpi.name),
                months=result.red_streak,
            )


def disconnect(review: ReviewInput) -> Iterator[Finding]:
    for kgi_result in review.kgis:
        if kgi_result.state != "off_track":
            continue
        statuses = [
            r.month.status for r in review.kpis if r.kpi.kgi == kgi_result.kgi.id and r.month.status != "no_data"
        ]
        green = sum(1 for s in statuses if s == "green")
        if statuses and green / len(statuses) >= DISCONNECT_GREEN_SHARE:
            yield _finding(
                "DISCONNECT",
                "warning",
                "disconnect",
                kgi=kgi_result.kgi.id,
                where=kgi_result.kgi.source,
                name=Text(kgi_result.kgi.name),
                green=green,
                total=len(statuses),
            )


def driver(review: ReviewInput) -> Iterator[Finding]:
    """SPEC §3a: a KGI whose drivers' targets do not add up to it, or whose formula gives a
    figure that cannot be computed or is beyond what the pack shows in full."""
    for kgi in review.workbook.kgis:
        analysis = review.drivers.get(kgi.id)
        if analysis is None:
            continue
        yield from _implied_findings(kgi, analysis.implied)
        yield from _computed_findings(kgi, analysis)


def _implied_findings(kgi: Kgi, implied: Implied) -> Iterator[Finding]:
    name = Text(kgi.name)
    if implied.missing is not None:
        kpi, month = implied.missing
        yield _finding(
            "DRIVER", "info", "driver_missing", kgi=kgi.id, where=kgi.source, name=name, driver=kpi, month=str(month)
        )
    elif implied.divides_by_zero is not None:
        month = implied.divides_by_zero
        yield _finding("DRIVER", "warning", "driver_zero", kgi=kgi.id, where=kgi.source, name=name, month=str(month))
    elif implied.overflows is not None:
        yield _finding(
            "DRIVER", "warning", "driver_overflow", kgi=kgi.id, where=_formula_cell(kgi), name=name,
            month=str(implied.overflows),
        )  # fmt: skip
    elif drivers_disagree(implied.value, kgi.target) and not _beyond(implied.value):
        gap = shortfall(implied.value, kgi.target)
        assert gap is not None and implied.value is not None and kgi.target is not None
        yield _finding(
            "DRIVER",
            "warning",
            "driver_gap",
            kgi=kgi.id,
            where=kgi.source,
            name=name,
            implied=Large(implied.value, kgi.unit),
            target=Large(kgi.target, kgi.unit),
            gap=Share(abs(gap)),
            side=Word("short" if gap < 0 else "over"),
        )


def _computed_findings(kgi: Kgi, analysis: DriverAnalysis) -> Iterator[Finding]:
    """A formula that overflows with the actuals (the bridge leaves those months out, never
    shows them as nothing), and the first of the goal's figures beyond what a cell may hold."""
    bridge = analysis.bridge
    if bridge.overflowed and analysis.implied.overflows is None:
        yield _finding(
            "DRIVER", "warning", "driver_overflow_actual", kgi=kgi.id, where=_formula_cell(kgi), name=Text(kgi.name),
            month=str(bridge.overflowed[0]), count=len(bridge.overflowed),
        )  # fmt: skip
    figures = (("implied", analysis.implied.value), ("planned", bridge.planned), ("actual", bridge.actual))
    beyond = next(((what, value) for what, value in figures if value is not None and _beyond(value)), None)
    if beyond is not None:
        what, value = beyond
        yield _finding(
            "DRIVER", "warning", "driver_beyond", kgi=kgi.id, where=_formula_cell(kgi), name=Text(kgi.name),
            figure=Large(value, kgi.unit), what=Word(f"figure.{what}"), limit=f"±{MAX_MAGNITUDE:.0e}",
        )  # fmt: skip


def _beyond(value: float | None) -> bool:
    """Beyond SPEC §6's range, which every figure read keeps to: shown rounded (1.2E+41)."""
    return value is not None and abs(value) > MAX_MAGNITUDE


def _formula_cell(kgi: Kgi) -> CellRef | None:
    return kgi.formula_source or kgi.source


def align(review: ReviewInput) -> Iterator[Finding]:
    """SPEC §3: a cumulative goal whose target differs from its measuring KPI's targets added up
    over the goal's months (info up to 2%, a warning beyond): its pace and landing use the goal's
    target, its expected progress the KPI's plan."""
    kpis = {kpi.id: kpi for kpi in review.workbook.kpis}
    for result in review.kgis:
        kgi, measured = result.kgi, kpis.get(result.kgi.measured_by or "")
        if measured is None or result.level or result.start is None or kgi.target is None:
            continue
        found = alignment_gap(kgi, review.workbook.target_series(measured.id), result.start)
        if found is None:
            continue
        total, gap = found
        months = kgi_months(kgi, result.start)
        yield _finding(
            "ALIGN",
            "info" if abs(gap) <= ALIGN_TOLERANCE else "warning",
            "align",
            kgi=kgi.id,
            where=kgi.source,
            name=Text(kgi.name),
            kpi_name=Text(measured.name),
            target=Amount(kgi.target, measured.unit),
            total=Amount(total, measured.unit),
            first=MonthName(months[0]),
            last=MonthName(months[-1]),
            gap=Share(abs(gap)),
            side=Word("short" if gap < 0 else "over"),
        )


def is_volume(kpi: Kpi) -> bool:
    """A volume measure adds up over months (a count or an amount of money); everything else
    (a percent, an average, a latest level) measures quality or a rate."""
    return kpi.aggregation is Aggregation.SUM and not kpi.is_percent


def mix(review: ReviewInput) -> Iterator[Finding]:
    """Seed: track quantity and quality together."""
    kinds: dict[str, set[bool]] = {}
    for kpi in review.workbook.kpis:
        kinds.setdefault(kpi.department, set()).add(is_volume(kpi))
    for department, found in kinds.items():
        if len(found) == 1:
            key = "mix_volume" if True in found else "mix_rate"
            yield _finding("MIX", "warning", key, department=Text(department))


def direction(review: ReviewInput) -> Iterator[Finding]:
    for kpi in review.workbook.kpis:
        if kpi.direction is Direction.HIGHER and LESS_IS_BETTER_WORDS.search(_shown(kpi.name)):
            yield _finding("DIRECTION", "warning", "direction", kpi=kpi.id, where=kpi.source, name=Text(kpi.name))


def restated(workbook: Workbook, changes: Changes) -> list[Finding]:
    """SPEC §7: a RESTATED warning for each earlier month's actual or target that changed
    since the previous pack."""
    kpis = {kpi.id: kpi for kpi in workbook.kpis}
    found = []
    for change in changes.values:
        kpi = kpis[change.kpi]
        found.append(
            _finding(
                "RESTATED",
                "warning",
                "restated",
                kpi=kpi.id,
                where=kpi.source,
                department=Text(kpi.department),
                name=Text(kpi.name),
                month=MonthName(change.month),
                field=Word(f"field.{change.field}"),
                before=Amount(change.before, kpi.unit),
                after=Amount(change.after, kpi.unit),
            )
        )
    return found


RULES: tuple[Rule, ...] = (
    smart_specific,
    smart_measurable,
    smart_achievable,
    smart_relevant,
    smart_time_bound,
    focus,
    balance,
    review_red,
    disconnect,
    direction,
    driver,
    align,
    mix,
)


def review(
    workbook: Workbook,
    month: Month,
    kpis: Sequence[KpiResult],
    kgis: Sequence[KgiResult],
    drivers: Mapping[str, DriverAnalysis],
) -> list[Finding]:
    """All findings, errors first."""
    data = ReviewInput(workbook, month, kpis, kgis, drivers)
    return by_severity(finding for rule in RULES for finding in rule(data))
