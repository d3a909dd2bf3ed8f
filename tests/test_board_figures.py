"""Figures as a board reads them (#30): money in one scale per card, row, sentence and bridge,
counts whole, paces rounded up with their unit, rounded parts that add up, a rate with the
precision it was typed in, a score's changes in its own unit, headings capitalised, formulas in
names. Every expected figure below is worked by hand from the workbook written in the test.

The workbook: Sales sells 10 deals a month planned at ¥1,000,000 each, and sold 11 a month at
¥1,036,000 from April to October 2026; the goal "Annual revenue" (¥150,000,000 by March 2027)
is [K1] × [K2] month by month. New customers: 50 a month planned, 375 won by October
(50+55+52+58+50+55+55) against a goal of 601 by March. Churn: 1.46% targeted, 1.97% in October.
Engagement: 4.1 targeted, 4.0 in October, 3.5 a year earlier.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from conftest import OCT, YEAR, book, kpi
from pypdf import PdfReader

from kpireport.computing.report import build_report
from kpireport.formula import parse_formula
from kpireport.model import Aggregation, Direction, Kgi, Month, Perspective
from kpireport.presenting.finished import FinishedPack, finish
from kpireport.presenting.pack_html import render_html, render_pdf

DONE = [m for m in YEAR if m <= OCT]  # April to October: 7 months
WON = dict(zip(DONE, [50.0, 55.0, 52.0, 58.0, 50.0, 55.0, 55.0], strict=True))


def _pack(locale: str, customers: str) -> FinishedPack:
    deals = kpi("K1", name="New deals", unit="deals", perspective=Perspective.FINANCIAL)
    size = kpi("K2", name="Average deal size", unit="currency", aggregation=Aggregation.AVERAGE)
    won = kpi("K3", name="New customers", unit=customers, kgi="G2")
    churn = kpi(
        "K4", name="Churn rate", unit="percent", direction=Direction.LOWER, aggregation=Aggregation.AVERAGE, kgi=None
    )
    engagement = kpi("K5", name="Engagement score", unit="points", aggregation=Aggregation.AVERAGE, kgi=None)
    revenue = Kgi("G1", "Annual revenue", 150_000_000.0, unit="currency", deadline=dt.date(2027, 3, 31))
    revenue = dataclasses.replace(revenue, formula=parse_formula("[K1] * [K2]"))
    customers_goal = Kgi(
        "G2", "New customers won this year", 601.0, unit=customers, deadline=dt.date(2027, 3, 31), measured_by="K3"
    )
    workbook = book(
        [deals, size, won, churn, engagement],
        targets={
            "K1": dict.fromkeys(YEAR, 10.0),
            "K2": dict.fromkeys(YEAR, 1_000_000.0),
            "K3": dict.fromkeys(YEAR, 50.0),
            "K4": dict.fromkeys(YEAR, 0.0146),
            "K5": dict.fromkeys(YEAR, 4.1),
        },
        actuals={
            "K1": dict.fromkeys(DONE, 11.0),
            "K2": dict.fromkeys(DONE, 1_036_000.0),
            "K3": WON,
            "K4": {**dict.fromkeys(DONE, 0.0146), OCT: 0.0197},
            "K5": {**dict.fromkeys(DONE, 4.1), OCT: 4.0, Month(2025, 10): 3.5},
        },
        kgis=[revenue, customers_goal],
        locale=locale,
    )
    return finish(build_report(workbook, OCT), today=dt.date(2026, 11, 24))


@pytest.fixture(scope="module")
def english() -> FinishedPack:
    return _pack("en", "customers")


@pytest.fixture(scope="module")
def japanese() -> FinishedPack:
    return _pack("ja", "社")


@pytest.fixture(scope="module")
def english_pdf(english: FinishedPack) -> str:
    reader = PdfReader(io.BytesIO(render_pdf(render_html(english.view))))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _rows(pack: FinishedPack) -> Iterator[tuple[str, object]]:
    for department in pack.view.departments:
        for row in department.rows:
            yield row.id, row


def test_a_count_goal_lands_and_paces_in_whole_customers(english: FinishedPack) -> None:
    card = english.view.kgis[1]
    # 375 won in 7 months, 375 / 7 = 53.57 a month; 5 months left: 375 + 5 × 53.57 = 642.86,
    # which a board reads as 643 customers.
    assert "643 customers" in card.landing and "642.9" not in card.landing
    # 601 − 375 = 226 still to win in 5 months: 45.2 a month, so 46 are needed; the plan for
    # November to March asks 5 × 50 / 5 = 50.
    assert card.pace == "Needs 46 customers a month for 5 months; the plan asks 50 customers."
    assert (card.actual, card.target) == ("375 customers", "601 customers")


def test_the_key_message_says_where_the_count_lands_whole(english: FinishedPack) -> None:
    messages = " ".join(m.text for m in english.commentary.key_messages)
    assert "643 customers" in messages and "642.9" not in messages


def test_money_on_a_card_is_in_millions_to_one_decimal(english: FinishedPack) -> None:
    card = english.view.kgis[0]
    # ¥150,000,000 is ¥150.0M; 7 months × 11 deals × ¥1,036,000 = ¥79,772,000 is ¥79.8M.
    assert (card.target, card.actual) == ("¥150.0M", "¥79.8M")


def test_the_bridge_shows_parts_that_add_up_to_the_shown_total(english: FinishedPack) -> None:
    [bridge] = english.view.bridges
    # Each month: planned 10 × ¥1,000,000, actual 11 × ¥1,036,000. Shapley's two orders
    # averaged: deals moved it 1 × (1,000,000 + 1,036,000) / 2 = ¥1,018,000 a month, the deal
    # size 36,000 × (10 + 11) / 2 = ¥378,000 a month; over 7 months ¥7,126,000 and ¥2,646,000.
    effects = {e["kpi"]: e["effect"] for e in english.data["kgis"][0]["drivers"]["bridge"]}
    assert effects == pytest.approx({"K1": 7_126_000, "K2": 2_646_000})
    # Rounded alone they show ¥7.1M and ¥2.6M, which add to ¥9.7M, while the shown plan ¥70.0M
    # and actual ¥79.8M are ¥9.8M apart: the deal size, which lost more to rounding (0.46 of a
    # tenth against 0.26), takes the missing ¥0.1M.
    assert [(row.name, row.effect) for row in bridge.rows] == [
        ("New deals", "+¥7.1M"),
        ("Average deal size", "+¥2.7M"),
    ]
    assert "¥70.0M" in bridge.span and "¥79.8M" in bridge.span
    assert "+¥9.8M" in bridge.sentence
    assert [bar.value_text for bar in bridge.bars] == ["¥70.0M", "+¥7.1M", "+¥2.7M", "¥79.8M"]


def test_a_formula_is_written_in_the_kpis_names(english: FinishedPack) -> None:
    [bridge] = english.view.bridges
    assert bridge.formula == "Formula: Annual revenue = New deals × Average deal size"


def test_a_row_of_money_is_in_one_scale(english: FinishedPack) -> None:
    row = dict(_rows(english))["K2"]
    # ¥1,000,000 and ¥1,036,000 under ten million: two decimals of a million.
    assert (row.target, row.actual, row.variance) == ("¥1.00M", "¥1.04M", "+¥0.04M")  # type: ignore[attr-defined]


def test_a_rate_shows_the_precision_it_was_typed_in(english: FinishedPack) -> None:
    row = dict(_rows(english))["K4"]
    # 1.46% ÷ 1.97% = 74.1%: a reader can check it only if 1.46% is not printed as 1.5%.
    assert (row.target, row.actual, row.attainment) == ("1.46%", "1.97%", "74.1%")  # type: ignore[attr-defined]


def test_a_scores_change_is_in_its_own_unit(english: FinishedPack) -> None:
    row = dict(_rows(english))["K5"]
    # 4.0 against 4.1 (one decimal, as typed); on last year's 3.5: +0.5, not +14.3%.
    assert (row.target, row.actual) == ("4.1", "4.0")  # type: ignore[attr-defined]
    assert row.yoy == "+0.5"  # type: ignore[attr-defined]
    assert row.mom_pct == ""  # type: ignore[attr-defined]


def test_a_perspective_is_capitalised_in_the_scorecard(english: FinishedPack) -> None:
    assert [line.perspective for line in english.view.scorecard] == [
        "Financial",
        "Customer",
        "Process",
        "Learning & growth",
    ]


def test_the_pdf_shows_the_figures_as_decided(english_pdf: str) -> None:
    for shown in ("¥79.8M", "643 customers", "1.46%", "+¥2.7M", "FY at run rate"):
        assert shown in english_pdf
    assert "642.9" not in english_pdf and "79,772,000" not in english_pdf


def test_japanese_yen_is_in_oku_and_man(japanese: FinishedPack) -> None:
    card = japanese.view.kgis[0]
    # ¥150,000,000 is 1.50億円 and ¥79,772,000 is 0.80億円, two decimals for every 億円 figure
    # on the card.
    assert (card.target, card.actual) == ("1.50億円", "0.80億円")
    row = dict(_rows(japanese))["K2"]
    # ¥1,000,000 is 100万円, ¥1,036,000 is 103.6万円 (104万円), and the variance 3.6万円 is 4万円.
    assert (row.target, row.actual, row.variance) == ("100万円", "104万円", "+4万円")  # type: ignore[attr-defined]
    counted = japanese.view.kgis[1]
    assert "643社" in counted.landing and "46社" in counted.pace
