"""Accessible packs (issue: accessibility): every chart has a text alternative that says its
figures, every table header has a scope, every table has headers, and every colour that
carries text can be read. The PDF's structure tree is walked with pypdf; expected strings are
written here from the pack's JSON with the README's formatting rules, not by the pack's code."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_EN, SAMPLE_JA
from pypdf import PdfReader

from kpireport.build import BuildOptions, build_pack
from kpireport.cli import cli
from kpireport.presenting.palette import BASE_COLORS


def structure(pdf: Path) -> list[dict[str, Any]]:
    """Every element of the PDF's structure tree, depth first."""
    reader = PdfReader(pdf)
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def many_kpis(path: Path) -> Path:
    """60 KPIs over a year: more tables, charts and tree parts than the samples."""
    import openpyxl

    book = openpyxl.Workbook()
    sheets = {name: book.create_sheet(name) for name in ("Settings", "KGI", "KPI", "Targets", "Actuals")}
    book.remove(book.worksheets[0])
    for row in (["key", "value"], ["company", "Many KPIs Ltd."], ["fiscal_year_start", 4]):
        sheets["Settings"].append(row)
    sheets["KGI"].append(["id", "name", "target", "unit", "deadline", "measured_by"])
    sheets["KGI"].append(["G1", "Revenue", 1e6, "currency", dt.date(2027, 3, 31), "K00"])
    sheets["KPI"].append(["id", "name", "department", "kgi", "unit", "direction", "aggregation"])
    months = [f"2026-{m:02d}" for m in range(4, 13)] + [f"2027-{m:02d}" for m in range(1, 4)]
    sheets["Targets"].append(["id", *months])
    sheets["Actuals"].append(["id", *months[:7]])
    for i in range(60):
        unit = ("number", "currency", "percent")[i % 3]
        aggregation = "average" if unit == "percent" else "sum"
        sheets["KPI"].append([f"K{i:02d}", f"Measure {i}", f"Dept {i % 6}", "G1", unit, "higher", aggregation])
        base = 0.2 if unit == "percent" else 1000.0 + i
        sheets["Targets"].append([f"K{i:02d}", *[base] * 12])
        sheets["Actuals"].append([f"K{i:02d}", *[base * (0.9 + 0.03 * m) for m in range(7)]])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("a11y")
    built = {}
    for name, workbook in (("en", SAMPLE_EN), ("ja", SAMPLE_JA), ("many", many_kpis(out / "many.xlsx"))):
        result = build_pack(workbook, BuildOptions(out_dir=out, today=dt.date(2026, 11, 24)))
        built[name] = {path.suffix[1:]: path for path in result.outputs}
    return built


def shown(kpi: dict[str, Any], lang: str) -> str:
    """A KPI's actual as the README ("Figures as a board reads them") says the pack writes it:
    a rate to the one or two decimals its rates were typed with; money in the scale of the month's target, actual
    and last year's (English ¥ in full under a million, then millions to two decimals under
    ten million and one above; Japanese 円 under a million, 万円 whole, then 億円 to two
    decimals); a count whole; other figures to the decimals the KPI's figures were typed with."""
    month, unit = kpi["month"], kpi["unit"]
    value = month["actual"]
    if value is None:
        return "–"
    series = kpi["series"]
    typed = [v for v in (*series["target"], *series["actual"]) if v is not None]
    if unit == "percent":
        # As many decimals as the KPI's rates were typed with, one or two (25.60% beside 23.32%).
        two = any(round(v * 100, 1) != round(v * 100, 2) for v in typed)
        return f"{value * 100:.2f}%" if two else f"{value * 100:.1f}%"
    if unit == "currency":
        largest = max(abs(v) for v in (month["target"], value, month["prior"]) if v is not None)
        if lang == "ja":
            if largest < 1e6:
                return f"{value:,.0f}円"
            return f"{value / 1e4:,.0f}万円" if largest < 1e8 else f"{value / 1e8:,.2f}億円"
        if largest < 1e6:
            return f"¥{value:,.0f}"
        return f"¥{value / 1e6:,.2f}M" if largest < 1e7 else f"¥{value / 1e6:,.1f}M"
    if kpi["aggregation"] == "sum" and all(float(v).is_integer() for v in typed):
        return f"{value:,.0f}"
    decimals = max((next(d for d in range(3) if d == 2 or round(v, d) == round(v, 2)) for v in typed), default=0)
    return f"{value:,.{decimals}f}"


