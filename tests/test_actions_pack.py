"""SPEC §3c in every format: the actions page (overdue first, then open by due date, then those
ended this quarter, each with its effect), the quarterly review's share of done actions that
worked, each KPI's open actions in its row, detail and slide, and the metrics workbook's Actions
sheet, in English and Japanese. The figures are worked by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Rows, minimal_sheets, write_sheets
from pptx import Presentation
from pypdf import PdfReader

from kpireport.build import BuildOptions, build_pack
from kpireport.computing.report import build_report
from kpireport.presenting.finished import finish
from kpireport.reading.workbook import read_workbook

TODAY = dt.date(2026, 10, 5)
ACTIONS_HEADER = ["id", "target", "action", "owner", "email", "opened", "due", "status", "expected", "closed"]


def sheets(lang: str) -> dict[str, Rows]:
    """The minimal workbook to September 2026 (closing fiscal Q2, July–September), with a
    percent KPI and seven actions."""
    book = minimal_sheets()
    book["Settings"][4][1] = lang
    book["KPI"].append(["K3", "Win rate", "Sales", "G1", None, "percent", "higher", "average", "kpi", "Ann"])
    book["Targets"].append(["K3", *([0.25] * 12)])
    book["Actuals"] = [
        ["id", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"],
        ["K1", 90, 110, 120, 80, 95, 100],
        ["K2", 40, 55, 50, 60, 62.5, 45],
        ["K3", 0.2, 0.21, 0.22, 0.21, 0.22, 0.233],
    ]
    done, dropped = ("done", "dropped") if lang == "en" else ("完了", "中止")
    book["Actions"] = [
        ACTIONS_HEADER,
        ["A1", "K3", "Weekly pipeline review", "A. Tanaka", None, "2026-08", dt.date(2026, 9, 30), done, 0.23,
         dt.date(2026, 9, 25)],
        ["A2", "K1", "Call lapsed customers", "Ann", None, "2026-07", dt.date(2026, 8, 31)],
        ["A3", "K2", "Pause low-intent keywords", "Bob", None, "2026-08", dt.date(2026, 9, 30)],
        ["A4", "G1", "Price review", "Cy", None, "2026-09", dt.date(2026, 10, 20)],
        ["A5", "K1", "Upsell campaign", "Ann", None, "2026-06", dt.date(2026, 7, 31), done, None, dt.date(2026, 7, 20)],
        ["A6", "K1", "Old campaign", "Ann", None, "2026-04", dt.date(2026, 5, 31), done, None, dt.date(2026, 6, 10)],
        ["A7", "K1", "Trade show", "Ann", None, "2026-07", dt.date(2026, 9, 15), dropped, None, dt.date(2026, 9, 1)],
    ]  # fmt: skip
    return book


@pytest.fixture(scope="module", params=["en", "ja"])
def pack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp(f"actions-{request.param}")
    workbook = write_sheets(folder / "book.xlsx", sheets(request.param))
    result = build_pack(
        workbook,
        BuildOptions(out_dir=folder, formats=("pdf", "html", "json", "pptx", "xlsx"), today=TODAY),
    )
    files = {path.suffix[1:]: path for path in result.outputs}
    view = finish(build_report(read_workbook(workbook)), today=TODAY).view
    return {"lang": request.param, "files": files, "view": view}


def test_the_page_lists_overdue_then_open_then_ended_this_quarter(pack: dict[str, Any]) -> None:
    plan = pack["view"].tracked_actions
    # Overdue by due date (A2 31 Aug, A3 30 Sep: due on the month's last day), then open (A4, due
    # in October), then done or dropped in fiscal Q2 (July–September), the latest first: A1
    # (25 Sep), A7 (1 Sep), A5 (20 Jul). A6 ended in June, last quarter: not listed.
    assert [(g.key, [a.id for a in g.rows]) for g in plan.groups] == [
        ("overdue", ["A2", "A3"]),
        ("open", ["A4"]),
        ("ended", ["A1", "A7", "A5"]),
    ]
    assert [a.id for a in plan.every] == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]


def test_each_done_action_with_its_effect(pack: dict[str, Any]) -> None:
    rows = {a.id: a for a in pack["view"].tracked_actions.every}
    # Win rate: July (before August) 21.0%, September 23.3%; attainment 0.21/0.25 = 84.0% →
    # 0.233/0.25 = 93.2%; 23.3% meets the expected 23.0% in September, the due month.
    if pack["lang"] == "en":
        assert rows["A1"].line == (
            "Weekly pipeline review — A. Tanaka, opened Aug 2026, done Sep 2026: "
            "Win rate 21.0% → 23.3%, attainment 84.0% → 93.2%; expected 23.0%: reached"
        )
        # A5 on K1: May 110 (1.1) → September 100 (1.0): worsened.
        assert rows["A5"].effect == "New revenue ¥110 → ¥100, attainment 110.0% → 100.0%"
        assert (rows["A5"].moved, rows["A5"].effect_css) == ("worsened", "unfav")
        # A4 is on the KGI G1, judged through its measuring KPI K1: August 95 → September 100.
        assert (rows["A4"].target, rows["A4"].chip.label) == ("Revenue", "Due soon")
        assert rows["A4"].effect == "New revenue ¥95 → ¥100, attainment 95.0% → 100.0%"
    else:
        assert rows["A1"].line == (
            "Weekly pipeline review — A. Tanaka、2026年8月開始、2026年9月完了："
            "Win rate 21.0% → 23.3%、達成率 84.0% → 93.2%。期待値 23.0%：達成"
        )
        assert rows["A4"].chip.label == "期限間近"


def test_the_quarterly_review_says_how_many_done_actions_worked(pack: dict[str, Any]) -> None:
    quarterly = pack["view"].quarterly
    # Done in Q2: A1 (improved) and A5 (worsened); A7 was dropped. 1 of 2 = 50.0%.
    expected = {
        "en": "Done actions whose KPI improved: 1 of 2 (50.0%).",
        "ja": "完了したアクションのうち KPI が改善したもの：2件中1件（50.0%）。",
    }
    assert quarterly is not None and quarterly.actions_improved == expected[pack["lang"]]


def test_comments_actions_are_still_listed(pack: dict[str, Any]) -> None:
    assert [(a.kpi_id, a.action) for a in pack["view"].actions] == [("K1", "Keep going")]


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_the_pdf_actions_page(pack: dict[str, Any]) -> None:
    text = re.sub(r"\s+", " ", _pdf_text(pack["files"]["pdf"]))
    if pack["lang"] == "en":
        for expected in ("Overdue (2)", "Open, by due date (1)", "Done or dropped this quarter (3)",
                         "Actions noted in comments", "Keep going", "Done actions whose KPI improved: 1 of 2 (50.0%)",
                         "Open action Call lapsed customers — Ann, due Aug 31, 2026, overdue"):  # fmt: skip
            assert expected in text, expected
    else:
        for expected in (
            "期限超過（2件）",
            "未完了（期限順）（1件）",
            "今四半期に完了・中止（3件）",
            "コメントに記載されたアクション",
        ):
            assert expected in text, expected


def test_the_html_detail_shows_a_kpis_open_actions(pack: dict[str, Any]) -> None:
    html = pack["files"]["html"].read_text(encoding="utf-8")
    block = html.split('<script type="application/json" id="kpi-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    # K1 carries A2 (overdue) and A4 (on G1, which K1 measures); the done ones are not open.
    assert [a["action"] for a in data["kpis"]["K1"]["actions"]] == ["Call lapsed customers", "Price review"]
    assert data["kpis"]["K1"]["actions"][0]["css"] == "st-red"
    assert data["kpis"]["K3"]["actions"] == []
    assert 'class="detail-actions"' in html


def test_the_deck_lists_actions_and_each_kpis_open_ones(pack: dict[str, Any]) -> None:
    deck = Presentation(str(pack["files"]["pptx"]))
    texts = []
    for slide in deck.slides:
        parts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        parts += [c.text for s in slide.shapes if s.has_table for r in s.table.rows for c in r.cells]
        texts.append("\n".join(parts))
    title = {"en": "Tracked actions", "ja": "管理中のアクション"}[pack["lang"]]
    [tracked] = [t for t in texts if t.startswith(title)]
    order = [tracked.index(name) for name in ("Call lapsed", "Pause low-intent", "Price review", "Weekly pipeline")]
    assert order == sorted(order)
    # The Sales slide (its table of K1, K2, K3) with each KPI's open actions under it, in the
    # table's order, overdue first.
    label = {"en": "Open actions", "ja": "未完了のアクション"}[pack["lang"]]
    [sales] = [t for t in texts if label in t.split("\n")]
    lines = sales.split("\n")
    start = lines.index(label)
    assert [line.split(" — ")[0] for line in lines[start + 1 : start + 4]] == [
        "New revenue: Call lapsed customers",
        "New revenue: Price review",
        "Cost per lead: Pause low-intent keywords",
    ]


def test_the_metrics_workbook_has_an_actions_sheet(pack: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(pack["files"]["xlsx"])
    name = {"en": "Actions", "ja": "アクション一覧"}[pack["lang"]]
    sheet = book[name]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    first = rows["A1"]
    assert first[1:3] == ("K3", "Win rate")
    assert (first[5], first[6], first[10]) == (
        dt.datetime(2026, 8, 1),
        dt.datetime(2026, 9, 30),
        dt.datetime(2026, 9, 25),
    )
    # Before (July) 0.21 at 0.84, now (September) 0.233 at 0.932; expected 0.23.
    assert first[11:16] == ("2026-07", 0.21, 0.84, 0.233, 0.932)
    assert first[17] == 0.23
    assert sheet.cell(row=2, column=13).number_format == "0.0%"
    assert len(rows) == 7


def test_workbook_text_in_an_action_stays_text(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://127.0.0.1/x","click") </script><script>alert(1)</script> bell_x0007_'
    workbook = write_sheets(tmp_path / "book.xlsx", sheets("en"))
    typed = openpyxl.load_workbook(workbook)
    for cell in ("C3", "D3"):  # A2's action and owner, as text (typed after an apostrophe)
        typed["Actions"][cell].value = hostile
        typed["Actions"][cell].data_type = "s"
    typed.save(workbook)
    result = build_pack(workbook, BuildOptions(out_dir=tmp_path, formats=("html", "json", "pptx", "xlsx"), today=TODAY))
    files = {path.suffix[1:]: path for path in result.outputs}
    html = files["html"].read_text(encoding="utf-8")
    assert "</script><script>" not in html and "=HYPERLINK(" in html
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["actions"][1]["action"] == hostile.replace("_x0007_", "\x07")  # the JSON keeps it whole
    sheet = openpyxl.load_workbook(files["xlsx"])["Actions"]
    cell = sheet.cell(row=3, column=4)
    assert cell.data_type == "s" and str(cell.value).startswith("=HYPERLINK(")
    texts = [s.text_frame.text for slide in Presentation(str(files["pptx"])).slides for s in slide.shapes
             if s.has_text_frame]  # fmt: skip
    assert any("=HYPERLINK(" in text and "\ufffd" in text for text in texts)
