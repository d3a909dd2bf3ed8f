"""SPEC v1.1 §3 end to end: workbooks made here, built with the real CLI, and the JSON, the PDF
text and `check` compared with values worked out by hand (or with Decimal) from the SPEC alone.

Nothing here calls the metric functions under test to make an expectation.
"""

from __future__ import annotations

import datetime as dt
import email
import json
from decimal import Decimal
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import write_sheets
from pypdf import PdfReader

from kpireport.cli import cli

FY_2026 = [f"{2026 + (4 + i - 1) // 12}-{(4 + i - 1) % 12 + 1:02d}" for i in range(12)]  # 2026-04 .. 2027-03
FY_2025 = [f"{2025 + (4 + i - 1) // 12}-{(4 + i - 1) % 12 + 1:02d}" for i in range(12)]
KPI_HEADER = ["id", "name", "department", "kgi", "perspective", "unit", "direction", "aggregation", "kind", "owner"]
KGI_HEADER = ["id", "name", "target", "unit", "deadline", "measured_by", "owner", "start"]


def excel(exact: Decimal) -> float:
    """SPEC §3: a figure as written, to 15 significant digits."""
    return float(f"{exact:.15g}")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def workbook(
    path: Path,
    kpis: list[list[Any]],
    targets: dict[str, dict[str, float]],
    actuals: dict[str, dict[str, float]],
    *,
    settings: list[list[Any]] | None = None,
    kgis: list[list[Any]] | None = None,
    months: list[str] = FY_2026,
    forecast: dict[str, dict[str, float]] | None = None,
) -> Path:
    """A workbook with an April fiscal year; ``targets``/``actuals``/``forecast`` map KPI id →
    month → value (``forecast``: the optional Forecast sheet)."""

    def sheet(values: dict[str, dict[str, float]]) -> list[list[Any]]:
        return [["id", *months], *([k, *(values.get(k, {}).get(m) for m in months)] for k in values)]

    sheets = {
        "Settings": [["key", "value"], ["company", "Acme Ltd."], ["fiscal_year_start", 4], *(settings or [])],
        "KGI": [KGI_HEADER, *(kgis or [["G1", "Goal", 1000, "number", dt.date(2027, 3, 31), None, "CEO"]])],
        "KPI": [KPI_HEADER, *kpis],
        "Targets": sheet(targets),
        "Actuals": sheet(actuals),
    }
    if forecast is not None:
        sheets["Forecast"] = sheet(forecast)
    return write_sheets(path, sheets)


def build_json(path: Path, out: Path, *extra: str) -> dict[str, Any]:
    result = run("build", path, "-o", out, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(next(out.glob(f"{path.stem}-*.json")).read_text(encoding="utf-8"))


def pdf_text(path: Path, out: Path) -> str:
    result = run("build", path, "-o", out, "--format", "pdf")
    assert result.exit_code == 0, result.output
    return "\n".join(page.extract_text() or "" for page in PdfReader(next(out.glob(f"{path.stem}-*.pdf"))).pages)


def pdf_rows(path: Path, out: Path) -> dict[str, str]:
    """Build the PDF and return the text of each department's table, after its header, by the
    name of its first KPI (these workbooks give each department one KPI); the page footer, or
    the KPI's drafted comment under its row ("Win rate was …"), ends it."""
    lines = pdf_text(path, out).splitlines()
    header = [i for i, line in enumerate(lines) if line.startswith("KPI Target Actual")]
    rows = {}
    for i in header:
        name = lines[i + 1]
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(("Acme Ltd.", f"{name} was ")))
        rows[lines[i + 1]] = " ".join(lines[i + 1 : end])
    return rows


def kpi_row(kpi_id: str, name: str, unit: str = "number", direction: str = "higher", **more: str) -> list[Any]:
    return [
        kpi_id,
        name,
        more.get("department", "Sales"),
        "G1",
        None,
        unit,
        direction,
        more.get("aggregation", "sum"),
        more.get("kind", "kpi"),
        "Ann",
    ]


# -- exact thresholds -------------------------------------------------------------------------

THREE_MONTHS = FY_2026[:3]  # report month 2026-06


