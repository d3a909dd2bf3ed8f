"""Packs per audience, end to end (SPEC v1.2 §4b, #31): build --split of a workbook written here
(test_distribution.japanese_sheets: a Japanese team's workbook with English names), the scoped
packs' contents against the full pack's, their language and fonts, and send --distribution
against a real SMTP server on loopback. Expected figures are worked by hand from the sheet."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import REFUSED, SENDER, Inbox, Rows, minimal_sheets, write_sheets
from pypdf import PdfReader
from test_distribution import japanese_sheets

from kpireport.build import BuildOptions, build_pack, previous_pack
from kpireport.cli import cli
from kpireport.model import Month

TODAY = dt.date(2026, 7, 3)
JAPANESE_NAMES = [
    "新規売上",
    "商談数",
    "展示会リード",
    "採用数",
    "定着率",
    "売上高",
    "採用",
    "営業",
    "人事",
    "マーケティング",
]
SCOPED_PACKS = ["all-en", "scope1-ja", "sales-hr-en", "sales-hr-ja", "scope2-en", "g2-en", "sales-marketing-en"]


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env or {})


def plain_env(port: int) -> dict[str, str]:
    return {"KPIREPORT_SMTP_URL": f"smtp+insecure://127.0.0.1:{port}", "KPIREPORT_FROM": SENDER}


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mirai.xlsx built with --split into its folder's out/ (PDF and JSON, and what each
    recipient asks for)."""
    folder = tmp_path_factory.mktemp("split")
    workbook = write_sheets(folder / "mirai.xlsx", japanese_sheets())
    build_pack(workbook, BuildOptions(out_dir=folder / "out", formats=("pdf", "json"), today=TODAY, split=True))
    return folder


def pack(folder: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "out" / f"mirai-2026-06{name}.json").read_text(encoding="utf-8"))
    return data


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def resolve(data: Any, pointer: str) -> Any:
    for part in pointer.lstrip("/").split("/"):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def test_split_writes_the_full_pack_and_one_per_scope_and_language(split: Path) -> None:
    names = sorted(p.name for p in (split / "out").iterdir())
    # The full pack (Settings' language, ja) in --format's formats; each audience's pack in those
    # and its recipients' formats, and JSON. The CEO's all/ja is the full pack itself.
    expected = ["mirai-2026-06.json", "mirai-2026-06.pdf"]
    formats = {
        "all-ja": ["json", "pdf"],
        "all-en": ["html", "json", "pdf"],
        "scope1-ja": ["json", "pdf"],
        "sales-hr-en": ["json", "pdf", "pptx"],
        "sales-hr-ja": ["json", "pdf"],
        "scope2-en": ["json", "pdf"],
        "g2-en": ["json", "pdf", "xlsx"],
        "sales-marketing-en": ["json", "pdf"],
    }
    expected += [f"mirai-2026-06-{scope}.{suffix}" for scope, suffixes in formats.items() for suffix in suffixes]
    assert names == sorted(expected)
    out = split / "out"
    assert (out / "mirai-2026-06-all-ja.pdf").read_bytes() == (out / "mirai-2026-06.pdf").read_bytes()


