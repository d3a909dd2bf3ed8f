"""SPEC §7, changes since the last pack: every earlier month's actual or target that differs
from what the previous pack's JSON said, and the KPIs added or removed since then.

A controller's first question is "did anyone change last month's numbers?". The comparison
is over the months the previous pack knew (its series, up to its report month) and uses the
15-digit figures both packs carry, so a value typed again unchanged is no change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kpireport.computing.metrics import excel_round
from kpireport.errors import PackError
from kpireport.model import Month, Workbook
from kpireport.schema import MAX_MAGNITUDE, MAX_YEAR, MIN_YEAR

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
    outlooks: Mapping[str, float] = dataclasses.field(default_factory=dict)
    """Each KGI's outlook in the previous pack, where it had one: how a landing moved (§3b)."""


def compare(previous: Mapping[str, Any], workbook: Workbook) -> Changes:
    """The changes between ``previous`` (a kpireport/v1 pack JSON) and the workbook now.

    ``previous`` is schema-checked, but it is a file anyone can edit and it is read by every
    later build into the same folder: each field read here is checked again, and a bad one is
    a PackError naming it, never a crash."""
    since = _month(previous.get("report_month"), "report_month")
    before_kpis = _kpis(previous.get("kpis"))
    now_ids = [k.id for k in workbook.kpis]
    values: list[Change] = []
    for kpi_id in now_ids:
        if kpi_id not in before_kpis:
            continue
        index, old = before_kpis[kpi_id]
        now: Mapping[Field, Mapping[Month, float]] = {
            "actual": workbook.actual_series(kpi_id),
            "target": workbook.target_series(kpi_id),
        }
        for month, figures in _known(old.get("series"), f"kpis[{index}].series"):
            if month > since:
                continue
            for field in FIELDS:
                after = excel_round(now[field].get(month))
                if figures[field] != after:
                    values.append(Change(kpi_id, month, field, figures[field], after))
    removed = tuple(k for k in before_kpis if k not in set(now_ids))
    order = {kpi: index for index, kpi in enumerate(now_ids)}
    return Changes(
        since=str(since),
        values=tuple(sorted(values, key=lambda c: (order[c.kpi], c.month, c.field))),
        added=tuple(k for k in now_ids if k not in before_kpis),
        removed=removed,
        removed_names={k: _text(before_kpis[k][1].get("name")) for k in removed},
        outlooks=_outlooks(previous.get("kgis")),
    )


def _outlooks(value: object) -> dict[str, float]:
    """The previous pack's KGI outlooks: only well-formed ones count (a bad one names no move)."""
    found: dict[str, float] = {}
    for kgi in value if isinstance(value, list) else []:
        if isinstance(kgi, Mapping) and isinstance(kgi.get("id"), str):
            outlook = kgi.get("outlook")
            if isinstance(outlook, (int, float)) and not isinstance(outlook, bool) and abs(outlook) <= MAX_MAGNITUDE:
                found[kgi["id"]] = float(outlook)
    return found


FIELDS: tuple[Field, ...] = ("actual", "target")


def _kpis(value: object) -> dict[str, tuple[int, Mapping[str, Any]]]:
    """The previous pack's KPIs by id, with their place in its list (for messages)."""
    if not isinstance(value, list):
        raise PackError("kpis: not a list of KPIs")
    kpis: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for index, kpi in enumerate(value):
        if not isinstance(kpi, Mapping) or not isinstance(kpi.get("id"), str):
            raise PackError(f"kpis[{index}]: not a KPI with an id")
        kpis[kpi["id"]] = (index, kpi)
    return kpis


def _known(series: object, where: str) -> Iterator[tuple[Month, dict[Field, float | None]]]:
    """Each month of a KPI's series in the previous pack with its actual and target; none for
    a pack written before packs carried series."""
    if series is None:
        return
    if not isinstance(series, Mapping):
        raise PackError(f"{where}: not an object of months and figures")
    months = series.get("months")
    if not isinstance(months, list):
        raise PackError(f"{where}.months: not a list of months")
    columns: dict[Field, list[object]] = {}
    for field in FIELDS:
        column = series.get(field)
        if not isinstance(column, list):
            raise PackError(f"{where}.{field}: not a list of figures")
        columns[field] = column
    seen: set[Month] = set()
    for index, text in enumerate(months):
        month = _month(text, f"{where}.months[{index}]")
        if month in seen:  # a month listed twice would be compared, and listed, twice
            continue
        seen.add(month)
        yield (
            month,
            {
                field: _figure(column[index], f"{where}.{field}[{index}]") if index < len(column) else None
                for field, column in columns.items()
            },
        )


def _month(value: object, where: str) -> Month:
    try:
        month = Month.parse(value) if isinstance(value, str) else None
    except ValueError:
        month = None
    # SPEC §6's years: a month outside them cannot be shown, so it cannot be compared.
    if month is None or not MIN_YEAR <= month.year <= MAX_YEAR:
        raise PackError(f"{where}: not a YYYY-MM month of the years {MIN_YEAR}–{MAX_YEAR}")
    return month


def _figure(value: object, where: str) -> float | None:
    """A figure as the workbook could hold it (SPEC §6): what the pack will show as "before"."""
    if value is None:
        return None
    # Compared before float(): a 400-digit integer cannot be converted, and 1e308 cannot be shown.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
        raise PackError(f"{where}: not a figure within ±{MAX_MAGNITUDE:.0e}")
    return excel_round(float(value))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
