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
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml import parse_xml
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
        actual, target, *_prior_and_outlook = chart.plots[0].series
        assert list(actual.values) == list(kpi["series"]["actual"])
        assert list(target.values) == kpi["series"]["target"]
        alt = shape._element.nvGraphicFramePr.cNvPr.get("descr")
        assert alt and alt.startswith(kpi["name"])
    # The bridge: a native stacked column chart whose bars are plan, one per driver, actual.
    bridge = next(k["drivers"] for k in data["kgis"] if k["drivers"])
    waterfalls = [s.chart for slide in deck.slides for s in slide.shapes if s.has_chart and not s.chart.has_title]
    assert len(waterfalls) == 1
    _base, total, up, down, labels = (list(s.values) for s in waterfalls[0].plots[0].series)
    assert total[0] == pytest.approx(bridge["planned"]) and total[-1] == pytest.approx(bridge["actual"])
    effects = [e["effect"] for e in bridge["bridge"]]
    drawn = [u if u is not None else -d for u, d in zip(up[1:-1], down[1:-1], strict=True)]
    assert drawn == pytest.approx(effects)
    # An invisible bar on each carries its label: the figure as the PDF shows it, in the
    # bridge's one scale (¥751.1M and 7.51億円 are held as 751.1 and 7.51).
    held = {"en": [751.1, 7.6, 0.3, 759.0], "ja": [7.51, 0.38, 0.04, 7.93]}[pack["lang"]]
    assert labels == pytest.approx(held)


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
    # Meiryo, which Office PCs have, not IPAexGothic, which LibreOffice on Linux substitutes.
    faces = {getattr(r.find(qn("a:rPr")).find(qn("a:ea")), "attrib", {}).get("typeface") for r in runs}
    assert faces == ({"Meiryo"} if pack["lang"] == "ja" else {None})
    # And so does the theme, so a title or a text box typed later in PowerPoint is Japanese too.
    theme = next(p for p in deck.part.package.iter_parts() if p.partname == "/ppt/theme/theme1.xml")
    root = parse_xml(theme.blob)
    for scheme in ("majorFont", "minorFont"):
        font = root.find(f".//{qn('a:' + scheme)}")
        assert font.find(qn("a:ea")).get("typeface") == ("Meiryo" if pack["lang"] == "ja" else "")
        assert font.find(qn("a:latin")).get("typeface") == "Arial"
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide)
    comment = "解約率が3か月連続で上昇" if pack["lang"] == "ja" else "Churn up for the third month"
    assert comment in notes


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _round(step: float) -> bool:
    """1, 2 or 5 × a power of ten: a step a reader counts in."""
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, f) for f in (1, 2, 5))


def _axis(chart: Any) -> tuple[str, float, float, float]:
    axis = chart._chartSpace.find(f".//{C}valAx")
    scaling = axis.find(f"{C}scaling")
    code = axis.find(f"{C}numFmt")
    assert code.get("sourceLinked") == "0"
    bounds = (float(scaling.find(f"{C}{key}").get("val")) for key in ("min", "max"))
    return (code.get("formatCode"), *bounds, float(axis.find(f"{C}majorUnit").get("val")))


def test_every_value_axis_reads_in_round_steps_and_the_packs_format(pack: dict[str, Any]) -> None:
    """Issue #30: no value axis reads raw yen from 731,343,268 in steps of 5,000,000."""
    deck = Presentation(str(pack["files"]["pptx"]))
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) == len(pack["data"]["kpis"]) + 1  # a trend each and the bridge
    for chart in charts:
        code, low, high, step = _axis(chart)
        assert code != "General" and ("#,##0" in code or "0\\." in code or "%" in code), code
        assert _round(step), step
        for bound in (low, high):  # each bound a whole number of steps from zero
            assert math.isclose(bound / step, round(bound / step), abs_tol=1e-9), (bound, step)
        assert 1 <= (high - low) / step <= 6
    # The bridge, from its JSON figures by hand (SPEC §3a; the PDF's scale, charts.py): the floor
    # 2.5 spans of the levels below the lowest, the top a tenth of a span above the highest and
    # room for the labels, in steps of 1, 2 or 5 about a quarter of that apart.
    bridge = next(s.chart for slide in deck.slides for s in slide.shapes if s.has_chart and not s.chart.has_title)
    expected = {
        # planned 751,128,000, actual 759,041,893: 731.3M to 762.1M in steps of 10M
        "en": ('"¥"#,##0,,"M";"−¥"#,##0,,"M"', 730e6, 770e6, 10e6),
        # planned 751,128,000, actual 792,985,240: 646.5M to 809.2M in steps of 50M, in 億円
        "ja": ('0\\.00,,"億円";"−"0\\.00,,"億円"', 600e6, 850e6, 50e6),
    }
    assert _axis(bridge) == expected[pack["lang"]]
    # Its labels: the figures as the PDF and the effects table show them (¥751.1M, +¥7.6M,
    # +¥0.3M, ¥759.0M: one scale, rounded so that they add up), the effects signed.
    labels = bridge._chartSpace.findall(f".//{C}ser")[-1]
    codes = [label.find(f"{C}numFmt").get("formatCode") for label in labels.findall(f"{C}dLbls/{C}dLbl")]
    assert labels.find(f"{C}dLbls/{C}showVal").get("val") == "1"
    shown = {
        "en": ['"¥"#,##0.0"M"', '"+¥"#,##0.0"M"', '"+¥"#,##0.0"M"', '"¥"#,##0.0"M"'],
        "ja": ['#,##0.00"億円"', '"+"#,##0.00"億円"', '"+"#,##0.00"億円"', '#,##0.00"億円"'],
    }
    assert codes == shown[pack["lang"]]