def test_a_scoped_pack_holds_exactly_its_scope_with_the_full_packs_figures(split: Path) -> None:
    full = pack(split, "")
    by_id = {k["id"]: k for k in full["kpis"]}
    held = {name: [k["id"] for k in pack(split, f"-{name}")["kpis"]] for name in SCOPED_PACKS}
    assert held == {
        "all-en": ["S1", "S2", "M1", "H1", "H2"],
        "scope1-ja": ["S1", "S2"],  # 営業
        "sales-hr-en": ["S1", "S2", "H1", "H2"],
        "sales-hr-ja": ["S1", "S2", "H1", "H2"],
        "scope2-en": ["H1", "H2"],  # 人事
        "g2-en": ["H1", "H2"],  # the KPIs of G2: kgi G2, H1 measures it
        "sales-marketing-en": ["S1", "S2", "M1"],
    }
    figures = ("month", "mom", "qtd", "ytd", "forecast", "red_streak", "series", "required_pace", "kgi")
    for name in SCOPED_PACKS:
        data = pack(split, f"-{name}")
        for kpi in data["kpis"]:
            assert {f: kpi[f] for f in figures} == {f: by_id[kpi["id"]][f] for f in figures}, (name, kpi["id"])
        # Every goal of the company, with its bridge, as in the full pack.
        assert [{**k, "name": None} for k in data["kgis"]] == [{**k, "name": None} for k in full["kgis"]]
    s1 = pack(split, "-sales-hr-en")["kpis"][0]
    # June: 80 against 100; the year to date 90 + 110 + 80 = 280 against 300.
    assert (s1["month"]["actual"], s1["month"]["target"], s1["month"]["variance"]) == (80, 100, -20)
    assert (s1["month"]["attainment"], s1["month"]["status"]) == (0.8, "red")
    assert (s1["ytd"]["actual"], s1["ytd"]["target"], s1["ytd"]["attainment"]) == (280, 300, 0.933333333333333)
    h1 = pack(split, "-sales-hr-en")["kpis"][2]
    assert (h1["id"], h1["month"]["actual"], h1["month"]["attainment"]) == ("H1", 1, 0.5)


def test_a_scoped_pack_says_what_it_is(split: Path) -> None:
    assert pack(split, "-sales-hr-en")["scope"] == {
        "label": "Sales and HR",
        "slug": "sales-hr",
        "all": False,
        "departments": ["HR", "Sales"],
        "kgis": [],
    }
    assert pack(split, "-g2-en")["scope"]["label"] == "Hiring"
    assert pack(split, "-sales-hr-ja")["scope"]["label"] == "営業、人事"
    assert "scope" not in pack(split, "")
    cover = PdfReader(split / "out" / "mirai-2026-06-sales-hr-en.pdf").pages[0].extract_text() or ""
    assert "For Sales and HR" in " ".join(cover.split())
    cover = PdfReader(split / "out" / "mirai-2026-06-scope1-ja.pdf").pages[0].extract_text() or ""
    assert "対象範囲" in cover and "営業" in cover
    assert (
        pack(split, "-sales-hr-en")["summary"]["subject"]
        == "Mirai Trading Co. — Monthly KPI review Jun 2026 (Sales and HR)"
    )


def test_its_key_messages_are_drafted_from_what_it_holds(split: Path) -> None:
    # G1's bridge: leads (M1, Marketing) drag revenue most: 800 against 900 to date, while deals
    # are 59 against 60. The full pack names them; a pack without Marketing must not.
    full = pack(split, "")
    assert any("展示会リード" in m["text"] for m in full["commentary"]["key_messages"])
    for name in SCOPED_PACKS[1:-1]:
        data = pack(split, f"-{name}")
        words = [*data["commentary"]["key_messages"], *data["commentary"]["subjects"]]
        assert words
        for said in words:
            assert "Trade-show leads" not in said["text"] and "展示会リード" not in said["text"], (name, said)
            for ref in said["refs"]:
                assert resolve(data, ref) is not None, (name, ref)
        held = {k["id"] for k in data["kpis"]}
        assert {s["subject"] for s in data["commentary"]["subjects"]} <= held | {"G1", "G2"}


def test_findings_about_another_department_stay_out(split: Path) -> None:
    def mixes(data: dict[str, Any]) -> list[str]:
        return sorted(f["message"] for f in data["findings"] if f["code"] == "MIX")

    # Marketing and Sales track only volume KPIs; HR tracks a count and a rate.
    assert mixes(pack(split, "-all-en")) == [
        "Department “Marketing” tracks only volume KPIs (counts or money).",
        "Department “Sales” tracks only volume KPIs (counts or money).",
    ]
    assert mixes(pack(split, "-sales-hr-en")) == ["Department “Sales” tracks only volume KPIs (counts or money)."]
    assert mixes(pack(split, "-scope2-en")) == []
    for finding in pack(split, "-sales-hr-en")["findings"]:
        assert finding["kpi"] in {None, "S1", "S2", "H1", "H2"}


