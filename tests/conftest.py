"""Shared fixtures: a small, valid KPI workbook built with openpyxl, which tests change."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpireport.model import CellIssue, Kgi, Kpi, Month, Settings, Workbook

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_workbooks"
SAMPLE_EN = SAMPLES / "kpi-sample-en.xlsx"
SAMPLE_JA = SAMPLES / "kpi-sample-ja.xlsx"
CORPUS = REPO.parent / "shared" / "corpus" / "xlsx"

Rows = list[list[Any]]


def minimal_sheets() -> dict[str, Rows]:
    """Fiscal year from April 2026; two KPIs (one lower-is-better), three months of data."""
    months = ["2026-04", "2026-05", "2026-06"]
    return {
        "Settings": [
            ["key", "value"],
            ["company", "Acme Ltd."],
            ["fiscal_year_start", 4],
            ["currency", "JPY"],
            ["locale", "en"],
        ],
        "KGI": [
            ["id", "name", "target", "unit", "deadline", "measured_by", "owner"],
            ["G1", "Revenue", 1200, "currency", dt.date(2027, 3, 31), "K1", "CEO"],
        ],
        "KPI": [
            ["id", "name", "department", "kgi", "perspective", "unit", "direction", "aggregation", "kind", "owner"],
            ["K1", "New revenue", "Sales", "G1", None, "currency", "higher", "sum", "kpi", "Ann"],
            ["K2", "Cost per lead", "Marketing", "G1", None, "currency", "lower", "average", "kpi", "Bob"],
        ],
        "Targets": [
            [
                "id",
                *months,
                "2026-07",
                "2026-08",
                "2026-09",
                "2026-10",
                "2026-11",
                "2026-12",
                "2027-01",
                "2027-02",
                "2027-03",
            ],
            ["K1", *([100] * 12)],
            ["K2", *([50] * 12)],
        ],
        "Actuals": [
            ["id", *months],
            ["K1", 90, 110, 120],
            ["K2", 40, 55, 50],
        ],
        "Comments": [
            ["kpi", "month", "comment", "action", "owner"],
            ["K1", "2026-06", "Strong June", "Keep going", "Ann"],
        ],
    }


def write_sheets(path: Path, sheets: dict[str, Rows]) -> Path:
    book = openpyxl.Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def make_workbook(tmp_path: Path) -> Callable[..., Path]:
    """make_workbook(change=fn, name=...) writes minimal_sheets(), after fn(sheets) edits them."""

    def make(change: Callable[[dict[str, Rows]], None] | None = None, name: str = "book.xlsx") -> Path:
        sheets = minimal_sheets()
        if change is not None:
            change(sheets)
        return write_sheets(tmp_path / name, sheets)

    return make


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- in-memory models for rule and report tests ---------------------------------------------

OCT = Month(2026, 10)
YEAR = [Month(2026, 4).shift(i) for i in range(12)]


def kpi(id_: str, **fields: object) -> Kpi:
    base: dict[str, object] = {"name": f"Deals closed {id_}", "department": "Sales", "kgi": "G1", "unit": "number"}
    return Kpi(id=id_, **{**base, **fields})  # type: ignore[arg-type]


def book(
    kpis: list[Kpi],
    *,
    actuals: dict[str, dict[Month, float]] | None = None,
    targets: dict[str, dict[Month, float]] | None = None,
    kgis: list[Kgi] | None = None,
    issues: tuple[CellIssue, ...] = (),
    locale: str = "en",
) -> Workbook:
    """Every KPI on target (100 a month, all year) unless told otherwise."""
    flat_targets = {k.id: dict.fromkeys(YEAR, 100.0) for k in kpis}
    flat_actuals = {k.id: {m: 100.0 for m in YEAR if m <= OCT} for k in kpis}
    return Workbook(
        settings=Settings(company="Acme", fiscal_year_start=4, locale=locale),  # type: ignore[arg-type]
        kgis=tuple(kgis if kgis is not None else [Kgi("G1", "Revenue", 1200.0, deadline=dt.date(2027, 3, 31))]),
        kpis=tuple(kpis),
        targets={**flat_targets, **(targets or {})},
        actuals={**flat_actuals, **(actuals or {})},
        cell_issues=issues,
        months=tuple(YEAR),
    )