@pytest.mark.parametrize("name", ["en", "ja", "many"])
def test_every_figure_says_its_kpi_and_value(packs: dict[str, dict[str, Path]], name: str) -> None:
    elements = structure(packs[name]["pdf"])
    figures = [str(e.get("/Alt") or "") for e in elements if e["/S"] == "/Figure"]
    assert figures and all(alt.strip() for alt in figures)
    data = json.loads(packs[name]["json"].read_text(encoding="utf-8"))
    for kpi in data["kpis"]:
        value = shown(kpi, "ja" if name == "ja" else "en")
        assert any(alt.startswith(kpi["name"] + ("：" if name == "ja" else ":")) and value in alt for alt in figures), (
            kpi["name"]
        )
    for kgi in data["kgis"]:
        progress = f"{kgi['progress'] * 100:.1f}%"
        assert any(kgi["name"] in alt and progress in alt for alt in figures), kgi["name"]


@pytest.mark.parametrize("name", ["en", "ja", "many"])
def test_every_header_has_a_scope_and_every_table_headers(packs: dict[str, dict[str, Path]], name: str) -> None:
    elements = structure(packs[name]["pdf"])
    headers = [e for e in elements if e["/S"] == "/TH"]
    assert headers
    assert all(e["/A"].get("/Scope") in ("/Column", "/Row") for e in headers)
    tables = [e for e in elements if e["/S"] == "/Table"]

    def has_header(node: Any) -> bool:
        node = node.get_object()
        if not hasattr(node, "get"):
            return False
        if node.get("/S") == "/TH":
            return True
        kids = node.get("/K")
        kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
        return any(has_header(kid) for kid in kids if hasattr(kid, "get_object"))

    assert tables and all(has_header(t) for t in tables)


def test_a_kgi_card_heads_its_rows_and_a_table_its_columns(packs: dict[str, dict[str, Path]]) -> None:
    elements = structure(packs["en"]["pdf"])
    rows = [e for e in elements if e["/S"] == "/TR"]
    scopes = set()
    for row in rows:
        cells = [kid.get_object() for kid in row["/K"] if hasattr(kid, "get_object")]
        kinds = [c["/S"] for c in cells]
        for cell in cells:
            if cell["/S"] == "/TH":
                scopes.add((tuple(kinds), str(cell["/A"]["/Scope"])))
    assert (("/TH", "/TD", "/TH", "/TD"), "/Row") in scopes  # a KGI card: Actual | ¥… | Target | ¥…
    assert all(scope == "/Column" for kinds, scope in scopes if set(kinds) == {"/TH"})


def test_the_html_charts_carry_the_same_words(packs: dict[str, dict[str, Path]]) -> None:
    html = packs["en"]["html"].read_text(encoding="utf-8")
    svgs = re.findall(r"<svg [^>]*aria-label=\"([^\"]*)\"[^>]*><title>([^<]*)</title>", html)
    assert len(svgs) == html.count("<svg ")
    assert all(label == title and label for label, title in svgs)
    assert any(
        title.startswith("Leads generated: ") and " in Oct 2026 against a target of " in title for _, title in svgs
    )


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio, written out here from the definition."""

    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("key", ["primary", "accent", "green", "amber", "red", "none", "ink", "muted"])
def test_every_default_text_colour_reads_on_white(key: str) -> None:
    assert contrast(BASE_COLORS[key], "#ffffff") >= 4.5


def test_a_theme_colour_too_pale_for_text_is_named_in_a_warning(tmp_path: Path) -> None:
    theme = tmp_path / "brand.toml"
    theme.write_text('[colors]\namber = "#ffbf00"\ngreen = "#2e7d32"\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["build", str(SAMPLE_EN), "-o", str(tmp_path), "--format", "json", "--theme", str(theme)]
    )
    assert result.exit_code == 0, result.output
    ratio = contrast("#ffbf00", "#ffffff")  # 1.6:1
    assert (
        f"Warning: theme brand.toml: colors.amber #ffbf00 has a contrast of {ratio:.2f}:1 with white, below the "
        "4.5:1 text needs to be read (WCAG AA); choose a darker colour."
    ) in result.output
    assert "colors.green" not in result.output
