"""The pack's summary, decided once: each KGI's state, the status counts and the biggest
movers, every figure formatted and every label in the pack's language.

The executive summary of the pack (HTML and PDF), the pack's JSON (``summary``, so that
``send`` can say the same from the file alone) and the e-mail body all show this one object;
none of them sorts, counts or formats anything of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from kpireport.computing.goals import GoalState, KgiResult
from kpireport.computing.metrics import KpiResult
from kpireport.computing.report import Report
from kpireport.formatting import Formatter
from kpireport.i18n import labels, message
from kpireport.model import STATUSES, Locale, Month, Status
from kpireport.presenting.kpi_figures import KpiFigureFormat
from kpireport.presenting.palette import STATUS_CLASS

MOVERS_SHOWN = 5


def movement_arrow(delta: float | None) -> str:
    """The arrow shows which way the number moved; its colour (the trend) says if that is good."""
    if delta is None:
        return ""
    return "▲" if delta > 0 else "▼" if delta < 0 else "→"


@dataclass(frozen=True)
class StatusCount:
    status: Status
    label: str
    count: int

    @property
    def css(self) -> str:
        return STATUS_CLASS[self.status]


@dataclass(frozen=True)
class KgiLine:
    name: str
    progress: str
    expected: str
    state: str
    state_css: str

    def text(self, text: Mapping[str, str]) -> str:
        return f"{self.name}: {text['progress']} {self.progress} / {text['expected']} {self.expected} ({self.state})"


@dataclass(frozen=True)
class MoverLine:
    name: str
    department: str
    delta: str
    delta_pct: str
    trend: str
    arrow: str

    @property
    def text(self) -> str:
        return f"{self.name}: {self.delta}" + (f" ({self.delta_pct})" if self.delta_pct else "")


@dataclass(frozen=True)
class Summary:
    locale: Locale
    company: str
    month: str
    subject: str
    kgis: tuple[KgiLine, ...]
    counts: tuple[StatusCount, ...]
    movers: tuple[MoverLine, ...]
    key_messages: tuple[str, ...] = ()
    """The pack's key messages, as its first page says them (the e-mail leads with them)."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Summary:
        """The summary a pack's JSON carries (its shape checked by the pack schema)."""
        return cls(
            locale="ja" if data["locale"] == "ja" else "en",
            company=str(data["company"]),
            month=str(data["month"]),
            subject=str(data["subject"]),
            kgis=tuple(KgiLine(**line) for line in data["kgis"]),
            counts=tuple(StatusCount(**count) for count in data["counts"]),
            movers=tuple(MoverLine(**mover) for mover in data["movers"]),
            key_messages=tuple(str(m) for m in data.get("key_messages", ())),
        )


GOAL_STATUS: dict[str, Status] = {"on_track": "green", "at_risk": "amber", "off_track": "red"}


def kgi_status(state: GoalState | None) -> Status:
    """A goal's state as a status colour: green on track, amber at risk, red off track,
    no_data when it cannot be judged."""
    return "no_data" if state is None else GOAL_STATUS[state]


def kgi_state(state: GoalState | None, text: Mapping[str, str]) -> tuple[str, str]:
    """The words and the colour class of a goal's state."""
    return text[state or "unknown"], STATUS_CLASS[kgi_status(state)]


def status_counts(statuses: Sequence[Status], text: Mapping[str, str]) -> tuple[StatusCount, ...]:
    counted = Counter(statuses)
    return tuple(StatusCount(s, text[f"status.{s}"], counted.get(s, 0)) for s in STATUSES)


def movers(report: Report, fmt: Formatter) -> tuple[MoverLine, ...]:
    """The KPIs with the largest month-over-month change in percent."""
    moved = [r for r in report.kpis if r.mom.delta_pct is not None and r.mom.delta]
    moved.sort(key=lambda r: abs(r.mom.delta_pct or 0), reverse=True)
    return tuple(
        MoverLine(
            name=r.kpi.name,
            department=r.kpi.department,
            delta=shown.delta(r.mom.delta),
            delta_pct=shown.change_pct(r.mom.delta_pct),
            trend=r.mom.trend or "none",
            arrow=movement_arrow(r.mom.delta),
        )
        for r in moved[:MOVERS_SHOWN]
        for shown in (KpiFigureFormat.of(r, fmt),)
    )


def describe_kpi(result: KpiResult, month: Month, fmt: Formatter) -> str:
    """A KPI's chart in words, as a sighted reader sees it: the month's actual against its
    target, and the change on the same month last year (the text alternative of its chart in
    the PDF, the HTML and the deck alike)."""
    kpi, period = result.kpi, result.month
    shown = KpiFigureFormat.of(result, fmt)
    fields = {"name": kpi.name, "month": fmt.month(month), "target": shown.value(period.target)}
    if period.actual is None:
        return message(fmt.locale, "kpi_alt_none", **fields) + "."
    sentence = message(fmt.locale, "kpi_alt", actual=shown.value(period.actual), **fields)
    if period.prior is not None:
        moved = "up" if period.actual > period.prior else "down" if period.actual < period.prior else "level"
        sentence += message(fmt.locale, f"kpi_alt_{moved}", prior=shown.value(period.prior))
    return sentence + ("." if fmt.locale == "en" else "。")


def describe_kgi(result: KgiResult, fmt: Formatter) -> str:
    """A KGI's progress bar in words."""
    return message(
        fmt.locale,
        "kgi_alt",
        name=result.kgi.name,
        progress=fmt.percent(result.progress),
        expected=fmt.percent(result.expected_progress),
        state=kgi_state(result.state, labels(fmt.locale))[0],
    )


def summarise(report: Report, fmt: Formatter, company: str, key_messages: tuple[str, ...] = ()) -> Summary:
    text = labels(fmt.locale)
    month = fmt.month(report.month)
    kgis = []
    for k in report.kgis:
        state, css = kgi_state(k.state, text)
        kgis.append(KgiLine(k.kgi.name, fmt.percent(k.progress), fmt.percent(k.expected_progress), state, css))
    return Summary(
        locale=fmt.locale,
        company=company,
        month=month,
        subject=f"{company} — {text['monthly_review']} {month}",
        kgis=tuple(kgis),
        counts=status_counts([r.month.status for r in report.kpis], text),
        movers=movers(report, fmt),
        key_messages=key_messages,
    )
