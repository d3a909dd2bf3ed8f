"""SPEC v1.1 §3 comparisons end to end: variance, prior year, year-on-year change and the
outlook, in the JSON, from workbooks made here; expectations worked by hand or with Decimal
from the SPEC alone."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from test_spec_numbers import FY_2025, FY_2026, build_json, excel, kpi_row, pdf_rows, workbook

TWO_YEARS = FY_2025 + FY_2026


def two_year_book(tmp_path: Path, kpi: list[object], last_year: list[float], this_year: list[float], target: float,
                  forecast: dict[str, float] | None = None) -> Path:  # fmt: skip
    actuals = dict(zip(FY_2025, last_year, strict=True)) | dict(zip(FY_2026, this_year, strict=False))
    kpi_id = str(kpi[0])
    return workbook(
        tmp_path / f"{kpi_id}.xlsx",
        [kpi],
        {kpi_id: dict.fromkeys(TWO_YEARS, target)},
        {kpi_id: actuals},
        months=TWO_YEARS,
        forecast={kpi_id: forecast} if forecast is not None else None,
    )


def test_a_sum_kpi_with_last_year_and_a_forecast_sheet_with_gaps(tmp_path: Path) -> None:
    path = two_year_book(
        tmp_path,
        kpi_row("S1", "New deals"),
        [80.0] * 12,
        [90.0, 110.0, 120.0],
        100.0,
        forecast={"2026-07": 150.0, "2026-09": 130.0},  # August and October on are left empty
    )
    kpi = build_json(path, tmp_path / "out")["kpis"][0]
    # June: 120 against 100, 20 to the good; June last year 80: +50%.
    assert {k: kpi["month"][k] for k in ("variance", "favorable", "prior", "yoy_pct")} == {
        "variance": 20.0,
        "favorable": True,
        "prior": 80.0,
        "yoy_pct": 0.5,
    }
    # Q1 (Apr-Jun) = YTD: 320 against 300; last year's same three months 240.
    for period in ("qtd", "ytd"):
        got = kpi[period]
        assert (got["variance"], got["favorable"], got["prior"]) == (20.0, True, 240.0)
        assert got["yoy_pct"] == excel(Decimal(80) / Decimal(240))
    # Outlook: 320 so far + July 150 + September 130 + the run rate 320/3 for the 7 empty months.
    outlook = Decimal(320) + 150 + 130 + 7 * (Decimal(320) / 3)
    forecast = kpi["forecast"]
    assert forecast["projected"] == 1280.0 and forecast["full_year_target"] == 1200.0
    assert forecast["outlook"] == excel(outlook)
    assert forecast["outlook_attainment"] == excel(excel_decimal(outlook) / 1200)
    assert kpi["series"]["months"] == FY_2026
    assert kpi["series"]["actual"][:4] == [90.0, 110.0, 120.0, None]
    assert kpi["series"]["forecast"][3:6] == [150.0, None, 130.0]


def excel_decimal(value: Decimal) -> Decimal:
    return Decimal(f"{value:.15g}")


def test_lower_is_better_variance_is_favourable_below_target(tmp_path: Path) -> None:
    cpa = kpi_row("C1", "Cost per lead", "currency", "lower", aggregation="average")
    path = two_year_book(tmp_path, cpa, [60.0] * 12, [45.0, 55.0, 50.0], 50.0)
    june = build_json(path, tmp_path / "june")["kpis"][0]
    assert (june["month"]["variance"], june["month"]["favorable"]) == (0.0, True)  # on target exactly
    assert june["month"]["yoy_pct"] == excel(Decimal(-10) / Decimal(60))
    assert (june["qtd"]["actual"], june["qtd"]["prior"], june["qtd"]["variance"]) == (50.0, 60.0, 0.0)
    may = build_json(path, tmp_path / "may", "--month", "2026-05")["kpis"][0]
    assert (may["month"]["variance"], may["month"]["favorable"]) == (5.0, False)  # 55 costs more than 50
    assert (may["ytd"]["variance"], may["ytd"]["favorable"]) == (0.0, True)  # average of 45 and 55
    assert june["forecast"] is None  # an average has no full-year sum


def test_a_last_value_kpi_compares_the_last_months(tmp_path: Path) -> None:
    headcount = kpi_row("H1", "Headcount", aggregation="last")
    path = two_year_book(tmp_path, headcount, [10.0 + i for i in range(12)], [22.0, 23.0, 24.0], 25.0)
    qtd = build_json(path, tmp_path / "out")["kpis"][0]["qtd"]
    # The quarter's last month, June: 24 against 25; June last year was 12.
    assert (qtd["actual"], qtd["target"], qtd["variance"], qtd["favorable"]) == (24.0, 25.0, -1.0, False)
    assert (qtd["prior"], qtd["yoy_pct"]) == (12.0, 1.0)


def test_one_year_of_data_has_no_prior_never_zero(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "one.xlsx",
        [kpi_row("S1", "New deals")],
        {"S1": dict.fromkeys(FY_2026, 100.0)},
        {"S1": {"2026-04": 90.0, "2026-05": 110.0}},
    )
    kpi = build_json(path, tmp_path / "out")["kpis"][0]
    for period in ("month", "qtd", "ytd"):
        assert (kpi[period]["prior"], kpi[period]["yoy_pct"]) == (None, None), period
    # Without a Forecast sheet the outlook runs at the run rate: 200 + 10 × 100.
    assert kpi["forecast"]["outlook"] == 1200.0 and kpi["forecast"]["outlook_attainment"] == 1.0


def test_a_missing_month_last_year_makes_the_quarter_incomparable(tmp_path: Path) -> None:
    path = two_year_book(tmp_path, kpi_row("S1", "New deals"), [80.0] * 12, [90.0, 110.0, 120.0], 100.0)
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["Actuals"]["C2"] = None  # 2025-05 cleared
    book.save(path)
    kpi = build_json(path, tmp_path / "out")["kpis"][0]
    assert kpi["month"]["prior"] == 80.0  # June last year is there
    assert kpi["qtd"]["prior"] is None and kpi["qtd"]["yoy_pct"] is None


def test_an_october_fiscal_year_compares_october_to_december(tmp_path: Path) -> None:
    months = [f"{2025 + (9 + i) // 12}-{(9 + i) % 12 + 1:02d}" for i in range(15)]  # 2025-10 .. 2026-12
    actuals = dict.fromkeys(months[:12], 10.0) | {"2026-10": 12.0, "2026-11": 12.0, "2026-12": 15.0}
    path = workbook(
        tmp_path / "oct.xlsx",
        [kpi_row("S1", "New deals")],
        {"S1": dict.fromkeys(months, 10.0)},
        {"S1": actuals},
        settings=[["fiscal_year_start", 10]],
        months=months,
    )
    ytd = build_json(path, tmp_path / "out")["kpis"][0]["ytd"]
    # FY from October 2026: 39 against 30 last year's October-December.
    assert (ytd["actual"], ytd["prior"], ytd["yoy_pct"]) == (39.0, 30.0, 0.3)


@pytest.mark.parametrize(
    ("kpi", "target", "actual", "row_end"),
    [
        (kpi_row("P1", "Win rate", "percent", aggregation="average"), 0.2, 0.18, "−2.0pt"),
        (kpi_row("S1", "New revenue", "currency"), 100.0, 120.0, "+¥20"),
    ],
)
def test_the_department_table_shows_variance_in_the_kpis_unit(
    tmp_path: Path, kpi: list[object], target: float, actual: float, row_end: str
) -> None:
    kpi_id = str(kpi[0])
    path = workbook(tmp_path / "v.xlsx", [kpi], {kpi_id: dict.fromkeys(FY_2026, target)}, {kpi_id: {"2026-04": actual}})
    row = pdf_rows(path, tmp_path / "pdf")[str(kpi[1])]
    assert row_end in row, row
