"""End to end: build the sample workbooks and check what a user would check.

The JSON is compared with an independent calculation: the workbook is read again with
openpyxl (not the calamine reader under test) and SPEC §3 is applied in the plainest code.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import SAMPLE_EN, SAMPLE_JA
from pypdf import PdfReader

from kpireport.build import BuildOptions, build_pack

TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("packs")
    built: dict[str, dict[str, Path]] = {}
    for lang, sample in (("en", SAMPLE_EN), ("ja", SAMPLE_JA)):
        result = build_pack(sample, BuildOptions(out_dir=out, today=dt.date(2026, 11, 24)))
        built[lang] = {path.suffix[1:]: path for path in result.outputs}
    return built


def _oracle(path: Path) -> dict[str, Any]:
    """SPEC §3 computed from scratch for the report month, from an openpyxl read."""
    book = openpyxl.load_workbook(path, data_only=True)
    names = {name.strip().lower(): name for name in book.sheetnames}

    def sheet(*aliases: str) -> Any:
        return book[next(names[a.lower()] for a in aliases if a.lower() in names)]

    settings = {str(r[0]): r[1] for r in sheet("Settings", "設定").iter_rows(min_row=2, values_only=True) if r[0]}
    fy_start = int(settings.get("fiscal_year_start", settings.get("期首月", 1)))
    kpi_rows = list(sheet("KPI").iter_rows(values_only=True))
    kpis = {
        r[0]: dict(
            zip(["id", "name", "dept", "kgi", "persp", "unit", "direction", "aggregation", "kind"], r, strict=False)
        )
        for r in kpi_rows[1:]
    }

    def series(*aliases: str) -> dict[str, dict[tuple[int, int], float]]:
        rows = list(sheet(*aliases).iter_rows(values_only=True))
        months = [tuple(int(x) for x in str(h).split("-")) for h in rows[0][1:]]
        return {r[0]: {mo: float(v) for mo, v in zip(months, r[1:], strict=False) if v is not None} for r in rows[1:]}

    targets, actuals = series("Targets", "目標値"), series("Actuals", "実績")
    month = max(mo for s in actuals.values() for mo in s)

    def shift(mo: tuple[int, int], n: int) -> tuple[int, int]:
        i = mo[0] * 12 + mo[1] - 1 + n
        return (i // 12, i % 12 + 1)

    fy = (month[0] if month[1] >= fy_start else month[0] - 1, fy_start)
    year = [shift(fy, i) for i in range(12)]
    up_to = [mo for mo in year if mo <= month]
    quarter = up_to[(len(up_to) - 1) // 3 * 3 :]

    def att(t: float | None, a: float | None, lower: bool) -> float | None:
        if t is None or a is None or t <= 0:
            return None
        if lower:
            return t / a if a > 0 else None
        return a / t

    def agg(values: list[float], how: str) -> float | None:
        if not values:
            return None
        return sum(values) if how == "sum" else sum(values) / len(values) if how == "average" else values[-1]

    out: dict[str, Any] = {}
    for kid, k in kpis.items():
        lower = k["direction"] == "lower"
        t, a = targets[kid], actuals[kid]
        prev = a.get(shift(month, -1))
        cur = a.get(month)
        period = {}
        for label, months in (("qtd", quarter), ("ytd", up_to)):
            both = [mo for mo in months if mo in a and mo in t]  # SPEC v1.1: months with both values
            pa = agg([a[mo] for mo in both], k["aggregation"])
            pt = agg([t[mo] for mo in both], k["aggregation"])
            period[label] = (pt, pa, att(pt, pa, lower))
        forecast = None
        if k["aggregation"] == "sum" and all(mo in t for mo in year):  # null without all 12 targets
            have = [a[mo] for mo in up_to if mo in a and mo in t]
            projected = sum(have) / len(have) * 12
            full = sum(t[mo] for mo in year)
            forecast = (projected, full, att(full, projected, lower))
        out[kid] = {
            "month": (t.get(month), cur, att(t.get(month), cur, lower)),
            "delta": cur - prev if cur is not None and prev is not None else None,
            **period,
            "forecast": forecast,
        }
    out["_month"] = f"{month[0]:04d}-{month[1]:02d}"
    # The samples' KGIs are cumulative (sum KPIs) over this fiscal year: every actual so far.
    out["_kgi_actual"] = {
        r[0]: sum(actuals[r[5]][mo] for mo in up_to if mo in actuals[r[5]])
        for r in sheet("KGI").iter_rows(min_row=2, values_only=True)
        if r[0]
    }
    # SPEC v1.2: the expected progress follows the measuring KPI's phased plan, which the
    # samples have for every month: its targets to October over its twelve targets.
    out["_kgi_expected"] = {
        r[0]: sum(targets[r[5]][mo] for mo in up_to) / sum(targets[r[5]][mo] for mo in year)
        for r in sheet("KGI").iter_rows(min_row=2, values_only=True)
        if r[0]
    }
    return out


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= TOLERANCE * max(1.0, abs(b)))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_json_numbers_match_an_independent_calculation(packs: dict[str, dict[str, Path]], lang: str) -> None:
    sample = SAMPLE_EN if lang == "en" else SAMPLE_JA
    data = json.loads(packs[lang]["json"].read_text(encoding="utf-8"))
    expected = _oracle(sample)
    assert data["schema"] == "kpireport/v1"
    assert data["report_month"] == expected["_month"] == "2026-10"
    assert len(data["kpis"]) == 18
    for kpi in data["kpis"]:
        want = expected[kpi["id"]]
        got_month = (kpi["month"]["target"], kpi["month"]["actual"], kpi["month"]["attainment"])
        assert all(_close(g, w) for g, w in zip(got_month, want["month"], strict=True)), kpi["id"]
        assert _close(kpi["mom"]["delta"], want["delta"]), kpi["id"]
        for period in ("qtd", "ytd"):
            got = (kpi[period]["target"], kpi[period]["actual"], kpi[period]["attainment"])
            assert all(_close(g, w) for g, w in zip(got, want[period], strict=True)), (kpi["id"], period)
        if want["forecast"] is None:
            assert kpi["forecast"] is None
        else:
            got = (kpi["forecast"]["projected"], kpi["forecast"]["full_year_target"], kpi["forecast"]["attainment"])
            assert all(_close(g, w) for g, w in zip(got, want["forecast"], strict=True)), kpi["id"]
    for kgi in data["kgis"]:
        assert _close(kgi["actual"], expected["_kgi_actual"][kgi["id"]])
        assert _close(kgi["expected_progress"], expected["_kgi_expected"][kgi["id"]])
        assert kgi["expected_basis"] == "plan"
        assert kgi["on_track"] is (kgi["progress"] >= kgi["expected_progress"])


def test_json_has_exactly_the_spec_keys(packs: dict[str, dict[str, Path]]) -> None:
    data = json.loads(packs["en"]["json"].read_text(encoding="utf-8"))
    assert set(data) == {
        "schema",
        "company",
        "report_month",
        "currency",
        "locale",
        "kpis",
        "kgis",
        "changes",
        "findings",
        "summary",
        "quarterly",
        "source",
        "commentary",
        "actions",
    }
    assert set(data["kpis"][0]) == {
        "id", "name", "department", "kgi", "unit", "direction", "aggregation", "kind",
        "month", "mom", "qtd", "ytd", "forecast", "red_streak", "required_pace", "series",
    }  # fmt: skip
    assert set(data["kpis"][0]["month"]) == {
        "target", "actual", "attainment", "status", "variance", "favorable", "prior", "yoy_pct",
    }  # fmt: skip
    assert set(data["kpis"][0]["mom"]) == {"previous", "delta", "delta_pct", "trend"}
    assert set(data["kgis"][0]) == {
        "id", "name", "target", "actual", "progress", "expected_progress", "on_track", "required_pace",
        "projected", "outlook", "drivers", "state", "expected_basis",
    }  # fmt: skip
    churn = next(k for k in data["kpis"] if k["id"] == "CS-01")
    assert (churn["direction"], churn["month"]["status"], churn["red_streak"]) == ("lower", "red", 3)
    # SPEC v1.2 ALIGN: KGI-2 asks 600 customers while SAL-02's twelve targets add up to 666
    # (11% over: a warning); KGI-1's ¥1,360,000,000 against ¥1,362,448,000 is 0.18% (a note).
    # Churn is under review; two of the sample's actions are overdue (SPEC §3c). The three red
    # KPIs (SAL-04, CS-01, CS-02) are all KGI-1's, which has an open action (A-03): no NO-ACTION.
    assert [(f["code"], f["severity"], f["kgi"]) for f in data["findings"]] == [
        ("REVIEW", "warning", None),
        ("ALIGN", "warning", "KGI-2"),
        ("OVERDUE", "warning", None),
        ("OVERDUE", "warning", None),
        ("ALIGN", "info", "KGI-1"),
    ]
    assert data["quarterly"] is None  # October does not close the April fiscal year's quarter


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_english_pdf_carries_company_kpis_comments_and_page_numbers(packs: dict[str, dict[str, Path]]) -> None:
    text = _pdf_text(packs["en"]["pdf"])
    for expected in (
        "Northwind Trading Co.",
        "Oct 2026",
        "Executive summary",
        "Annual new-business revenue",
        "Cost per lead (CPA)",
        "Churn rate",
        "Two large deals slipped",
        "KPI design findings",
        "REVIEW",
        "¥",
        "pt",
    ):
        assert expected in text, expected
    reader = PdfReader(packs["en"]["pdf"])
    assert reader.metadata is not None and reader.metadata.author == "Northwind Trading Co."
    assert f"2 / {len(reader.pages)}" in (reader.pages[1].extract_text() or "")
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape


def _font_names(path: Path) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(path).pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is not None and (
                "/FontFile2" in descriptor.get_object() or "/FontFile3" in descriptor.get_object()
            ):
                names.add(str(font["/BaseFont"]))
    return names


def test_japanese_pdf_renders_japanese_with_an_embedded_subset_font(packs: dict[str, dict[str, Path]]) -> None:
    text = _pdf_text(packs["ja"]["pdf"])
    for expected in (
        "株式会社みらい商事",
        "2026年10月",
        "解約率",
        "エグゼクティブサマリー",
        "カスタマーサクセス",
        "億円",
    ):
        assert expected in text, expected
    embedded = _font_names(packs["ja"]["pdf"])
    assert any("IPAex" in name or "CJK" in name for name in embedded), embedded
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in embedded), "fonts must be subset, not fully embedded"


class _Scripts(HTMLParser):
    """The page's CSP and each <script> element: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.csp = ""
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("http-equiv") == "Content-Security-Policy":
            self.csp = found.get("content") or ""
        if tag == "script":
            self._open = found
            self.scripts.append((found, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def test_html_is_self_contained_and_fetches_nothing(packs: dict[str, dict[str, Path]]) -> None:
    html = packs["en"]["html"].read_text(encoding="utf-8")
    page = _Scripts()
    page.feed(html)
    directives = dict(d.strip().split(" ", 1) for d in page.csp.split(";"))
    assert directives["default-src"] == "'none'" and "connect-src" not in directives
    # Two scripts: the data (JSON, never run) and the inline script the CSP allows by its hash.
    (data_attrs, data), (code_attrs, code) = page.scripts
    assert data_attrs == {"type": "application/json", "id": "kpi-data"} and json.loads(data)["kpis"]
    assert code_attrs == {}  # inline: no src
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    assert directives["script-src"] == f"'sha256-{digest}'"
    assert not re.search(r"<(link|img|iframe|object)\b", html, re.IGNORECASE)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//|file:)", html, re.IGNORECASE)
    assert "@import" not in html and "url(" not in html
    assert html.count("<svg") >= 18  # a sparkline per KPI
    assert "Northwind Trading Co." in html and "Shift 10% of the search budget" in html


def test_workbook_text_is_escaped_in_html_and_pdf(make_workbook: Any, tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script><img src="http://127.0.0.1:9/x"> @import url(file:///etc/passwd)'

    def inject(sheets: dict[str, Any]) -> None:
        sheets["KPI"][1][1] = hostile
        sheets["Settings"][1][1] = "Acme <b>Ltd</b>"
        sheets["Comments"][1][2] = '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'

    result = build_pack(make_workbook(inject), BuildOptions(out_dir=tmp_path, formats=("html", "pdf")))
    html = next(p for p in result.outputs if p.suffix == ".html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src" not in html and "<link rel" not in html and "Acme &lt;b&gt;Ltd&lt;/b&gt;" in html
    text = _pdf_text(next(p for p in result.outputs if p.suffix == ".pdf"))
    assert "<script>alert(1)</script>" in text and "Acme <b>Ltd</b>" in text


def test_outputs_are_named_after_workbook_and_month(packs: dict[str, dict[str, Path]]) -> None:
    assert sorted(p.name for p in packs["ja"].values()) == [
        "kpi-sample-ja-2026-10.html",
        "kpi-sample-ja-2026-10.json",
        "kpi-sample-ja-2026-10.pdf",
    ]


def test_pdf_has_a_bookmark_per_section_and_its_language(packs: dict[str, dict[str, Path]]) -> None:
    reader = PdfReader(packs["ja"]["pdf"])
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for section in (
        "エグゼクティブサマリー",
        "マーケティング",
        "営業",
        "カスタマーサクセス",
        "人事",
        "KPI 設計の指摘事項",
    ):
        assert section in titles, titles
    assert reader.trailer["/Root"]["/Lang"] == "ja"
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])  # tagged PDF


def _sixty_kpis(sheets: dict[str, Any]) -> None:
    """One KGI measured by 60 KPIs in three departments, taken in turn."""
    departments = ["Sales", "Marketing", "Support"]
    sheets["KPI"][1:] = [
        [f"K{i:02d}", f"Metric {i:02d}", departments[i % 3], "G1", None, "number", "higher", "sum", "kpi", "Ann"]
        for i in range(60)
    ]
    sheets["KGI"][1][5] = "K00"
    sheets["Targets"][1:] = [[f"K{i:02d}", *([100] * 12)] for i in range(60)]
    sheets["Actuals"][1:] = [[f"K{i:02d}", 90, 95, 100 + i] for i in range(60)]
    sheets["Comments"][1:] = []


def test_a_large_kgi_tree_is_drawn_in_parts_with_no_kpi_cut_off(make_workbook: Any, tmp_path: Path) -> None:
    result = build_pack(make_workbook(_sixty_kpis), BuildOptions(out_dir=tmp_path, formats=("pdf",)))
    pages = [page.extract_text() or "" for page in PdfReader(result.outputs[0]).pages]
    tree_pages = [text for text in pages if "Revenue (" in text]
    assert len(tree_pages) == 3
    assert all(f"Revenue ({n}/3)" in text for n, text in enumerate(tree_pages, start=1))
    drawn = "\n".join(tree_pages)
    assert all(f"Metric {i:02d}" in drawn for i in range(60))


def test_the_html_lists_a_tree_drawn_in_parts_once_whole(make_workbook: Any, tmp_path: Path) -> None:
    """The list a narrow screen shows in place of the drawings (test_browser) is one per goal,
    however many parts its drawing takes, with every KPI in the drawings' order."""
    result = build_pack(make_workbook(_sixty_kpis), BuildOptions(out_dir=tmp_path, formats=("html",)))
    html = result.outputs[0].read_text(encoding="utf-8")
    tree = html[html.index('id="tree"') : html.index("</section>", html.index('id="tree"'))]
    assert tree.count('class="tree"') == 3 and tree.count('class="tree-list"') == 1
    drawn = re.findall(r'<text [^>]*data-kpi="(K\d+)"', tree)
    listed = re.findall(r'class="kpi-open" data-open="(K\d+)"', tree)
    by_department = [f"K{i:02d}" for first in range(3) for i in range(first, 60, 3)]
    assert drawn == listed == by_department
    assert re.findall(r'class="tree-dept">([^<]+)<', tree) == ["Sales", "Marketing", "Support"]