def test_an_english_pack_of_a_japanese_workbook_speaks_english(split: Path) -> None:
    data = pack(split, "-sales-hr-en")
    assert (data["locale"], data["company"]) == ("en", "Mirai Trading Co.")
    assert [(k["name"], k["department"], k["unit"]) for k in data["kpis"]] == [
        ("New revenue", "Sales", "currency"),
        ("Deals", "Sales", "items"),
        ("Hires", "HR", "people"),
        ("Retention rate", "HR", "percent"),
    ]
    assert [k["name"] for k in data["kgis"]] == ["Revenue", "Hiring"]
    pdf = split / "out" / "mirai-2026-06-sales-hr-en.pdf"
    text = pdf_text(pdf)
    for english in ("Monthly KPI review", "Mirai Trading Co.", "Jun 2026", "New revenue", "Retention rate",
                    "Sales Director", "¥80"):  # fmt: skip
        assert english in text, english
    assert [name for name in JAPANESE_NAMES if name in text] == []
    # Its comment stays as written, in Japanese: the PDF carries a Japanese font to draw it.
    assert "大型案件が7月にずれ込んだ" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(pdf).pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("IPAexGothic" in f for f in fonts), fonts


def test_every_format_is_scoped(split: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(split / "out" / "mirai-2026-06-g2-en.xlsx", read_only=True)
    names = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True) if row[0]]
    assert names == ["H1", "H2"]