def _luminance(colour: str) -> float:
    return sum(w * int(colour[i : i + 2], 16) for w, i in ((0.2126, 0), (0.7152, 2), (0.0722, 4)))


def test_the_trend_lines_are_styled_as_in_the_pdf(pack: dict[str, Any]) -> None:
    """Target dashed, last year lighter than the actual, the outlook dotted; the scale the
    PDF's (charts.trend_ticks: the lines' own values in two or three round steps)."""
    data = {kpi["name"]: kpi for kpi in pack["data"]["kpis"]}
    deck = Presentation(str(pack["files"]["pptx"]))
    outlooks = 0
    for chart in (s.chart for slide in deck.slides for s in slide.shapes if s.has_chart and s.chart.has_title):
        series = chart._chartSpace.findall(f".//{C}ser")
        lines = [s.find(f"{C}spPr/{A}ln") for s in series]
        dashes = [getattr(line.find(f"{A}prstDash"), "attrib", {}).get("val") for line in lines]
        colours = [line.find(f"{A}solidFill/{A}srgbClr").get("val") for line in lines]
        assert dashes[:3] == [None, "dash", None]
        assert _luminance(colours[2]) > _luminance(colours[0])  # last year lighter than actual
        year = data[chart.chart_title.text_frame.text]["series"]
        if len(series) == 4:
            outlooks += 1
            assert dashes[3] == "sysDot" and colours[3] == colours[0]
            # From the last actual on, as the PDF draws it; the Forecast sheet's months as typed.
            last = max(i for i, v in enumerate(year["actual"]) if v is not None)
            outlook = list(chart.plots[0].series[3].values)
            assert outlook[:last] == [None] * last and outlook[last] == year["actual"][last]
            assert all(o == f for o, f in zip(outlook, year["forecast"], strict=True) if f is not None)
        # The scale is the lines' own: every value inside it, and no whole step empty.
        values = [v for line in chart.plots[0].series for v in line.values if v is not None]
        _code, low, high, step = _axis(chart)
        assert low <= min(values) < low + step and high - step < max(values) <= high
    assert outlooks > 0


def test_every_slide_has_its_title_in_the_title_placeholder_and_a_number(pack: dict[str, Any]) -> None:
    """PowerPoint's outline lists every slide by its title; every slide but the cover shows its
    number as a slide-number field (PowerPoint renumbers it when slides move)."""
    data = pack["data"]
    deck = Presentation(str(pack["files"]["pptx"]))
    titles = [slide.shapes.title.text if slide.shapes.title is not None else None for slide in deck.slides]
    assert None not in titles and "" not in titles
    assert titles[0] == data["company"]
    for department in {kpi["department"] for kpi in data["kpis"]}:
        assert any(t == department or t.startswith(department + " (") for t in titles), department
    for index, slide in enumerate(deck.slides, start=1):
        numbers = [
            shape for shape in slide.placeholders if shape.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER
        ]
        if index == 1:
            assert numbers == []
            continue
        [number] = numbers
        [field] = number.element.findall(f".//{A}fld")
        assert field.get("type") == "slidenum" and field.find(f"{A}t").text == str(index)
        # The title is drawn once: no text box repeats it.
        boxes = [s.text_frame.text for s in slide.shapes if s.has_text_frame and not s.is_placeholder]
        assert titles[index - 1] not in boxes


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
            # The bridge's axis and labels read as the number formats say (LibreOffice draws
            # what Excel's formats mean; 億 by the literal decimal point).
            shown = "".join(text.split())
            figures = {"en": ["¥730M", "¥770M", "¥751.1M", "+¥7.6M", "+¥0.3M", "¥759.0M"],
                       "ja": ["6.00億円", "8.50億円", "7.51億円", "+0.38億円", "+0.04億円", "7.93億円"]}  # fmt: skip
            for figure in figures[pack["lang"]]:
                assert figure in shown, figure
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