def _sweep_cases(green_at: Decimal, amber_at: Decimal, kind: str) -> list[tuple[str, str, Decimal, Decimal, str]]:
    """(id, direction, target, actual, expected status) for every target 1%..99%: attainment
    exactly at green_at, exactly at amber_at, and 0.001 below amber_at, in both directions.
    attainment = actual/target (higher) or target/actual (lower), so for `lower` the target is
    the actual scaled by the wanted attainment."""
    cases = []
    for k in range(1, 100):
        p = Decimal(k) / 100
        for level, ratio, expected in (
            ("green", green_at, "green"),
            ("amber", amber_at, "amber"),
            ("below", amber_at - Decimal("0.001"), "red"),
        ):
            cases.append((f"H{k}-{level}", "higher", p, p * ratio, expected))
            cases.append((f"L{k}-{level}", "lower", p * ratio, p, expected))
    return [(f"{kind}-{i}", d, t, a, e) for i, d, t, a, e in cases]


@pytest.mark.parametrize(
    ("green_at", "amber_at", "kind", "settings"),
    [
        (Decimal("1"), Decimal("0.9"), "kpi", []),
        (Decimal("0.95"), Decimal("0.8"), "kpi", [["green_at", 0.95], ["amber_at", 0.8]]),
        (Decimal("0.7"), Decimal("0.4"), "okr", []),  # SPEC §3: okr KPIs use 0.70 / 0.40
    ],
)
def test_status_at_exact_thresholds_over_a_sweep_of_targets(
    tmp_path: Path, green_at: Decimal, amber_at: Decimal, kind: str, settings: list[list[Any]]
) -> None:
    cases = _sweep_cases(green_at, amber_at, kind)
    path = workbook(
        tmp_path / "sweep.xlsx",
        [kpi_row(i, f"Rate {i}", "percent", d, aggregation="average", kind=kind) for i, d, _, _, _ in cases],
        {i: dict.fromkeys(FY_2026, float(t)) for i, _, t, _, _ in cases},
        {i: dict.fromkeys(THREE_MONTHS, float(a)) for i, _, _, a, _ in cases},
        settings=settings,
    )
    data = build_json(path, tmp_path / "out")
    by_id = {k["id"]: k for k in data["kpis"]}
    wrong = []
    for kpi_id, direction, target, actual, expected in cases:
        got = by_id[kpi_id]
        want_attainment = float(actual / target if direction == "higher" else target / actual)
        # Three identical months: the month, QTD and YTD all say the same, and three red
        # months in a row are a red streak of 3 (none for amber or green).
        observed = (
            got["month"]["attainment"],
            got["month"]["status"],
            got["qtd"]["status"],
            got["ytd"]["attainment"],
            got["ytd"]["status"],
            got["red_streak"],
        )
        wanted = (want_attainment, expected, expected, want_attainment, expected, 3 if expected == "red" else 0)
        if observed != wanted:
            wrong.append((kpi_id, float(target), float(actual), observed, wanted))
    assert not wrong, f"{len(wrong)} of {len(cases)} cases wrong, e.g. {wrong[:3]}"


def test_win_rate_18_of_20_percent_is_amber_in_json_and_pdf(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "win.xlsx",
        [
            kpi_row("S1", "Win rate", "percent", aggregation="average"),
            kpi_row("S2", "Churn rate", "percent", "lower", aggregation="average", department="Success"),
        ],
        {"S1": dict.fromkeys(FY_2026, 0.2), "S2": dict.fromkeys(FY_2026, 0.045)},
        {"S1": {"2026-04": 0.18}, "S2": {"2026-04": 0.05}},
    )
    data = build_json(path, tmp_path / "out")
    assert [(k["month"]["attainment"], k["month"]["status"]) for k in data["kpis"]] == [(0.9, "amber"), (0.9, "amber")]
    rows = pdf_rows(path, tmp_path / "pdf")
    # target, actual, attainment, status, variance (points), vs last month, vs last year, QTD, YTD, forecast
    assert rows["Win rate"].endswith("20.0% 18.0% 90.0% Watch −2.0pt – – 90.0% 90.0% –"), rows
    assert rows["Churn rate"].endswith("4.5% 5.0% 90.0% Watch +0.5pt – – 90.0% 90.0% –"), rows


def test_ytd_of_targets_that_sum_with_float_noise_is_exactly_on_target(tmp_path: Path) -> None:
    # 0.1 + 0.2 + 0.3 is 0.6000000000000001 in binary floating point; Excel keeps 0.6.
    path = workbook(
        tmp_path / "noise.xlsx",
        [kpi_row("K1", "Share of wallet", "percent")],
        {"K1": {"2026-04": 0.1, "2026-05": 0.2, "2026-06": 0.3}},
        {"K1": {"2026-04": 0.15, "2026-05": 0.15, "2026-06": 0.3}},
    )
    ytd = build_json(path, tmp_path / "out")["kpis"][0]["ytd"]
    assert (ytd["target"], ytd["actual"], ytd["attainment"], ytd["status"]) == (0.6, 0.6, 1.0, "green")