def test_the_deck_names_a_japanese_face_where_its_text_has_japanese(split: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(split / "out" / "mirai-2026-06-sales-hr-en.pptx") as deck:
        slides = "".join(deck.read(n).decode() for n in deck.namelist() if n.startswith("ppt/slides/slide"))
    assert '<a:ea typeface="Meiryo"' in slides
    # Its runs with Japanese text are marked Japanese (LibreOffice then draws them in a Japanese
    # face, bold where asked); its English runs are not.
    runs = re.findall(r"<a:r><a:rPr([^>]*)>.*?<a:t>([^<]*)</a:t></a:r>", slides)
    marked = {(bool(re.search("[\u3040-\u30ff\u4e00-\u9fff]", text)), 'lang="ja-JP"' in rpr) for rpr, text in runs}
    assert marked == {(True, True), (False, False)}
    plain = write_sheets(tmp_path / "plain.xlsx", minimal_sheets())
    result = build_pack(plain, BuildOptions(out_dir=tmp_path, formats=("pptx",), today=TODAY))
    with zipfile.ZipFile(result.outputs[0]) as deck:
        assert all("a:ea" not in deck.read(n).decode() for n in deck.namelist() if n.startswith("ppt/slides/"))


def test_the_previous_pack_is_the_full_pack_never_a_scoped_one(tmp_path: Path) -> None:
    for name in ("mirai-2026-05-sales-hr-en.json", "mirai-2026-06-scope1-ja.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    options = BuildOptions(out_dir=tmp_path)
    assert previous_pack(tmp_path / "mirai.xlsx", Month(2026, 7), options) is None
    (tmp_path / "mirai-2026-05.json").write_text("{}", encoding="utf-8")
    assert previous_pack(tmp_path / "mirai.xlsx", Month(2026, 7), options) == tmp_path / "mirai-2026-05.json"


def _json_only(sheets: dict[str, Rows]) -> None:
    sheets["配布先"] = [
        ["宛先", "メール", "範囲", "言語", "形式"],
        ["Sales", "sales@example.com", "Sales", "en", "html"],
        ["社長", "ceo@example.com", "all", "ja", "json"],
    ]


def _json_only_book(folder: Path, name: str = "mirai.xlsx") -> Path:
    sheets = japanese_sheets()
    _json_only(sheets)
    return write_sheets(folder / name, sheets)


def test_the_controllers_words_follow_their_subject_into_each_pack(tmp_path: Path) -> None:
    sheets = japanese_sheets()
    _json_only(sheets)
    sheets["コメンタリー"] = [
        ["対象", "月", "本文"],
        ["*", "2026-06", "Hold the course."],
        ["M1", "2026-06", "The trade show was cancelled."],
        ["S2", "2026-06", "Deals slipped a week."],
    ]
    workbook = write_sheets(tmp_path / "mirai.xlsx", sheets)
    build_pack(workbook, BuildOptions(out_dir=tmp_path, formats=("json",), today=TODAY, split=True))
    sales = json.loads((tmp_path / "mirai-2026-06-sales-en.json").read_text(encoding="utf-8"))["commentary"]
    # The key messages (*) are every pack's; a KPI's words go with the KPI.
    assert sales["key_messages"] == [{"text": "Hold the course.", "refs": [], "source": "controller"}]
    said = {s["subject"]: (s["text"], s["source"]) for s in sales["subjects"]}
    assert said["S2"] == ("Deals slipped a week.", "controller")
    assert "M1" not in said


def test_split_works_with_jobs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _json_only_book(folder, "a.xlsx")
    _json_only_book(folder, "b.xlsx")
    result = run("build", folder, "-o", tmp_path / "out", "--format", "json", "--split", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{stem}-2026-06{tail}"
        for stem in ("a", "b")
        for tail in (".json", "-sales-en.html", "-sales-en.json", "-all-ja.json")
    )


def test_watch_splits_too(tmp_path: Path) -> None:
    from kpireport.batch import Outcome
    from kpireport.watch import watch

    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    _json_only_book(inbox)
    outcomes: list[Outcome] = []
    stop = threading.Event()
    options = BuildOptions(out_dir=outbox, formats=("json",), split=True)
    thread = threading.Thread(
        target=watch, args=(inbox, options, outcomes.append), kwargs={"settle": 0.2, "stop": stop.is_set}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not outcomes and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert [o.error for o in outcomes] == [""]
    assert (outbox / "mirai-2026-06-sales-en.json").is_file() and (outbox / "mirai-2026-06-all-ja.json").is_file()


def test_split_needs_a_distribution_sheet(tmp_path: Path) -> None:
    plain = write_sheets(tmp_path / "plain.xlsx", minimal_sheets())
    result = run("build", plain, "-o", tmp_path, "--format", "json", "--split")
    assert result.exit_code == 2
    assert result.output.startswith("Error: Distribution: build --split needs a Distribution sheet")
    assert list(tmp_path.glob("*.json")) == []


# -- e-mail -------------------------------------------------------------------------------------


def _attachments(inbox: Inbox, index: int) -> dict[str, bytes]:
    found = {}
    for part in inbox.message(index).iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[part.get_filename() or ""] = payload
    return found


def test_send_distribution_gives_each_recipient_only_their_pack(split: Path, plain_server: tuple[int, Inbox]) -> None:
    port, inbox = plain_server
    result = run("send", "--distribution", split / "mirai.xlsx", split / "out", env=plain_env(port))
    assert result.exit_code == 0, result.output
    expected = {
        "ceo@example.com": ["mirai-2026-06-all-ja.pdf"],
        "director@example.com": ["mirai-2026-06-all-en.pdf", "mirai-2026-06-all-en.html"],
        "sales@example.com": ["mirai-2026-06-scope1-ja.pdf"],
        "lead@example.com": ["mirai-2026-06-sales-hr-en.pdf", "mirai-2026-06-sales-hr-en.pptx"],
        "partner@example.com": ["mirai-2026-06-sales-hr-ja.pdf"],
        "hr@example.com": ["mirai-2026-06-scope2-en.pdf"],
        "talent@example.com": ["mirai-2026-06-g2-en.json", "mirai-2026-06-g2-en.xlsx"],
        "board@example.com": ["mirai-2026-06-sales-marketing-en.pdf"],
    }
    assert [e.rcpt_tos for e in inbox.envelopes] == [[address] for address in expected]
    for index, (address, files) in enumerate(expected.items()):
        message = inbox.message(index)
        assert message["To"] == address
        assert _attachments(inbox, index) == {name: (split / "out" / name).read_bytes() for name in files}
    lead = inbox.message(3)
    assert lead["Subject"] == "Mirai Trading Co. — Monthly KPI review Jun 2026 (Sales and HR)"
    body = lead.get_body(preferencelist=("plain",))
    assert body is not None and "Key messages:" in body.get_content()
    assert "Sent mirai-2026-06-sales-hr-en.pdf, mirai-2026-06-sales-hr-en.pptx to Lead <lead@example.com>" in (
        result.output
    )


def test_a_refused_recipient_is_named_and_the_others_still_get_theirs(
    split: Path, plain_server: tuple[int, Inbox], tmp_path: Path
) -> None:
    port, inbox = plain_server
    sheets = japanese_sheets()
    sheets["配布先"] = [
        sheets["配布先"][0],
        ["Nobody", REFUSED, "all", "ja", "pdf"],
        ["Lead", "lead@example.com", "Sales, HR", "en", "pdf"],
    ]
    workbook = write_sheets(tmp_path / "mirai.xlsx", sheets)
    result = run("send", "--distribution", workbook, split / "out", env=plain_env(port))
    assert result.exit_code == 1
    assert [e.rcpt_tos for e in inbox.envelopes] == [["lead@example.com"]]
    assert _attachments(inbox, 0) == {
        "mirai-2026-06-sales-hr-en.pdf": (split / "out" / "mirai-2026-06-sales-hr-en.pdf").read_bytes()
    }
    assert "Sent mirai-2026-06-sales-hr-en.pdf to Lead <lead@example.com>" in result.output
    assert f"refused Nobody <{REFUSED}> (550 5.1.1 no such user); the other recipients received theirs." in (
        result.output
    )


def test_a_missing_pack_is_named_and_nothing_is_sent(tmp_path: Path, plain_server: tuple[int, Inbox]) -> None:
    port, inbox = plain_server
    workbook = _json_only_book(tmp_path)
    (tmp_path / "out").mkdir()
    result = run("send", "--distribution", workbook, tmp_path / "out", env=plain_env(port))
    assert result.exit_code == 2
    assert "mirai-2026-06-sales-en.html, mirai-2026-06-all-ja.json" in result.output
    assert "nothing was sent" in result.output
    assert inbox.envelopes == []


def test_build_split_email_distribution_does_both_in_one_step(tmp_path: Path, plain_server: tuple[int, Inbox]) -> None:
    port, inbox = plain_server
    workbook = _json_only_book(tmp_path)
    out = tmp_path / "out"
    result = run(
        "build", workbook, "-o", out, "--format", "json", "--split", "--email-distribution", env=plain_env(port)
    )
    assert result.exit_code == 0, result.output
    assert [e.rcpt_tos for e in inbox.envelopes] == [["sales@example.com"], ["ceo@example.com"]]
    assert _attachments(inbox, 0) == {"mirai-2026-06-sales-en.html": (out / "mirai-2026-06-sales-en.html").read_bytes()}
    assert _attachments(inbox, 1) == {"mirai-2026-06-all-ja.json": (out / "mirai-2026-06-all-ja.json").read_bytes()}


def test_email_to_with_split_sends_the_full_pack_only(tmp_path: Path, plain_server: tuple[int, Inbox]) -> None:
    port, inbox = plain_server
    workbook = _json_only_book(tmp_path)
    result = run(
        "build", workbook, "-o", tmp_path / "out", "--split", "--email-to", "cfo@example.com", "--attach", "html",
        "--format", "json", env=plain_env(port),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [e.rcpt_tos for e in inbox.envelopes] == [["cfo@example.com"]]
    assert sorted(_attachments(inbox, 0)) == ["mirai-2026-06.html", "mirai-2026-06.pdf"]


def test_email_distribution_checks_smtp_before_building(tmp_path: Path) -> None:
    workbook = _json_only_book(tmp_path)
    result = run("build", workbook, "-o", tmp_path / "out", "--split", "--email-distribution")
    assert result.exit_code == 2
    assert "KPIREPORT_SMTP_URL" in result.output
    assert not (tmp_path / "out").exists()


def test_send_distribution_dry_run_writes_each_message(split: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(split / "out", out)
    result = run("send", "--distribution", split / "mirai.xlsx", out, "--dry-run")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.glob("*.eml"))
    assert "mirai-2026-06-sales-hr-en-to-lead@example.com.eml" in written
    assert len(written) == 8
