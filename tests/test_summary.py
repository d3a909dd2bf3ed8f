"""One summary, many renderers: the pack's executive summary (HTML and PDF), its JSON and its
e-mail show the same decided figures, and none of them counts or sorts on its own."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE_EN, SAMPLE_JA
from pypdf import PdfReader

from kpireport.build import BuildOptions, build_pack
from kpireport.delivering.mail import summary_body
from kpireport.i18n import labels
from kpireport.presenting.finished import finish
from kpireport.presenting.pack_html import render_html
from kpireport.presenting.summary import Summary


@pytest.fixture(scope="module", params=[("en", SAMPLE_EN), ("ja", SAMPLE_JA)], ids=["en", "ja"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    lang, sample = request.param
    out = tmp_path_factory.mktemp(f"summary-{lang}")
    result = build_pack(sample, BuildOptions(out_dir=out, today=dt.date(2026, 11, 24)))
    return sample, {path.suffix[1:]: path for path in result.outputs}


def test_the_json_summary_is_the_one_the_pack_shows(built: tuple[Path, dict[str, Path]]) -> None:
    sample, files = built
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    summary = Summary.from_json(data["summary"])
    html = files["html"].read_text(encoding="utf-8")
    pdf = "\n".join(page.extract_text() or "" for page in PdfReader(files["pdf"]).pages[:3])
    for mover in summary.movers:
        assert mover.name in html and mover.delta in html
        assert mover.delta in pdf
    for count in summary.counts:
        assert f'<span class="count-n">{count.count}</span><span class="count-label">{count.label}</span>' in html
    # The counts are the JSON's own statuses, counted here independently.
    statuses = [k["month"]["status"] for k in data["kpis"]]
    assert {c.status: c.count for c in summary.counts} == {
        s: statuses.count(s) for s in ("green", "amber", "red", "no_data")
    }
    # The movers are the five largest relative changes of the month, largest first.
    moved = sorted(
        (k for k in data["kpis"] if k["mom"]["delta_pct"] is not None and k["mom"]["delta"]),
        key=lambda k: abs(k["mom"]["delta_pct"]),
        reverse=True,
    )
    assert [m.name for m in summary.movers] == [k["name"] for k in moved[:5]]
    assert summary.company == openpyxl.load_workbook(sample)[("Settings", "設定")[summary.locale == "ja"]]["B2"].value


def test_the_email_says_what_the_summary_says(built: tuple[Path, dict[str, Path]]) -> None:
    _, files = built
    summary = Summary.from_json(json.loads(files["json"].read_text(encoding="utf-8"))["summary"])
    body = summary_body(summary)
    text = "\n\n".join(body.paragraphs)
    words = labels(summary.locale)
    for kgi in summary.kgis:
        assert (
            f"- {kgi.name}: {words['progress']} {kgi.progress} / {words['expected']} {kgi.expected} ({kgi.state})"
            in text
        )
    for mover in summary.movers:  # every mover of the pack, not a shorter list of its own
        assert f"- {mover.name}: {mover.delta}" in text
    assert body.subject == summary.subject


def test_the_view_built_from_the_report_carries_the_same_summary(built: tuple[Path, dict[str, Path]]) -> None:
    from kpireport.build import load_report

    sample, files = built
    view = finish(load_report(sample), today=dt.date(2026, 11, 24)).view
    assert view.summary == Summary.from_json(json.loads(files["json"].read_text(encoding="utf-8"))["summary"])
    assert "count-n" in render_html(view)
