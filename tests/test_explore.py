"""The interactive HTML pack in a real Chromium (Debian's, driven by Playwright): filters, sort,
the KPI detail, links from the tree and the bridge, the keyboard, a phone-width window and
print; and that the page's script runs under its CSP while nothing leaves the page.

The workbook is written here, so each expectation is worked from SPEC v1.1 by hand: Apr–Jun
2026 actuals, report month Jun, thresholds 1.00 / 0.90.

| id | department | direction, unit | Jun target / actual | attainment | status |
|----|------------|-----------------|---------------------|------------|--------|
| K1 | Sales | higher, currency, sum | 100 / 120 | 1.2 | green |
| K2 | Sales | lower, currency, average | 50 / 50 | 1.0 (50 / 50) | green |
| K3 | Marketing | higher, number, sum | 100 / 85 | 0.85 | red |
| K4 | Marketing | higher, number, sum | 20 / 18 | 0.9 exactly | amber |
| K5 | Marketing | lower, percent, last | 2% / none | null | no_data |

K5 has an April actual without a target: SMART-T.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_EN, Rows, minimal_sheets, write_sheets

from kpireport.build import BuildOptions, build_pack
from kpireport.presenting.explore import Explore

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = 'Leads </script><img src=x onerror="alert(1)"><!--'
JAPANESE = "リード獲得数"
YEAR = [f"2026-{m:02d}" for m in range(4, 13)] + [f"2027-{m:02d}" for m in range(1, 4)]


def test_the_data_block_cannot_be_closed_by_workbook_text() -> None:
    text = Explore({"close": "Close"}, {}).as_script()  # the empty case still parses
    parsed = json.loads(text)
    assert (parsed["labels"], parsed["kpis"]) == ({"close": "Close"}, {})
    hostile = Explore({"x": HOSTILE + "&amp; \u2028"}, {}).as_script()
    assert "<" not in hostile and ">" not in hostile and "&" not in hostile
    assert json.loads(hostile)["labels"]["x"] == HOSTILE + "&amp; \u2028"


def _sheets() -> dict[str, Rows]:
    sheets = minimal_sheets()
    sheets["KPI"] += [
        ["K3", HOSTILE, "Marketing", "G1", None, "number", "higher", "sum", "kpi", "Cy"],
        ["K4", JAPANESE, "Marketing", "G1", None, "number", "higher", "sum", "kpi", "Di"],
        ["K5", "Churn rate", "Marketing", "G1", None, "percent", "lower", "last", "kpi", "Ed"],
    ]
    sheets["Targets"] = [["id", *YEAR], ["K1", *[100] * 12], ["K2", *[50] * 12], ["K3", *[100] * 12]]
    # K5's April has an actual and no target: SMART-T (SPEC §3), a finding its detail lists.
    sheets["Targets"] += [["K4", *[20] * 12], ["K5", None, *[0.02] * 11]]
    sheets["Actuals"] = [["id", *YEAR[:3]], ["K1", 90, 110, 120], ["K2", 40, 55, 50], ["K3", 95, 90, 85]]
    sheets["Actuals"] += [["K4", 20, 19, 18], ["K5", 0.03, None, None]]
    sheets["Comments"] = [
        ["kpi", "month", "comment", "action", "owner"],
        ["K1", "2026-05", "Slow start", "", ""],
        ["K1", "2026-06", "Big deal closed", "Repeat it in Q2", "Ann"],
        ["K3", "2026-05", "Fewer events", "Book two fairs", "Cy"],
    ]
    return sheets


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("explore")
    workbook = write_sheets(folder / "book.xlsx", _sheets())
    return build_pack(workbook, BuildOptions(out_dir=folder, formats=("html",))).outputs[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class Opened:
    """A page of the pack with what it did on the side: requests, CSP violations, alerts,
    console errors."""

    def __init__(self, browser: Any, path: Path, width: int) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.requests: list[str] = []
        self.alerts: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", lambda dialog: (self.alerts.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.add_init_script(
            "window.violations = [];"
            "document.addEventListener('securitypolicyviolation', e => violations.push(e.violatedDirective));"
        )
        self.page.goto(path.as_uri())

    def shown(self, selector: str = "section.department tbody[data-kpi]") -> list[str]:
        return [
            row.get_attribute("data-kpi") for row in self.page.locator(selector).all() if row.is_visible()
        ]  # fmt: skip

    def only_status(self, *labels: str) -> None:
        for box in self.page.locator("#explore input[name=status]").all():
            label = box.evaluate("b => b.parentElement.textContent.trim()")
            box.set_checked(label in labels)


@pytest.fixture
def opened(browser: Any, pack: Path) -> Iterator[Opened]:
    page = Opened(browser, pack, 1280)
    yield page
    assert page.requests == [pack.as_uri()]  # nothing but the page itself, whatever the test did
    assert page.page.evaluate("violations") == []  # the script ran by its hash; nothing was refused
    assert page.alerts == [] and page.errors == []
    page.page.close()


def test_status_filter_shows_only_the_kpis_behind(opened: Opened) -> None:
    assert opened.shown() == ["K1", "K2", "K3", "K4", "K5"]
    assert opened.page.locator(".explore-count").text_content() == "5 of 5 KPIs shown"
    opened.only_status("Behind")
    assert opened.shown() == ["K3"]
    assert opened.page.locator(".explore-count").text_content() == "1 of 5 KPIs shown"
    assert not opened.page.locator("section.department", has_text="Sales").first.is_visible()
    assert opened.shown(".trend-card[data-kpi]") == ["K3"]
    opened.only_status("Behind", "Watch")
    assert opened.shown() == ["K3", "K4"]  # 18 of 20 is 0.9 exactly: amber, not red


def test_department_filter_and_search(opened: Opened) -> None:
    opened.page.select_option("#explore select[name=department]", "Sales")
    assert opened.shown() == ["K1", "K2"]
    opened.page.click("#explore button[type=reset]")
    assert opened.shown() == ["K1", "K2", "K3", "K4", "K5"]
    opened.page.fill("#explore input[name=q]", "ＲＥＶＥＮＵＥ")  # full-width, as a Japanese keyboard types it
    assert opened.shown() == ["K1"]
    opened.page.fill("#explore input[name=q]", "リード")
    assert opened.shown() == ["K4"]
    opened.page.fill("#explore input[name=q]", "</script>")
    assert opened.shown() == ["K3"]


def test_sorting_a_table_by_attainment_puts_a_kpi_without_one_last(opened: Opened) -> None:
    table = opened.page.locator("section.department", has_text="Marketing").locator("table")
    header = table.locator("th", has_text="Attain.")

    def order() -> list[str | None]:
        return [row.get_attribute("data-kpi") for row in table.locator("tbody").all()]

    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert order() == ["K3", "K4", "K5"]  # 0.85, 0.9, none
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert order() == ["K4", "K3", "K5"]
    status = table.locator("th", has_text="Status")
    status.locator("button").click()
    assert (status.get_attribute("aria-sort"), header.get_attribute("aria-sort")) == ("ascending", "none")
    assert order() == ["K3", "K4", "K5"]  # behind, watch, no data: the worst first


def test_the_quarterly_review_and_the_actions_filter_and_sort_too(opened: Opened) -> None:
    quarterly = opened.page.locator("section.quarterly table")  # June closes Q1 of an April year
    opened.only_status("Behind", "Watch")
    assert opened.shown("section.quarterly tbody[data-kpi]") == ["K3", "K4"]
    assert opened.page.locator(".explore-count").text_content() == "2 of 5 KPIs shown"
    opened.page.click("#explore button[type=reset]")
    quarterly.locator("th", has_text="QTD").locator("button").click()
    # Q1 attainment: K3 270/300 = 0.9, K4 57/60 = 0.95, K2 50/48.33 = 1.034, K1 320/300 = 1.067.
    assert [row.get_attribute("data-kpi") for row in quarterly.locator("tbody").all()] == ["K3", "K4", "K2", "K1", "K5"]
    actions = opened.page.locator("section.actions table")
    actions.locator("th", has_text="Month").locator("button").click()
    assert actions.locator("tbody tr td:first-child").all_text_contents() == ["May 2026", "Jun 2026"]
    actions.locator("th", has_text="Status").locator("button").click()  # K3 behind, K1 on target
    assert actions.locator("tbody tr td:first-child").all_text_contents() == ["May 2026", "Jun 2026"]
    actions.locator("th", has_text="Status").locator("button").click()
    assert actions.locator("tbody tr td:first-child").all_text_contents() == ["Jun 2026", "May 2026"]


def test_a_kpi_opens_its_detail_with_the_month_table_chart_and_comments(opened: Opened) -> None:
    page = opened.page
    button = page.locator("section.department tbody[data-kpi=K1] .kpi-open")
    button.click()
    dialog = page.locator("#kpi-detail")
    assert dialog.evaluate("d => d.open")
    assert dialog.locator(".detail-name").text_content() == "New revenue"
    cells = [r.locator("th, td").all_text_contents() for r in dialog.locator(".detail-months tr").all()]
    assert len(cells) == 12
    # Month, target, actual, attainment, last year (one year only: none), outlook.
    assert cells[0] == ["Apr 2026", "¥100", "¥90", "90.0%", "–", "–"]
    assert cells[2] == ["Jun 2026", "¥100", "¥120", "120.0%", "–", "–"]
    # No Forecast sheet: each month to come at the run rate, (90 + 110 + 120) / 3 = 106.67.
    assert cells[3] == ["Jul 2026", "¥100", "–", "–", "–", "¥107"]
    assert cells[11][0] == "Mar 2027" and cells[11][5] == "¥107"
    comments = dialog.locator(".detail-comments li").all_text_contents()
    assert len(comments) == 2  # K1's own, newest first
    assert "Jun 2026" in comments[0] and "Big deal closed" in comments[0] and "Repeat it in Q2" in comments[0]
    assert "May 2026" in comments[1] and "Slow start" in comments[1]
    # Hover or keyboard focus on a month shows its values; a screen reader hears them.
    column = dialog.locator(".hit").nth(2)
    column.focus()
    tip = dialog.locator(".detail-tip")
    assert tip.is_visible()
    assert tip.locator("span").all_text_contents()[:2] == ["Actual ¥120", "Target ¥100"]
    assert column.get_attribute("aria-label") == "Jun 2026: Actual ¥120, Target ¥100, Last year –, Outlook –"
    dialog.locator(".hit").nth(0).hover()
    assert tip.locator("strong").text_content() == "Apr 2026"
    # The chart draws the actuals it was given: three points.
    assert dialog.locator("circle.dot-actual").count() == 3
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert button.evaluate("b => document.activeElement === b")  # focus is back where it was


def test_a_detail_lists_the_kpis_findings(opened: Opened) -> None:
    page = opened.page
    page.locator("section.department tbody[data-kpi=K5] .kpi-open").click()
    codes = page.locator("#kpi-detail .detail-findings .code-tag").all_text_contents()
    assert "SMART-T" in codes
    page.keyboard.press("Escape")
    page.locator("section.department tbody[data-kpi=K1] .kpi-open").click()
    assert page.locator("#kpi-detail .detail-findings li").all_text_contents() == ["No finding on this KPI."]


def test_the_keyboard_alone_opens_a_detail_from_the_tree(opened: Opened) -> None:
    page = opened.page
    label = page.locator("svg.tree text[data-kpi=K4]")
    assert label.get_attribute("role") == "button" and label.get_attribute("tabindex") == "0"
    label.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#kpi-detail")
    assert dialog.locator(".detail-name").text_content() == JAPANESE
    assert page.evaluate("document.activeElement.className") == "detail-close"
    page.keyboard.press("Enter")  # the focused Close button
    assert not dialog.evaluate("d => d.open")


def test_workbook_text_that_looks_like_markup_stays_text(opened: Opened) -> None:
    page = opened.page
    page.locator("section.department tbody[data-kpi=K3] .kpi-open").click()
    assert page.locator("#kpi-detail .detail-name").text_content() == HOSTILE
    assert page.locator("img[src=x]").count() == 0
    assert json.loads(page.locator("#kpi-data").text_content() or "")["kpis"]["K3"]["name"] == HOSTILE


def test_print_shows_every_kpi_and_no_control(opened: Opened) -> None:
    opened.only_status("Behind")
    opened.page.emulate_media(media="print")
    assert opened.shown() == ["K1", "K2", "K3", "K4", "K5"]
    assert not opened.page.locator("#explore").is_visible()


def test_a_phone_width_window_keeps_the_page_and_the_detail_inside_it(browser: Any, pack: Path) -> None:
    phone = Opened(browser, pack, 390)
    page = phone.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("section.department tbody[data-kpi=K2] .kpi-open").click()
    box = page.locator("#kpi-detail").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    svg = page.locator("#kpi-detail svg.detail-svg").bounding_box()
    assert svg is not None and svg["width"] <= box["width"]
    page.screenshot(path=str(pack.with_name("phone-detail.png")))
    assert phone.requests == [pack.as_uri()] and phone.errors == []
    page.close()


def test_on_a_phone_the_trees_list_opens_a_kpis_detail(browser: Any, pack: Path) -> None:
    phone = Opened(browser, pack, 390)
    page = phone.page
    tree = page.locator("#tree .tree-list")
    assert tree.locator(".tree-dept").all_text_contents() == ["Sales", "Marketing"]
    # Workbook text stays text in the list too, and each status is said in words.
    assert tree.locator(".kpi-open[data-open=K3]").text_content() == HOSTILE
    assert tree.locator(".dot").evaluate_all("dots => dots.map(d => d.getAttribute('aria-label'))") == [
        "On target", "On target", "Behind", "Watch", "No data"
    ]  # fmt: skip
    tree.locator(".kpi-open[data-open=K4]").click()
    assert page.locator("#kpi-detail .detail-name").text_content() == JAPANESE
    assert phone.requests == [pack.as_uri()] and phone.errors == [] and phone.alerts == []
    page.close()


@pytest.mark.parametrize("sample", [SAMPLE_EN])
def test_the_sample_bridge_links_its_drivers_to_their_detail(browser: Any, sample: Path, tmp_path: Path) -> None:
    built = build_pack(sample, BuildOptions(out_dir=tmp_path, formats=("html", "json"))).outputs
    html = next(p for p in built if p.suffix == ".html")
    data = json.loads(next(p for p in built if p.suffix == ".json").read_text())
    opened = Opened(browser, html, 1280)
    page = opened.page
    drivers = [e["kpi"] for k in data["kgis"] if k["drivers"] for e in k["drivers"]["bridge"]]
    assert drivers  # the sample's KGI-1 has a formula
    page.locator(f"section.bridges .kpi-open[data-open='{drivers[0]}']").click()
    name = next(k["name"] for k in data["kpis"] if k["id"] == drivers[0])
    assert page.locator("#kpi-detail .detail-name").text_content() == name
    page.keyboard.press("Escape")
    page.locator(f"svg.waterfall text[data-kpi='{drivers[-1]}']").click()
    name = next(k["name"] for k in data["kpis"] if k["id"] == drivers[-1])
    assert page.locator("#kpi-detail .detail-name").text_content() == name
    assert opened.requests == [html.as_uri()] and opened.errors == []
    page.close()
