"""The finished pack: one formatter per pack reaches every figure it shows."""

from __future__ import annotations

import dataclasses
import datetime as dt

from conftest import OCT, YEAR, book, kpi

from kpireport.computing.changes import Change, Changes
from kpireport.computing.report import build_report, with_changes
from kpireport.formula import parse_formula
from kpireport.model import Kgi, Month
from kpireport.presenting.finished import FinishedPack, finish
from kpireport.presenting.pack_html import render_html
from kpireport.presenting.theme import Theme


def _japanese_revenue_pack(large_yen: bool) -> FinishedPack:
    """売上 K1: ¥12,000,000 a month planned and done; the goal G1 asks ¥1,000,000,000 of a
    formula [K1] whose twelve targets imply ¥144,000,000; September's actual was restated
    from ¥11,000,000 to ¥12,000,000 since the September pack."""
    revenue = kpi("K1", name="売上", department="営業", unit="currency")
    goal = Kgi("G1", "年間売上", 1_000_000_000.0, unit="currency", deadline=dt.date(2027, 3, 31), measured_by="K1")
    goal = dataclasses.replace(goal, formula=parse_formula("[K1]"))
    workbook = book(
        [revenue],
        targets={"K1": dict.fromkeys(YEAR, 12_000_000.0)},
        actuals={"K1": {m: 12_000_000.0 for m in YEAR if m <= OCT}},
        kgis=[goal],
        locale="ja",
    )
    restated = Change("K1", Month(2026, 9), "actual", 11_000_000.0, 12_000_000.0)
    report = with_changes(build_report(workbook, OCT), Changes("2026-09", (restated,), (), (), {}))
    return finish(report, theme=Theme(large_yen=large_yen), today=dt.date(2026, 11, 24))


def test_large_yen_reaches_cards_tables_and_the_findings_sentences() -> None:
    pack = _japanese_revenue_pack(large_yen=True)
    view = pack.view
    # The goal's card: ¥1,000,000,000 is 10億円, to the two decimals of every 億円 figure on
    # the card.
    assert view.kgis[0].target == "10.00億円"
    # The department table: ¥12,000,000 is 1,200万円, the month's target and its actual.
    row = view.departments[0].rows[0]
    assert (row.target, row.actual) == ("1,200万円", "1,200万円")
    # DRIVER: 12 × ¥12,000,000 = ¥144,000,000 = 1.44億円 implied against 10億円.
    [driver] = [f for f in pack.findings if f.code == "DRIVER"]
    assert "1.44億円" in driver.message and "10.00億円" in driver.message
    # RESTATED: ¥11,000,000 → ¥12,000,000 is 1,100万円 → 1,200万円.
    [restated] = [f for f in pack.findings if f.code == "RESTATED"]
    assert "1,100万円 → 1,200万円" in restated.message
    # The same sentences in the JSON, the changes page and the pack's HTML.
    assert [f["message"] for f in pack.data["findings"]] == [f.message for f in pack.findings]
    assert view.changes is not None and view.changes.lines == (restated.message,)
    html = render_html(view)
    for shown in ("10.00億円", "1,200万円", driver.message, restated.message):
        assert shown in html
    assert "¥" not in driver.message + restated.message


def test_plain_yen_is_in_millions_as_in_english() -> None:
    # large_yen = "plain": ¥1,000,000,000 is ¥1,000.0M; ¥11,000,000 → ¥12,000,000 is
    # ¥11.0M → ¥12.0M.
    pack = _japanese_revenue_pack(large_yen=False)
    assert pack.view.kgis[0].target == "¥1,000.0M"
    [restated] = [f for f in pack.findings if f.code == "RESTATED"]
    assert "¥11.0M → ¥12.0M" in restated.message