# -- roll-ups and forecast --------------------------------------------------------------------


def test_forecast_is_null_with_targets_for_part_of_the_year(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "partial.xlsx",
        [kpi_row("K1", "New revenue", "currency")],
        {"K1": {"2026-04": 100, "2026-05": 100, "2026-06": 100}},
        {"K1": {"2026-04": 100, "2026-05": 100, "2026-06": 100}},
    )
    data = build_json(path, tmp_path / "out")
    assert data["kpis"][0]["forecast"] is None
    smart_t = [f for f in data["findings"] if f["code"] == "SMART-T" and f["kpi"] == "K1"]
    assert len(smart_t) == 1 and "9 month(s)" in smart_t[0]["message"], smart_t
    assert "2026-07" in smart_t[0]["message"] and "2027-03" in smart_t[0]["message"]
    row = pdf_rows(path, tmp_path / "pdf")["New revenue"]
    assert row.endswith(" 100.0% 100.0% –"), row  # QTD, YTD and no forecast
    assert "400.0%" not in row and "¥1,200" not in row, row


def test_forecast_with_a_full_year_of_targets(tmp_path: Path) -> None:
    targets = {m: 100.0 + 10 * i for i, m in enumerate(FY_2026)}  # 100, 110, ... 210: 1,860 in all
    path = workbook(
        tmp_path / "full.xlsx",
        [kpi_row("K1", "New revenue", "currency")],
        {"K1": targets},
        {"K1": {"2026-04": 90, "2026-05": 120, "2026-06": 105}},
    )
    forecast = build_json(path, tmp_path / "out")["kpis"][0]["forecast"]
    # (90 + 120 + 105) / 3 × 12 = 1,260 against 1,860; attainment 1,260 / 1,860.
    assert forecast["projected"] == 1260.0
    assert forecast["full_year_target"] == 1860.0
    assert forecast["attainment"] == excel(Decimal(1260) / Decimal(1860))


def test_a_month_with_an_actual_but_no_target_is_left_out_of_qtd_and_ytd(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "gap.xlsx",
        [kpi_row("K1", "Deals won")],
        {"K1": {"2026-04": 100, "2026-05": 100}},
        {"K1": {"2026-04": 90, "2026-05": 100, "2026-06": 300}},
    )
    kpi = build_json(path, tmp_path / "out")["kpis"][0]
    assert kpi["month"]["status"] == "no_data"  # nothing to judge June against
    assert (kpi["qtd"]["target"], kpi["qtd"]["actual"], kpi["qtd"]["attainment"]) == (200.0, 190.0, 0.95)
    assert (kpi["ytd"]["target"], kpi["ytd"]["actual"], kpi["ytd"]["status"]) == (200.0, 190.0, "amber")
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    left_out = [f for f in findings if f["code"] == "SMART-T" and "left out of QTD and YTD" in f["message"]]
    assert len(left_out) == 1 and "2026-06" in left_out[0]["message"]


@pytest.mark.parametrize(
    ("aggregation", "qtd", "ytd"),
    [
        # Q1 Apr-Jun, Q2 Jul-Aug so far; targets 10/month, actuals 8, 12, 10, 6, 9.
        ("sum", (20.0, 15.0, 0.75), (50.0, 45.0, 0.9)),
        ("average", (10.0, 7.5, 0.75), (10.0, 9.0, 0.9)),
        ("last", (10.0, 9.0, 0.9), (10.0, 9.0, 0.9)),
    ],
)
def test_quarter_and_year_to_date_by_aggregation(
    tmp_path: Path, aggregation: str, qtd: tuple[float, float, float], ytd: tuple[float, float, float]
) -> None:
    path = workbook(
        tmp_path / f"{aggregation}.xlsx",
        [kpi_row("K1", "Deals won", aggregation=aggregation)],
        {"K1": dict.fromkeys(FY_2026, 10)},
        {"K1": {"2026-04": 8, "2026-05": 12, "2026-06": 10, "2026-07": 6, "2026-08": 9}},
    )
    kpi = build_json(path, tmp_path / "out")["kpis"][0]
    assert (kpi["qtd"]["target"], kpi["qtd"]["actual"], kpi["qtd"]["attainment"]) == qtd
    assert (kpi["ytd"]["target"], kpi["ytd"]["actual"], kpi["ytd"]["attainment"]) == ytd


