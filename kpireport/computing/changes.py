"""SPEC §7, changes since the last pack: every earlier month's actual or target that differs
from what the previous pack's JSON said, and the KPIs added or removed since then.

A controller's first question is "did anyone change last month's numbers?". The comparison
is over the months the previous pack knew (its series, up to its report month) and uses the
15-digit figures both packs carry, so a value typed again unchanged is no change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kpireport.computing.metrics import excel_round
from kpireport.model import Month, Workbook

Field = Literal["actual", "target"]


@dataclass(frozen=True)
class Change:
    kpi: str
    month: Month
    field: Field
    before: float | None
    after: float | None

    def as_json(self) -> dict[str, object]:
        return {
            "kpi": self.kpi,
            "month": str(self.month),
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Changes:
    since: str
    """The previous pack's report month (YYYY-MM)."""
    values: tuple[Change, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    """KPI ids the previous pack had and this workbook has not, with their names."""
    removed_names: Mapping[str, str]


def compare(previous: Mapping[str, Any], workbook: Workbook) -> Changes:
    """The changes between ``previous`` (a kpireport/v1 pack JSON, schema-checked) and the
    workbook now."""
    since = Month.parse(str(previous["report_month"]))
    before_kpis = {str(k["id"]): k for k in previous["kpis"]}
    now_ids = [k.id for k in workbook.kpis]
    values: list[Change] = []
    for kpi_id in now_ids:
        old = before_kpis.get(kpi_id)
        series = old.get("series") if old else None
        if not series:
            continue
        fields: Sequence[tuple[Field, Mapping[Month, float]]] = (
            ("actual", workbook.actual_series(kpi_id)),
            ("target", workbook.target_series(kpi_id)),
        )
        for index, text in enumerate(series["months"]):
            month = Month.parse(str(text))
            if month > since:
                continue
            for field, now in fields:
                before = _number(series[field][index]) if index < len(series[field]) else None
                after = excel_round(now.get(month))
                if before != after:
                    values.append(Change(kpi_id, month, field, before, after))
    removed = tuple(k for k in before_kpis if k not in set(now_ids))
    order = {kpi: index for index, kpi in enumerate(now_ids)}
    return Changes(
        since=str(since),
        values=tuple(sorted(values, key=lambda c: (order[c.kpi], c.month, c.field))),
        added=tuple(k for k in now_ids if k not in before_kpis),
        removed=removed,
        removed_names={k: str(before_kpis[k].get("name", "")) for k in removed},
    )


def _number(value: object) -> float | None:
    return excel_round(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
