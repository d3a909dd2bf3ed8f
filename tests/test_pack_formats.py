"""Board formats (issue: board formats): the deck and the metrics workbook, read back with
python-pptx and openpyxl and compared with the pack's JSON (the SPEC's figures), in English and
Japanese; opened by LibreOffice; e-mailed with --attach."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import shutil
import subprocess
from email import message_from_bytes
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_EN, SAMPLE_JA, Inbox
from pptx import Presentation
from pptx.oxml.ns import qn
from pypdf import PdfReader

from kpireport.build import BuildOptions, build_pack
from kpireport.cli import cli

ALL = ("pdf", "html", "json", "pptx", "xlsx")


@pytest.fixture(scope="module", params=["en", "ja"])
def pack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    sample = SAMPLE_EN if request.param == "en" else SAMPLE_JA
    out = tmp_path_factory.mktemp(f"formats-{request.param}")
    # The deck, the workbook and the JSON they are checked against (every format together is
    # built once below, in test_build_writes_every_format_as_one_set).
    formats = ("json", "pptx", "xlsx")
    result = build_pack(sample, BuildOptions(out_dir=out, formats=formats, today=dt.date(2026, 11, 24)))
    files = {path.suffix[1:]: path for path in result.outputs}
    return {"lang": request.param, "files": files, "data": json.loads(files["json"].read_text(encoding="utf-8"))}


def slide_texts(deck: Any) -> list[str]:
    texts = []
    for slide in deck.slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
            if shape.has_chart and shape.chart.has_title:
                parts.append(shape.chart.chart_title.text_frame.text)
        texts.append("\n".join(parts))
    return texts


def test_the_deck_has_every_slide_kpi_and_kgi(pack: dict[str, Any]) -> None:
    data = pack["data"]
    deck = Presentation(str(pack["files"]["pptx"]))
    assert (deck.slide_width, deck.slide_height) == (12_192_000, 6_858_000)  # 16:9
    departments: dict[str, int] = {}
    commented: set[str] = set()
    subjects = {s["subject"] for s in data["commentary"]["subjects"]}
    for kpi in data["kpis"]:
        departments[kpi["department"]] = departments.get(kpi["department"], 0) + 1
        if kpi["id"] in subjects:
            commented.add(kpi["department"])
    findings = len(data["findings"])
    bridges = sum(1 for k in data["kgis"] if k["drivers"])
    # Open, or done or dropped in the report month's fiscal quarter (October-December 2026).
    listed = [a for a in data["actions"] if a["status"] == "open" or (a["closed"] or a["due"]) >= "2026-10-01"]
    expected = (
        1  # title
        + 1  # key messages
        + 1  # executive summary (two KGIs and five movers fit one slide)
        + bridges
        # ten KPIs a slide, seven where comments sit under the table
        + sum(math.ceil(n / (7 if d in commented else 10)) for d, n in departments.items())
        + math.ceil(len(data["kpis"]) / 4)  # trends, four to a slide
        + math.ceil(len(listed) / 6)  # the Actions sheet's actions on the actions page, six a slide
        + 1  # the Comments sheet's actions (three in the sample)
        + math.ceil(findings / 8)
    )
    assert len(deck.slides) == expected
    text = "\n".join(slide_texts(deck))
    for kpi in data["kpis"]:
        assert kpi["name"] in text, kpi["name"]
    for kgi in data["kgis"]:
        assert kgi["name"] in text, kgi["name"]
    assert data["company"] in slide_texts(deck)[0]


def test_the_deck_charts_are_native_and_carry_the_json_series(pack: dict[str, Any]) -> None:
    data = pack["data"]
    deck = Presentation(str(pack["files"]["pptx"]))
    charts = {
        shape.chart.chart_title.text_frame.text: (shape, shape.chart)
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart and shape.chart.has_title
    }
    assert len(charts) == len(data["kpis"])
    for kpi in data["kpis"]:
        shape, chart = charts[kpi["name"]]
        actual, target, _prior = chart.plots[0].series
        assert list(actual.values) == list(kpi["series"]["actual"])
        assert list(target.values) == kpi["series"]["target"]
        alt = shape._element.nvGraphicFramePr.cNvPr.get("descr")
        assert alt and alt.startswith(kpi["name"])
    # The bridge: a native stacked column chart whose bars are plan, one per driver, actual.
    bridge = next(k["drivers"] for k in data["kgis"] if k["drivers"])
    waterfalls = [s.chart for slide in deck.slides for s in slide.shapes if s.has_chart and not s.chart.has_title]
    assert len(waterfalls) == 1
    total, up, down, _base = (list(s.values) for s in waterfalls[0].plots[0].series)
    assert total[0] == pytest.approx(bridge["planned"]) and total[-1] == pytest.approx(bridge["actual"])
    effects = [e["effect"] for e in bridge["bridge"]]
    drawn = [u if u is not None else -d for u, d in zip(up[1:-1], down[1:-1], strict=True)]
    assert drawn == pytest.approx(effects)


def test_a_japanese_deck_names_an_east_asian_face_and_notes_carry_comments(pack: dict[str, Any]) -> None:
    deck = Presentation(str(pack["files"]["pptx"]))
    runs = [
        run._r
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
    ]
    faces = {(r.find(qn("a:rPr")).find(qn("a:ea")) is not None) for r in runs}
    assert faces == ({True} if pack["lang"] == "ja" else {False})
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide)
    comment = "解約率が3か月連続で上昇" if pack["lang"] == "ja" else "Churn up for the third month"
    assert comment in notes


def test_the_workbook_holds_the_json_figures_as_numbers(pack: dict[str, Any]) -> None:
    data = pack["data"]
    book = openpyxl.load_workbook(pack["files"]["xlsx"])
    kpis, kgis, commentary, findings, actions, trends = book.worksheets
    assert actions.max_row - 1 == len(data["actions"])  # every action of the pack (the sample has seven)
    # The Commentary sheet: the key messages (subject *) first, as the JSON has them.
    said = [(row[0].value, row[1].value) for row in commentary.iter_rows(min_row=2)]
    assert [text for subject, text in said if subject == "*"] == [m["text"] for m in data["commentary"]["key_messages"]]
    header = [c.value for c in kpis[1]]
    rows = {row[0].value: row for row in kpis.iter_rows(min_row=2)}
    assert len(rows) == len(data["kpis"])
    for kpi in data["kpis"]:
        row = rows[kpi["id"]]
        cells = dict(zip(header, row, strict=True))
        month = kpi["month"]
        assert row[3].value == month["target"] and row[4].value == month["actual"]
        assert row[5].value == month["attainment"]
        variance = month["variance"]
        if kpi["unit"] == "percent":  # a percent KPI's variance in points: 0.012 is 1.2
            # The samples' rates are typed to a hundredth of a percent (Churn's target 1.46%).
            assert row[7].value == pytest.approx(variance * 100) and row[7].number_format.startswith('+0.00"pt"')
            assert row[3].number_format == "0.00%"
        else:
            assert row[7].value == variance
        if kpi["unit"] == "currency":
            assert row[4].number_format == '"¥"#,##0'
        assert row[17].value == kpi["ytd"]["attainment"]
        assert cells[header[1]].value == kpi["name"]
    assert kpis.freeze_panes == "C2" and kpis.auto_filter.ref.startswith("A1:")
    rules = [rule for ranges in kpis.conditional_formatting for rule in ranges.rules]
    assert len(rules) == 4  # one per status
    assert [row[0].value for row in kgis.iter_rows(min_row=2)] == [k["id"] for k in data["kgis"]]
    assert findings.max_row - 1 == len(data["findings"])
    assert len(trends._charts) == len(data["kpis"])


def test_the_deck_and_the_workbook_open_in_libreoffice(pack: dict[str, Any], tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (make test installs it)")
    for kind in ("pptx", "xlsx"):
        out = tmp_path / kind
        run = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
             "--outdir", str(out), str(pack["files"][kind])],
            capture_output=True, text=True, timeout=240, check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        rendered = PdfReader(next(out.glob("*.pdf")))
        text = "".join(page.extract_text() for page in rendered.pages)
        if kind == "pptx":  # every slide survives the round trip, one page each
            assert len(rendered.pages) == len(Presentation(str(pack["files"][kind])).slides)
        assert pack["data"]["kpis"][0]["name"] in text


def test_build_writes_every_format_as_one_set(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(SAMPLE_EN), "-o", str(tmp_path), "--format", ",".join(ALL)])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".json", ".pdf", ".pptx", ".xlsx"]


def test_jobs_build_the_new_formats(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_EN, folder / "a.xlsx")
    shutil.copy(SAMPLE_JA, folder / "b.xlsx")
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out"), "--format", "pptx,xlsx",
                                      "--jobs", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a-2026-10.pptx", "a-2026-10.xlsx", "b-2026-10.pptx", "b-2026-10.xlsx",
    ]  # fmt: skip


def test_attach_sends_the_deck_with_the_pdf(
    plain_server: tuple[int, Inbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, inbox = plain_server
    monkeypatch.setenv("KPIREPORT_SMTP_URL", f"smtp+insecure://127.0.0.1:{port}")
    monkeypatch.setenv("KPIREPORT_FROM", "reports@example.com")
    result = CliRunner().invoke(cli, ["build", str(SAMPLE_EN), "-o", str(tmp_path), "--format", "json",
                                      "--email-to", "board@example.com", "--attach", "pdf,pptx"])  # fmt: skip
    assert result.exit_code == 0, result.output
    [envelope] = inbox.envelopes
    assert isinstance(envelope.content, bytes)
    message = message_from_bytes(envelope.content)
    names = sorted(part.get_filename() for part in message.walk() if part.get_filename())
    assert names == ["kpi-sample-en-2026-10.pdf", "kpi-sample-en-2026-10.pptx"]
    deck = next(part for part in message.walk() if part.get_filename() == "kpi-sample-en-2026-10.pptx")
    assert deck.get_payload(decode=True) == (tmp_path / "kpi-sample-en-2026-10.pptx").read_bytes()


def test_workbook_text_never_becomes_a_formula(tmp_path: Path) -> None:
    import openpyxl as xl

    book = xl.load_workbook(SAMPLE_EN)
    kpi_sheet = book["KPI"]
    kpi_sheet["B2"].value = '=HYPERLINK("http://evil.invalid","click")'
    kpi_sheet["B2"].data_type = "s"
    hostile = tmp_path / "hostile.xlsx"
    book.save(hostile)
    result = CliRunner().invoke(cli, ["build", str(hostile), "-o", str(tmp_path), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    written = openpyxl.load_workbook(next(tmp_path.glob("hostile-*.xlsx")))
    cells = [cell for sheet in written.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == '=HYPERLINK("http://evil.invalid","click")' for c in cells)


def test_one_view_model_feeds_every_renderer() -> None:
    from kpireport.build import load_report
    from kpireport.presenting.deck import render_pptx
    from kpireport.presenting.finished import finish
    from kpireport.presenting.metrics_workbook import render_xlsx
    from kpireport.presenting.pack_html import render_html

    view = finish(load_report(SAMPLE_EN), today=dt.date(2026, 11, 24)).view
    html = render_html(view)
    deck = Presentation(io.BytesIO(render_pptx(view)))
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(view)))
    deck_text = "\n".join(slide_texts(deck))
    sheet_text = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value}
    for mover in view.summary.movers:  # the summary's movers, in the pack and on the deck
        assert mover.name in html and mover.delta in html
        assert mover.name in deck_text and mover.delta in deck_text
    for card in view.kgis:  # the KGI cards' figures as decided, in the pack and on the deck
        assert card.progress in html and card.progress in deck_text
        assert card.name in sheet_text
    for department in view.departments:
        for row in department.rows:
            assert row.actual in deck_text and row.name in sheet_text


def test_control_characters_in_workbook_text_end_in_every_format(tmp_path: Path) -> None:
    """Excel keeps a control character as _xHHHH_ and the reader gives it back; XML cannot hold
    it, so the deck and the workbook show U+FFFD where the JSON keeps the character."""
    book = openpyxl.load_workbook(SAMPLE_EN)
    book["KPI"]["B2"].value = "Leads _x0007_ bell"
    book["KPI"]["D2"].value = None  # an orphan: a SMART-R finding quotes the name
    book["KGI"]["B2"].value = "Revenue _x0001_ goal"
    book["Comments"]["C2"].value = "Churn _x000B_ note"
    hostile = tmp_path / "controls.xlsx"
    book.save(hostile)
    result = CliRunner().invoke(cli, ["build", str(hostile), "-o", str(tmp_path / "out"), "--format", ",".join(ALL)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    data = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert data["kpis"][0]["name"] == "Leads \x07 bell"
    deck_text = "\n".join(slide_texts(Presentation(str(next(out.glob("*.pptx"))))))
    assert "Leads \ufffd bell" in deck_text and "Revenue \ufffd goal" in deck_text
    cells = {str(c.value) for s in openpyxl.load_workbook(next(out.glob("*.xlsx"))).worksheets for r in s.iter_rows()
             for c in r if c.value}  # fmt: skip
    assert "Leads \ufffd bell" in cells and "Revenue \ufffd goal" in cells
    assert any("Leads \ufffd bell" in cell for cell in cells if cell.startswith("KPI"))  # the finding