def test_a_fiscal_year_starting_in_october_rolls_up_from_october(tmp_path: Path) -> None:
    months = ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]
    path = workbook(
        tmp_path / "oct.xlsx",
        [kpi_row("K1", "Deals won")],
        {"K1": dict.fromkeys(months, 10)},
        {"K1": dict.fromkeys(months, 10) | {"2026-09": 50}},
        settings=[["fiscal_year_start", 10]],
        months=months,
    )
    kpi = build_json(path, tmp_path / "out")["kpis"][0]
    # Oct-Dec is Q1, January opens Q2; September belongs to the fiscal year before.
    assert (kpi["qtd"]["actual"], kpi["ytd"]["actual"]) == (10.0, 40.0)


# -- units and changes ------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["percent", "%", "％", "パーセント", " Percent "])
def test_every_spelling_of_percent_is_percent(tmp_path: Path, unit: str) -> None:
    path = workbook(
        tmp_path / "churn.xlsx",
        [kpi_row("C1", "Churn rate", unit, "lower", aggregation="average")],
        {"C1": dict.fromkeys(FY_2026, 0.05)},
        {"C1": {"2026-04": 0.04}},
    )
    kpi = build_json(path, tmp_path / "out")["kpis"][0]
    assert kpi["unit"] == "percent"
    row = pdf_rows(path, tmp_path / "pdf")["Churn rate"]
    assert " 5.0% 4.0% 125.0% On target " in row, row


def test_percent_kpis_move_in_points_only_in_every_output(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "movers.xlsx",
        [
            kpi_row("S1", "Win rate", "percent", aggregation="average"),
            kpi_row("S2", "Deals won", department="Sales"),
        ],
        {"S1": dict.fromkeys(FY_2026, 0.2), "S2": dict.fromkeys(FY_2026, 100)},
        {"S1": {"2026-04": 0.20, "2026-05": 0.18}, "S2": {"2026-04": 100, "2026-05": 110}},
    )
    out = tmp_path / "out"
    result = run("build", path, "-o", out)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "movers-2026-05.json").read_text(encoding="utf-8"))
    win = data["kpis"][0]["mom"]
    # 0.18 - 0.20 is -0.020000000000000018 in floats; 15 digits make it -0.02, i.e. -10%.
    assert (win["previous"], win["delta"], win["delta_pct"], win["trend"]) == (0.2, -0.02, -0.1, "worsening")
    text = "\n".join(page.extract_text() or "" for page in PdfReader(out / "movers-2026-05.pdf").pages)
    assert "−2.0pt" in text and "−10.0%" not in text
    assert "+10" in text and "+10.0%" in text  # a count keeps its relative change
    sent = run("send", out / "movers-2026-05.pdf", "--to", "cfo@example.com", "--dry-run")
    assert sent.exit_code == 0, sent.output
    message = email.message_from_bytes((out / "movers-2026-05.eml").read_bytes(), policy=default_policy)
    body = message.get_body(("plain",))
    assert body is not None
    plain = body.get_content()
    mover = next(line for line in plain.splitlines() if line.startswith("- Win rate"))
    assert mover == "- Win rate: −2.0pt", mover
    assert next(line for line in plain.splitlines() if line.startswith("- Deals won")) == "- Deals won: +10 (+10.0%)"


# -- KGIs ----------------------------------------------------------------------------------


def test_a_two_year_kgi_with_start_accumulates_across_the_year_end(tmp_path: Path) -> None:
    months = FY_2025 + FY_2026[:3]
    kgis = [
        ["G1", "Two-year revenue", 3000, "number", dt.date(2027, 3, 31), "K1", "CEO", "2025-04"],
        ["G2", "This year's revenue", 1200, "number", dt.date(2027, 3, 31), "K1", "CEO"],
    ]
    path = workbook(
        tmp_path / "two-year.xlsx",
        [kpi_row("K1", "New revenue")],
        {"K1": dict.fromkeys(months, 100)},
        {"K1": dict.fromkeys(months, 100)},
        kgis=kgis,
        months=months,
    )
    two_year, this_year = build_json(path, tmp_path / "out")["kgis"]
    # From 2025-04: 15 months of 100. Days elapsed 2025-04-01 .. 2026-06-30 = 456 of 730.
    assert (two_year["actual"], two_year["progress"]) == (1500.0, 0.5)
    assert two_year["expected_progress"] == excel(Decimal(456) / Decimal(730))
    assert two_year["on_track"] is False  # 0.5 < 0.6247
    # Without start the KGI is this fiscal year's: 3 months; 91 of 365 days.
    assert (this_year["actual"], this_year["progress"]) == (300.0, 0.25)
    assert this_year["expected_progress"] == excel(Decimal(91) / Decimal(365))
    assert this_year["on_track"] is True
    text = pdf_text(path, tmp_path / "pdf")
    assert "Two-year revenue Off track" in text and "Actual 1,500 Target 3,000" in text
    assert "Progress 50.0% Expected 62.5%" in text  # 456/730 = 62.47%
    assert "This year's revenue On track" in text and "Progress 25.0% Expected 24.9%" in text


@pytest.mark.parametrize(
    ("kpi", "kgi_target", "latest", "progress", "on_track"),
    [
        # NPS 36 against 40: a level goal, 36/40.
        (kpi_row("N1", "NPS", aggregation="average"), 40, 36, 0.9, False),
        (kpi_row("N1", "NPS", aggregation="last"), 40, 44, 1.1, True),
        # churn <= 2%: target/actual, 0.02/0.025 = 0.8. (A lower *sum* KPI is a budget since
        # SPEC v1.2, judged cumulatively: tests/test_spec_goals.py.)
        (kpi_row("N1", "Churn rate", "percent", "lower", aggregation="average"), 0.02, 0.025, 0.8, False),
    ],
)
def test_level_goals_are_judged_by_their_latest_value(
    tmp_path: Path, kpi: list[Any], kgi_target: float, latest: float, progress: float, on_track: bool
) -> None:
    kgis = [["G1", "Goal", kgi_target, "number", dt.date(2027, 3, 31), "N1", "CEO"]]
    actuals = {"2026-04": latest * 2, "2026-05": latest * 3, "2026-06": latest}
    path = workbook(
        tmp_path / "level.xlsx", [kpi], {"N1": dict.fromkeys(FY_2026, kgi_target)}, {"N1": actuals}, kgis=kgis
    )
    kgi = build_json(path, tmp_path / "out")["kgis"][0]
    assert (kgi["actual"], kgi["progress"], kgi["expected_progress"], kgi["on_track"]) == (
        latest,
        progress,
        None,
        on_track,
    )


def test_a_level_goal_in_the_pdf_has_no_expected_progress(tmp_path: Path) -> None:
    kgis = [["G1", "Customers stay", 0.02, "percent", dt.date(2027, 3, 31), "N1", "CEO"]]
    path = workbook(
        tmp_path / "churn.xlsx",
        [kpi_row("N1", "Churn rate", "percent", "lower", aggregation="average")],
        {"N1": dict.fromkeys(FY_2026, 0.02)},
        {"N1": {"2026-04": 0.015, "2026-05": 0.025}},
        kgis=kgis,
    )
    text = pdf_text(path, tmp_path / "pdf")
    # Latest churn 2.5% against ≤ 2.0%: 0.02 / 0.025 = 80%, off track; no time-based expectation.
    assert "Customers stay Off track" in text and "Actual 2.5% Target 2.0%" in text
    assert "Progress 80.0% Expected –" in text


# -- check: design before data, and missing rows ------------------------------------------------


def test_check_reviews_a_plan_with_targets_and_no_actual_yet(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "plan.xlsx",
        [kpi_row("K1", "Deals won"), kpi_row("K2", "Win rate", "percent", aggregation="average")],
        {"K1": dict.fromkeys(FY_2026, 10), "K2": dict.fromkeys(FY_2026[:6], 0.25)},
        {"K1": {}, "K2": {}},
    )
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["kpi"]) for f in findings] == [("SMART-T", "K2")]
    assert "6 month(s)" in findings[0]["message"]
    assert "no actual yet" in result.stderr and "2026-04" in result.stderr


def test_check_of_a_fresh_template_exits_by_its_findings(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    assert run("init", path, "--year", "2026", "--fiscal-start", "4").exit_code == 0
    result = run("check", path)
    assert result.exit_code == 0, result.output  # missing targets are warnings, not errors
    assert "SMART-T" in result.stdout and "Traceback" not in result.output


def test_smart_m_reports_a_kpi_without_a_row_on_targets_or_actuals(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "rows.xlsx",
        [kpi_row("K1", "Deals won"), kpi_row("K2", "Calls made"), kpi_row("K3", "Visits")],
        {"K1": dict.fromkeys(FY_2026, 10), "K3": dict.fromkeys(FY_2026, 10)},
        {"K1": {"2026-04": 10}, "K2": {"2026-04": 10}},
    )
    result = run("check", path, "--format", "json")
    assert result.exit_code == 1, result.output
    smart_m = {
        (f["kpi"], f["severity"], f["where"]) for f in json.loads(result.stdout)["findings"] if f["code"] == "SMART-M"
    }
    assert smart_m == {("K2", "error", "KPI!A3"), ("K3", "warning", "KPI!A4")}
