"""Our own hostile-input suite: generated workbooks, themes, templates, addresses and packs
that once crashed, hung or leaked. Each case must end in a pack or one clean message with the
documented exit code: never a traceback, a native crash, a hang, invalid JSON, a network
connection or a byte of a file that was not given. The input is never changed.

Every case runs under a time limit (SIGALRM) and talks to nothing but a loopback listener
that proves no connection was made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import socket
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from click.testing import CliRunner, Result
from conftest import SAMPLE_EN, Rows, minimal_sheets, time_limit, write_sheets

from kpireport.cli import cli
from kpireport.presenting.theme import load_theme

SECONDS_PER_CASE = 60
SHEET_XML = "xl/worksheets/sheet{}.xml"


@pytest.fixture(autouse=True)
def bounded() -> Iterator[None]:
    with time_limit(SECONDS_PER_CASE, "a hostile input"):
        yield


class Listener:
    """A TCP listener on 127.0.0.1 that counts every connection made to it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.port: int = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    watching = Listener()
    yield watching
    watching.close()
    assert watching.connections == 0, "something connected to the network"


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def clean(result: Result, exit_code: int, *fragments: str) -> str:
    """The run ended as a user should see it: the exit code, one `Error:` line, no traceback."""
    output = result.output
    assert result.exit_code == exit_code, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    if exit_code and fragments:
        assert errors, output
    for fragment in fragments:
        assert fragment in output, output
    return output


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def book(tmp_path: Path, change: Callable[[dict[str, Rows]], None] | None = None, name: str = "book.xlsx") -> Path:
    sheets = minimal_sheets()
    if change is not None:
        change(sheets)
    return write_sheets(tmp_path / name, sheets)


def rezip(path: Path, edit: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> Path:
    """Rewrite the parts of an .xlsx: ``edit(name, data)`` returns new bytes, or None to keep."""
    parts = {info.filename: zipfile.ZipFile(path).read(info) for info in zipfile.ZipFile(path).infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            changed = edit(name, data)
            out.writestr(name, data if changed is None else changed)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def sheet_number(path: Path, title: str) -> int:
    return openpyxl.load_workbook(path, read_only=True).sheetnames.index(title) + 1


def built_json(out: Path) -> dict[str, Any]:
    """The pack's JSON, parsed as RFC 8259 allows (NaN and Infinity refused)."""
    [path] = out.glob("*.json")

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON")

    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    return data


# -- far cells and sheet extents ------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("XFD200000", "Actuals!XFD200000: the sheet's cells reach row 200,000 and column 16,384"),
        ("XFD1048576", "Actuals!XFD1048576: the sheet's cells reach row 1,048,576"),
        ("BXX250000", "Actuals!BXX250000: the sheet's cells reach row 250,000 and column 2,000"),
        ("C250001", "Actuals!C250001: the sheet's cells reach row 250,001"),
    ],
)
def test_a_far_cell_is_refused_naming_it(tmp_path: Path, listener: Listener, ref: str, message: str) -> None:
    path = book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Actuals"][ref] = 1
    wb.save(path)
    before = digest(path)
    clean(run("build", path, "-o", tmp_path / "out"), 2, message)
    clean(run("check", path), 2, message)
    assert digest(path) == before and not (tmp_path / "out").exists()


def test_a_row_past_excels_last_and_a_lying_dimension(tmp_path: Path) -> None:
    path = book(tmp_path)
    number = sheet_number(path, "Actuals")

    def past_the_grid(name: str, data: bytes) -> bytes | None:
        if name != SHEET_XML.format(number):
            return None
        return data.replace(b"</sheetData>", b'<row r="1048577"><c r="B1048577"><v>1</v></c></row></sheetData>')

    clean(run("build", rezip(path, past_the_grid), "-o", tmp_path), 2, "past Excel's last row")

    lying = book(tmp_path, name="lying.xlsx")

    def huge_dimension(name: str, data: bytes) -> bytes | None:
        if not name.startswith("xl/worksheets/"):
            return None
        start = data.index(b"<dimension")
        end = data.index(b"/>", start) + 2
        return data[:start] + b'<dimension ref="A1:XFD1048576"/>' + data[end:]

    clean(run("build", rezip(lying, huge_dimension), "-o", tmp_path / "out", "--format", "json"), 0)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        # Found by bench/fuzz.py: calamine placed this row billions of rows down and aborted.
        (b'<row r="99999999999"><c><v>1</v></c></row>', "a row numbered '99999999999'"),
        (b'<row r="0"><c><v>1</v></c></row>', "a row numbered '0'"),
        (b'<row r="9"><c r="A0"><v>1</v></c></row>', "a cell reference 'A0'"),
        (b'<row r="9"><c r="$A9"><v>1</v></c></row>', "a cell reference '$A9'"),
        (b'<row r="9"><c r="a9"><v>1</v></c></row>', "a cell reference 'a9'"),
        (b'<row r="9"><c r="XFE9"><v>1</v></c></row>', "a cell at XFE9, outside Excel's grid"),
    ],
)
def test_references_that_are_not_cells_are_refused(tmp_path: Path, cells: bytes, message: str) -> None:
    path = book(tmp_path)
    number = sheet_number(path, "Actuals")

    def odd(name: str, data: bytes) -> bytes | None:
        return data.replace(b"</sheetData>", cells + b"</sheetData>") if name == SHEET_XML.format(number) else None

    clean(run("build", rezip(path, odd), "-o", tmp_path / "out"), 2, "Actuals: the sheet is rejected", message)


def test_a_crafted_comment_is_scanned_in_linear_time(tmp_path: Path) -> None:
    path = book(tmp_path)
    number = sheet_number(path, "Actuals")
    # Many openings a backtracking regular expression would try to match.
    crafted = b"<!--" + b'<c r="A1" t="e"><v>' * 20_000 + b"-->"

    def comment(name: str, data: bytes) -> bytes | None:
        return data.replace(b"<sheetData>", crafted + b"<sheetData>") if name == SHEET_XML.format(number) else None

    clean(run("build", rezip(path, comment), "-o", tmp_path, "--format", "json"), 0)


# -- XML and zip tricks -------------------------------------------------------------------------

BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    "part", ["xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml", "sheet"]
)
@pytest.mark.parametrize("declaration", [BOMB, XXE], ids=["bomb", "xxe"])
def test_dtds_in_every_xml_part_are_refused(tmp_path: Path, listener: Listener, part: str, declaration: bytes) -> None:
    path = book(tmp_path, lambda s: s["KPI"][1].__setitem__(1, "shared text"))
    target = SHEET_XML.format(sheet_number(path, "Actuals")) if part == "sheet" else part
    # A long comment first: a check of the first kilobyte alone would miss the DTD.
    padding = b"<!--" + b"x" * 4096 + b"-->"

    def declare(name: str, data: bytes) -> bytes | None:
        if name != target:
            return None
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return declaration.replace(b"<!DOCTYPE", padding + b"<!DOCTYPE") + body

    # openpyxl writes no shared strings; a workbook from Excel has them, so add the part.
    names = zipfile.ZipFile(path).namelist()
    extra = {target: declare(target, b'<sst xmlns="x"/>') or b""} if target not in names else None
    clean(run("build", rezip(path, declare, extra), "-o", tmp_path), 2, "declares XML entities (a DTD)")


def test_zip_tricks_end_in_a_message(tmp_path: Path) -> None:
    good = book(tmp_path)
    data = good.read_bytes()
    cases: dict[str, bytes] = {
        "truncated.xlsx": data[: len(data) - 40],  # the central directory cut off
        "csv.xlsx": b"id,2026-04\nK1,90\n",
        "html.xlsx": b"<html><body><table><tr><td>K1</td></tr></table></body></html>",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        clean(run("build", tmp_path / name, "-o", tmp_path / "out"), 2)
    traversal = rezip(
        book(tmp_path, name="names.xlsx"), lambda n, d: None, {"../evil.xml": b"<x/>", "/abs.xml": b"<x/>"}
    )
    clean(run("build", traversal, "-o", tmp_path / "out", "--format", "json"), 0)
    assert not (tmp_path / "evil.xml").exists()
    nested = rezip(book(tmp_path, name="nested.xlsx"), lambda n, d: None, {"xl/embeddings/inner.xlsx": data})
    clean(run("build", nested, "-o", tmp_path / "out", "--format", "json"), 0)
    # Every part flagged as encrypted: a password-protected workbook, named as such.
    encrypted = bytearray(book(tmp_path, name="locked.xlsx").read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := encrypted.find(signature, start)) != -1:
            encrypted[start + offset] |= 0x01
            start += 4
    (tmp_path / "locked.xlsx").write_bytes(bytes(encrypted))
    clean(run("build", tmp_path / "locked.xlsx", "-o", tmp_path / "out"), 2, "is password-protected")


def test_a_high_ratio_part_just_under_and_over_the_limit(tmp_path: Path) -> None:
    from kpireport.reading import xlsx

    under = 150 * (xlsx.RATIO_CHECK_BYTES // 150)  # highly compressible, but the part is not past 8 MiB
    ok = rezip(book(tmp_path, name="under.xlsx"), lambda n, d: None, {"xl/media/pad.bin": bytes(under - 1)})
    clean(run("build", ok, "-o", tmp_path / "out", "--format", "json"), 0)
    bomb = rezip(book(tmp_path, name="over.xlsx"), lambda n, d: None, {"xl/media/pad.bin": bytes(64 * 1024 * 1024)})
    clean(run("build", bomb, "-o", tmp_path / "out"), 2, "it may be a zip bomb")


def fifty_mb_name(tmp_path: Path, letters: str = "abcdefghijklmnopqrstuvwxyz ") -> tuple[Path, str]:
    """The minimal workbook whose first KPI's name is a 50 MB shared string of ``letters``."""
    import random

    text = "".join(random.Random(7).choices(letters, k=50 * 1024 * 1024))
    path = book(tmp_path)
    kpi_sheet = SHEET_XML.format(sheet_number(path, "KPI"))
    shared = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        + text.encode()
        + b"</t></si></sst>"
    )

    def share(name: str, data: bytes) -> bytes | None:
        if name == kpi_sheet:  # the first KPI's name becomes shared string 0
            start = data.index(b'<c r="B2"')
            end = data.index(b"</c>", start) + 4
            return data[:start] + b'<c r="B2" t="s"><v>0</v></c>' + data[end:]
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        return None

    return rezip(path, share, {"xl/sharedStrings.xml": shared}), text


def test_a_50_mb_shared_string_is_read_and_clipped(tmp_path: Path) -> None:
    path, text = fifty_mb_name(tmp_path)
    before = digest(path)
    result = run("check", path, "--format", "json")
    clean(result, 0)
    long_names = [f for f in json.loads(result.stdout)["findings"] if "characters long" in f["message"]]
    assert [f["where"] for f in long_names] == ["KPI!A2"]
    assert f"{len(text):,} characters" in long_names[0]["message"]
    assert digest(path) == before


def test_a_50_mb_name_is_clipped_before_anything_reads_it_whole(tmp_path: Path) -> None:
    # --format pdf ran past 60 s: the name rules searched all 50 MB of it for their words, and
    # each field was made XML-safe whole before being cut to what the pack shows.
    path, text = fifty_mb_name(tmp_path, "abcdefghijklmnopqrstuvwxyz")  # one word: no break to find
    out = tmp_path / "out"
    started = time.monotonic()
    clean(run("build", path, "-o", out, "--format", "pdf,json"), 0)
    assert time.monotonic() - started < 30
    from pypdf import PdfReader

    pdf_text = "".join(page.extract_text() or "" for page in PdfReader(next(out.glob("*.pdf"))).pages)
    assert text[:150] in pdf_text.replace("\n", "") and text[:250] not in pdf_text.replace("\n", "")
    assert built_json(out)["kpis"][0]["name"] == text  # the JSON keeps it whole


# -- cell values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell_text"),
    [
        ("1,000", "'1,000' is not a number"),
        ("１００", "'１００' is not a number"),
        ("12%", "'12%' is not a number"),
        (True, "is not a number"),
    ],
)
def test_text_and_booleans_in_number_cells_name_the_cell(tmp_path: Path, value: object, cell_text: str) -> None:
    path = book(tmp_path, lambda s: s["Actuals"][1].__setitem__(2, value))
    clean(
        run("build", path, "-o", tmp_path / "out"),
        2,
        "Actuals!C2: " + cell_text.split(" is")[0] if isinstance(value, str) else "Actuals!C2",
    )
    checked = run("check", path, "--format", "json")
    clean(checked, 1)
    assert any(f["code"] == "SMART-M" and f["where"] == "Actuals!C2" for f in json.loads(checked.stdout)["findings"])


@pytest.mark.parametrize(
    ("xml_value", "outcome"),
    [(b"1e400", 2), (b"INF", 2), (b"-1e30", 2), (b"1000000000000001", 2), (b"1E+15", 0), (b"4.9E-324", 0)],
)
def test_numbers_at_the_extremes(tmp_path: Path, xml_value: bytes, outcome: int) -> None:
    path = book(tmp_path)
    number = sheet_number(path, "Actuals")

    def extreme(name: str, data: bytes) -> bytes | None:
        return (
            data.replace(b"<v>110</v>", b"<v>" + xml_value + b"</v>", 1) if name == SHEET_XML.format(number) else None
        )

    out = tmp_path / "out"
    result = run("build", rezip(path, extreme), "-o", out)
    clean(result, outcome, *(["Actuals!C2", "beyond ±1e+15"] if outcome else []))
    if outcome == 0:
        data = built_json(out)
        assert data["kpis"][0]["mom"]["previous"] is not None
        assert any(p.suffix == ".pdf" for p in out.iterdir())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["Targets"][1].__setitem__(1, 1e28), "Targets!B2"),
        (lambda s: s["KGI"][1].__setitem__(2, 10**30), "KGI!C2"),
        (lambda s: s["KGI"][1].__setitem__(2, "123456789012345678901234567890"), "KGI!C2"),
        (lambda s: s["Actuals"][0].__setitem__(1, "0000-04"), "Actuals!B1: the year 0 is outside 1900-2199"),
        (lambda s: s["KGI"][1].__setitem__(4, "9999-12-31"), "KGI!E2: the year 9999 is outside 1900-2199"),
        (lambda s: s["Settings"].append(["report_month", "2300-01"]), "Settings!B6: the year 2300"),
    ],
)
def test_figures_and_dates_out_of_range_name_the_cell(tmp_path: Path, change: Any, message: str) -> None:
    clean(run("build", book(tmp_path, change), "-o", tmp_path / "out"), 2, message)


@pytest.mark.parametrize(
    ("second_id", "message"),
    [
        ("k1", "'k1' is not a KPI id on the KPI sheet"),  # ids are matched exactly: case matters
        ("Ｋ1", "'Ｋ1' is not a KPI id on the KPI sheet"),  # and width
        ("K1 ", "KPI 'K1' has two rows"),  # surrounding spaces do not
    ],
)
def test_ids_that_differ_only_by_case_width_or_spaces(tmp_path: Path, second_id: str, message: str) -> None:
    path = book(tmp_path, lambda s: s["Actuals"].append([second_id, 1, 2, 3]))
    before = digest(path)
    clean(run("build", path, "-o", tmp_path / "out"), 2, "Actuals!A4", message)
    assert digest(path) == before


def test_ambiguous_sheets_name_both(tmp_path: Path) -> None:
    def two_settings(sheets: dict[str, Rows]) -> None:
        sheets["設定"] = [["会社名", "Other"]]

    clean(run("build", book(tmp_path, two_settings), "-o", tmp_path), 2, "two Settings sheets, 'Settings' and '設定'")
    path = book(tmp_path, name="hidden.xlsx")
    wb = openpyxl.load_workbook(path)
    hidden = wb.create_sheet("ＡＣＴＵＡＬＳ")
    hidden.sheet_state = "hidden"
    wb.save(path)
    clean(run("build", path, "-o", tmp_path), 2, "two Actuals sheets, 'Actuals' and 'ＡＣＴＵＡＬＳ'")


# -- text that attacks the layout, the terminal, the HTML and the formulas ------------------------

TRICKS = [
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}{% include 'x' %}",
    '=HYPERLINK("http://127.0.0.1/x","click")',
    "\u202eevil\u202c \u200bzero\u200dwidth 🚀",
    "<img src=x onerror=alert(1)>",
]


def test_tricky_text_in_every_field_stays_text(tmp_path: Path, listener: Listener) -> None:
    hostile = " | ".join(TRICKS) + f" http://127.0.0.1:{listener.port}/"

    def everywhere(sheets: dict[str, Rows]) -> None:
        sheets["Settings"][1][1] = hostile
        sheets["KPI"][1][1] = hostile
        sheets["KPI"][1][2] = hostile
        sheets["KPI"][1][9] = hostile
        sheets["KGI"][1][1] = hostile
        sheets["Comments"][1][2:5] = [hostile, hostile, hostile]

    out = tmp_path / "out"
    path = book(tmp_path, everywhere)
    before = digest(path)
    clean(run("build", path, "-o", out), 0)
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "</script><script>" not in html and "<img src=x" not in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    data = built_json(out)
    assert data["company"] == hostile and data["kpis"][0]["name"] == hostile
    from pypdf import PdfReader

    pages = PdfReader(next(out.glob("*.pdf"))).pages
    # pypdf reads some fallback fonts' text as UTF-16 with NULs between the characters.
    pdf_text = "".join(page.extract_text() or "" for page in pages).replace("\x00", "")
    assert "{{ 7*7 }}" in pdf_text and "=HYPERLINK(" in pdf_text and "</script>" in pdf_text
    assert digest(path) == before


def test_control_characters_never_reach_the_terminal_raw(tmp_path: Path) -> None:
    # OOXML writes a control character as _xHHHH_; calamine turns it back into the character.
    def escapes(sheets: dict[str, Rows]) -> None:
        sheets["KPI"][2][1] = "Leads_x001B_]2;owned_x0007__x001B_[2J"
        sheets["KPI"][2][3] = None  # an orphan KPI, so the finding is printed

    def named(sheets: dict[str, Rows]) -> None:
        escapes(sheets)
        sheets["Actuals"][1][0] = "_x001B_[2JK9"

    result = run("check", book(tmp_path, escapes))
    assert "\x1b" not in result.output and "\\x1b" in result.output
    failed = run("build", book(tmp_path, named, name="ids.xlsx"), "-o", tmp_path)
    assert "\x1b" not in failed.output and failed.exit_code == 2


def test_a_100000_character_name_builds_a_pack_quickly(tmp_path: Path) -> None:
    def long(sheets: dict[str, Rows]) -> None:
        sheets["KPI"][1][1] = "W" * 30_000  # one word, within Excel's 32,767 characters a cell
        sheets["Settings"][1][1] = "C" * 100_000

    out = tmp_path / "out"
    clean(run("build", book(tmp_path, long), "-o", out, "--format", "pdf,json"), 0)
    data = built_json(out)
    assert data["kpis"][0]["name"] == "W" * 30_000  # the JSON keeps it whole
    assert any(f["code"] == "SMART-S" and f["where"] == "KPI!A2" for f in data["findings"])


# -- files that are not what they claim -----------------------------------------------------------


def test_fifos_devices_and_sparse_files_are_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    clean(run("build", fifo, "-o", tmp_path / "out"), 2, "is not a regular file")
    clean(run("build", "/dev/zero", "-o", tmp_path / "out"), 2, "is not a regular file")
    theme_fifo = tmp_path / "brand.toml"
    os.mkfifo(theme_fifo)
    clean(run("build", SAMPLE_EN, "--theme", theme_fifo, "-o", tmp_path / "out"), 2, "is not a regular file")
    theme = tmp_path / "theme.toml"
    (tmp_path / "link.png").symlink_to("/dev/zero")
    for logo, message in (
        ("/dev/zero", "is not a regular file"),
        ("link.png", "is not a regular file"),
        ("sparse.png", "the limit is 2.0 MiB"),
        ("bad\x00name.png", "is not a valid file name"),
    ):
        theme.write_text(f"logo = {json.dumps(logo)}\n", encoding="utf-8")
        if logo == "sparse.png":
            with (tmp_path / logo).open("wb") as handle:
                handle.truncate(2 * 1024**3)  # 2 GiB, no block written
        clean(run("build", SAMPLE_EN, "--theme", theme, "-o", tmp_path / "out"), 2, message)
    theme.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    clean(run("build", SAMPLE_EN, "--theme", theme, "-o", tmp_path / "out"), 2, "too deeply")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "event handler"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="file:///etc/passwd"/></svg>',
            "refers to 'file:///etc/passwd'",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://127.0.0.1:9/x)"/></svg>', "refers to"),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>',
            "cannot be read safely",
        ),
    ],
)
def test_svg_logos_that_run_or_fetch_are_refused(tmp_path: Path, listener: Listener, svg: bytes, message: str) -> None:
    (tmp_path / "logo.svg").write_bytes(svg.replace(b"127.0.0.1:9", f"127.0.0.1:{listener.port}".encode()))
    (tmp_path / "brand.toml").write_text('logo = "logo.svg"\n', encoding="utf-8")
    clean(run("build", SAMPLE_EN, "--theme", tmp_path / "brand.toml", "-o", tmp_path / "out"), 2, message)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{% include "../../../../../../etc/passwd" %}', "TemplateNotFound"),
        ('{% extends "/etc/passwd" %}', "TemplateNotFound"),
        ('{% import "../outside.j2" as o %}', "TemplateNotFound"),
        ("{{ 1/0 }}", "template pack.html.j2 line 1: ZeroDivisionError"),
        ('{% include "pack.html.j2" %}', "includes or extends itself"),
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{% if %}", "template pack.html.j2 line 1"),
    ],
)
def test_templates_cannot_reach_outside_their_folder(tmp_path: Path, template: str, message: str) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (tmp_path / "outside.j2").write_text("SECRET", encoding="utf-8")
    (folder / "pack.html.j2").write_text(template, encoding="utf-8")
    result = run("build", SAMPLE_EN, "--templates", folder, "-o", tmp_path / "out", "--format", "html")
    clean(result, 1, message)
    assert "root:" not in result.output and "SECRET" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_template_link_out_of_the_folder_and_invalid_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "pack.html.j2").symlink_to("/etc/passwd")
    clean(run("build", SAMPLE_EN, "--templates", folder, "-o", tmp_path, "--format", "html"), 2, "leads outside")
    (folder / "pack.html.j2").unlink()
    (folder / "pack.html.j2").write_bytes(b"\xff\xfe{{ x }}")
    clean(run("build", SAMPLE_EN, "--templates", folder, "-o", tmp_path, "--format", "html"), 2, "is not UTF-8")


# -- addresses, servers and pack JSON -------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "cfo@mail..example.com",
        "cfö@example.com",
        "cfo\r\nBcc: x@example.com",
        "cfo@example",
        "@example.com",
        "a@b@c.com",
    ],
)
def test_bad_addresses_stop_before_anything_is_built(tmp_path: Path, address: str) -> None:
    env = {"KPIREPORT_SMTP_URL": "smtp+insecure://127.0.0.1:9", "KPIREPORT_FROM": "r@example.com"}
    result = run("build", SAMPLE_EN, "-o", tmp_path / "out", "--email-to", address, env=env)
    clean(result, 2, "is not an e-mail address")
    assert not (tmp_path / "out").exists()


def test_a_broken_server_url_stops_before_building(tmp_path: Path) -> None:
    env = {"KPIREPORT_SMTP_URL": "smtp://[::1", "KPIREPORT_FROM": "r@example.com"}
    clean(
        run("build", SAMPLE_EN, "-o", tmp_path / "out", "--email-to", "cfo@example.com", env=env), 2, "not a valid URL"
    )
    assert not (tmp_path / "out").exists()


def _slow_server(behaviour: str) -> tuple[int, Callable[[], None]]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    stop = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while not stop.is_set():
                try:
                    conn.sendall(b"2" if behaviour == "trickle" else b"220-still greeting\r\n")
                except OSError:
                    return
                stop.wait(2.0 if behaviour == "trickle" else 0.01)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def close() -> None:
        stop.set()
        server.close()

    return server.getsockname()[1], close


@pytest.mark.parametrize("behaviour", ["trickle", "endless"])
def test_a_server_that_never_finishes_is_cut_off(tmp_path: Path, behaviour: str) -> None:
    port, close = _slow_server(behaviour)
    try:
        pdf = tmp_path / "kpi-2026-10.pdf"
        pdf.write_bytes(b"%PDF-1.7 test")
        env = {
            "KPIREPORT_SMTP_URL": f"smtp+insecure://127.0.0.1:{port}",
            "KPIREPORT_FROM": "r@example.com",
            "KPIREPORT_SMTP_TIMEOUT": "2",
        }
        clean(run("send", pdf, "--to", "cfo@example.com", env=env), 1, "did not finish the exchange within 2 s")
    finally:
        close()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(report_month="2026-13"), "report_month: '2026-13' does not match"),
        (lambda d: d.update(kpis=5), "kpis: 5 is not of type 'array'"),
        (lambda d: d["kpis"].__setitem__(0, {}), "kpis[0]: 'id' is a required property"),
        (lambda d: d.update(schema="other/v9"), "schema: 'kpireport/v1' was expected"),
    ],
)
def test_a_hand_edited_pack_json_is_refused_saying_where(tmp_path: Path, edit: Any, message: str) -> None:
    out = tmp_path / "out"
    clean(run("build", SAMPLE_EN, "-o", out, "--format", "pdf,json"), 0)
    [path] = out.glob("*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    clean(run("send", next(out.glob("*.pdf")), "--to", "cfo@example.com", "--dry-run"), 2, message)


def test_a_truncated_pack_json_and_outputs_that_are_folders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    clean(run("build", SAMPLE_EN, "-o", out, "--format", "pdf,json"), 0)
    [path] = out.glob("*.json")
    path.write_text(path.read_text(encoding="utf-8")[:200], encoding="utf-8")
    clean(
        run("send", next(out.glob("*.pdf")), "--to", "cfo@example.com", "--dry-run"), 2, "is not a kpireport JSON pack"
    )
    path.unlink()
    (out / "kpi-sample-en-2026-10.eml").mkdir()
    clean(run("send", next(out.glob("*.pdf")), "--to", "cfo@example.com", "--dry-run"), 1, "a folder has that name")
    fresh = tmp_path / "fresh"
    (fresh / "kpi-sample-en-2026-10.html").mkdir(parents=True)
    clean(run("build", SAMPLE_EN, "-o", fresh), 1, "a folder has that name")
    assert sorted(p.name for p in fresh.iterdir()) == ["kpi-sample-en-2026-10.html"]  # no PDF written anyway


# -- plan --write: the input is never written, no target beyond the ranges -----------------------


def driver_goal(formula: str, target: float) -> Callable[[dict[str, Rows]], None]:
    """G1 with a driver tree ``formula`` and ``target``, from April 2026 to March 2027."""

    def change(sheets: dict[str, Rows]) -> None:
        sheets["KGI"] = [
            ["id", "name", "target", "unit", "deadline", "measured_by", "owner", "start", "formula"],
            ["G1", "Revenue", target, "currency", dt.date(2027, 3, 31), "K1", "CEO", None, formula],
        ]

    return change


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("how", ["dot-dot past a new folder", "symbolic link", "hard link", "linked folder"])
def test_plan_never_writes_over_its_input(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    source = book(folder, driver_goal("[K1] * [K2]", 1500.0))
    if how == "dot-dot past a new folder":
        destination = folder / "nope" / ".." / source.name
    elif how == "symbolic link":
        destination = tmp_path / "link.xlsx"
        destination.symlink_to(source)
    elif how == "hard link":
        destination = tmp_path / "hard.xlsx"
        os.link(source, destination)
    else:
        (tmp_path / "alias").symlink_to(folder)
        destination = tmp_path / "alias" / "nope" / ".." / source.name
    before, files = digest(source), tree(tmp_path)
    clean(
        run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", destination),
        2,
        f"--write {destination} is the workbook itself; the input is never modified.",
    )
    assert digest(source) == before
    assert tree(tmp_path) == files  # no folder "nope", no temporary file


def test_plan_writes_where_a_dot_dot_leads_without_making_the_folder_it_passes(tmp_path: Path) -> None:
    source = book(tmp_path, driver_goal("[K1] * [K2]", 1500.0))
    before = digest(source)
    clean(run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", tmp_path / "new" / ".." / "copy.xlsx"), 0)
    assert (tmp_path / "copy.xlsx").is_file() and not (tmp_path / "new").exists()
    assert digest(source) == before


def test_plan_into_a_loop_of_links_is_a_message(tmp_path: Path) -> None:
    source = book(tmp_path, driver_goal("[K1] * [K2]", 1500.0))
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    destination = tmp_path / "a" / "copy.xlsx"
    clean(
        run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", destination),
        1,
        f"cannot write {destination}: its folder is a loop of symbolic links",
    )


def test_plan_refuses_targets_beyond_the_range_and_writes_nothing(tmp_path: Path) -> None:
    # A KGI of 1e15 (within §6's range) from K1 x 1e-9: K1 would need 1e15 / 1e-9 / 12 = 8.33e22 a month.
    source = book(tmp_path, driver_goal("[K1] * 1e-9", 1e15))
    before, files = digest(source), tree(tmp_path)
    clean(
        run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", tmp_path / "copy.xlsx"),
        1,
        "Error: the solved targets of K1 would reach 8.33e+22, beyond ±1e+15",
        "nothing was written",
    )
    assert digest(source) == before and tree(tmp_path) == files


def test_plan_on_a_formula_that_overflows_says_so(tmp_path: Path) -> None:
    source = book(tmp_path, driver_goal("[K1] * 1e308 * 10", 1500.0))
    before, files = digest(source), tree(tmp_path)
    clean(
        run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", tmp_path / "copy.xlsx"),
        2,
        "KGI 'G1': with today's targets its formula [K1] * 1e308 * 10 gives a number too large to compute",
    )
    assert digest(source) == before and tree(tmp_path) == files


# -- previous packs: last month's JSON is a file anyone can edit --------------------------------


def may_pack(tmp_path: Path) -> tuple[Path, Path]:
    """The minimal workbook and its May pack's JSON in out/, where June's build finds it (§7)."""
    path = book(tmp_path)
    clean(run("build", path, "-o", tmp_path / "out", "--month", "2026-05", "--format", "json"), 0)
    return path, tmp_path / "out" / "book-2026-05.json"


def edit_json(path: Path, edit: Callable[[dict[str, Any]], None], raw: dict[str, str] | None = None) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    text = json.dumps(data)
    for marker, number in (raw or {}).items():  # numbers json.dumps cannot write
        text = text.replace(f'"{marker}"', number)
    path.write_text(text, encoding="utf-8")


def first_series(data: dict[str, Any]) -> dict[str, Any]:
    series: dict[str, Any] = data["kpis"][0]["series"]
    return series


@pytest.mark.parametrize(
    ("edit", "raw", "where"),
    [
        (lambda d: d["kpis"][0].update(series={"x": 1}), None, "kpis[0].series: 'months' is a required property"),
        (lambda d: first_series(d).update(months=["2026-13"]), None, "kpis[0].series.months[0]: '2026-13'"),
        (lambda d: first_series(d).update(actual=5), None, "kpis[0].series.actual: 5 is not of type 'array'"),
        (lambda d: first_series(d)["actual"].__setitem__(0, "BIG"), {"BIG": "9" * 400}, "kpis[0].series.actual[0]"),
        (lambda d: first_series(d)["target"].__setitem__(1, 1e308), None, "kpis[0].series.target[1]: 1e+308"),
        (lambda d: first_series(d)["forecast"].__setitem__(0, "x"), None, "kpis[0].series.forecast[0]: 'x'"),
        (lambda d: d.update(report_month="0000-05"), None, "report_month: '0000-05'"),
    ],
    ids=["series-object", "month-13", "actual-not-a-list", "400-digits", "1e308", "forecast-text", "year-0"],
)
def test_a_bad_previous_pack_is_a_warning_and_the_pack_builds(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], raw: dict[str, str] | None, where: str
) -> None:
    path, previous = may_pack(tmp_path)
    edit_json(previous, edit, raw)
    before = digest(previous)
    output = clean(run("build", path, "-o", tmp_path / "out", "--format", "json,html"), 0)
    assert "Warning: the previous pack cannot be compared (book-2026-05.json is not a valid kpireport/v1 pack" in output
    assert where in output and "no changes are listed" in output
    data = json.loads((tmp_path / "out" / "book-2026-06.json").read_text(encoding="utf-8"))
    assert data["changes"] == [] and not [f for f in data["findings"] if f["code"] == "RESTATED"]
    assert (tmp_path / "out" / "book-2026-06.html").is_file()
    assert digest(previous) == before  # read, never rewritten
    clean(run("build", path, "-o", tmp_path / "other", "--since", previous, "--format", "json"), 0, where)


def test_a_previous_pack_of_a_million_empty_kpis_is_refused_quickly(tmp_path: Path) -> None:
    path, previous = may_pack(tmp_path)
    edit_json(previous, lambda d: d.update(kpis=[{}] * 1_000_000))  # 4 MB
    started = time.monotonic()
    output = clean(run("build", path, "-o", tmp_path / "out", "--format", "json"), 0)
    assert time.monotonic() - started < 15  # was 122 s: every one of its errors was walked
    assert "kpis[0]: 'id' is a required property" in output


# -- images: a theme's logo ------------------------------------------------------------------------


def png(width: int, height: int) -> bytes:
    """A black-and-white PNG of ``width`` × ``height``, all zeros: a few KB however large it says
    it is (20,000 × 20,000 is 50 MB once inflated, and Pillow refuses it as a bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes((width + 7) // 8)  # filter byte, then one bit a pixel
    pixels = zlib.compressobj(9)
    idat = b"".join(pixels.compress(row) for _ in range(height)) + pixels.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("logo", "message"),
    [
        (png(20_000, 20_000), "logo.png is 20,000 × 20,000 pixels; a logo may have at most 16,777,216 (4,096 × 4,096)"),
        (png(4097, 4096), "logo.png is 4,097 × 4,096 pixels; a logo may have at most 16,777,216"),
        (png(300, 200)[:-40], "logo.png cannot be decoded as a PNG"),  # cut in its pixels
        (png(300, 200)[:20], "logo.png is not a whole PNG: its header is missing or cut"),
        (png(0, 200), "logo.png declares 0 × 200 pixels"),
    ],
    ids=["bomb", "one-column-over", "truncated", "cut-header", "no-pixels"],
)
def test_a_logo_too_large_or_broken_is_refused_naming_the_key(tmp_path: Path, logo: bytes, message: str) -> None:
    (tmp_path / "logo.png").write_bytes(logo)
    theme = tmp_path / "brand.toml"
    theme.write_text('logo = "logo.png"\n', encoding="utf-8")
    out = tmp_path / "out"
    clean(
        run("build", SAMPLE_EN, "--theme", theme, "-o", out, "--format", "pptx,json"),
        2,
        "theme brand.toml: logo: " + message,
    )
    assert not out.exists()


def test_a_logo_of_4096_by_4096_pixels_is_taken(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(png(4096, 4096))
    (tmp_path / "brand.toml").write_text('logo = "logo.png"\n', encoding="utf-8")
    assert (load_theme(tmp_path / "brand.toml").logo_data_uri or "").startswith("data:image/png;base64,")


# -- part names: an .xlsx ignores their case --------------------------------------------------------


@pytest.mark.parametrize(
    "decoy", ["XL/WORKSHEETS/SHEET{}.XML", "xl/worksheets/Sheet{}.xml", "xl\\worksheets\\sheet{}.xml"]
)
def test_a_part_named_like_a_sheet_in_other_capitals_is_refused(tmp_path: Path, decoy: str) -> None:
    path = book(tmp_path)
    number = sheet_number(path, "Actuals")
    # The decoy says Actuals reach XFD200000: read instead of the real sheet, it changes the outcome.
    far = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    far += b'<row r="200000"><c r="XFD200000"><v>1</v></c></row></sheetData></worksheet>'
    rezip(path, lambda n, d: None, {decoy.format(number): far})
    before = digest(path)
    clean(
        run("build", path, "-o", tmp_path / "out", "--format", "json"),
        2,
        f"Error: book.xlsx is rejected: it holds two parts named {SHEET_XML.format(number)!r} and "
        f"{decoy.format(number)!r}: an .xlsx ignores case in part names",
    )
    clean(run("check", path), 2, "book.xlsx is rejected: it holds two parts named")
    assert digest(path) == before and not (tmp_path / "out").exists()


def test_a_truncated_logo_is_refused_even_after_the_pdf_engine_loaded(tmp_path: Path) -> None:
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES on import (a batch worker imports it first).
    import weasyprint  # noqa: F401

    from kpireport.errors import ThemeError
    from kpireport.presenting.theme import load_theme

    (tmp_path / "logo.png").write_bytes(png(300, 200)[:-40])
    (tmp_path / "brand.toml").write_text('logo = "logo.png"\n', encoding="utf-8")
    with pytest.raises(ThemeError, match=r"logo\.png cannot be decoded as a PNG"):
        load_theme(tmp_path / "brand.toml")


# -- formula text in what we write: every workbook we write holds workbook text as text ---------

FORMULA_NAMES = {
    "K1": "=cmd|' /C calc'!A0",
    "K2": "http://127.0.0.1/x",
    "K3": "mailto:cfo@example.com",
    "K4": "external:c:\\windows\\calc.exe",
}


def text_cells(path: Path) -> Path:
    """Cells openpyxl wrote as formulas because their text starts with = become text again: a
    name typed in Excel as '=cmd… is text, and the reader must see it so."""
    wb = openpyxl.load_workbook(path)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.save(path)
    return path


def named_drivers(sheets: dict[str, Rows]) -> None:
    """Four drivers of G1 whose names are a DDE formula and three link schemes."""
    driver_goal("[K1] * [K2] + [K3] + [K4]", 1500.0)(sheets)
    sheets["KGI"][1][1] = "=1+1"
    for kpi, name in FORMULA_NAMES.items():
        if kpi in ("K1", "K2"):
            sheets["KPI"][int(kpi[1])][1] = name
            continue
        sheets["KPI"].append([kpi, name, "Sales", "G1", None, "number", "higher", "sum", "kpi", "Ann"])
        sheets["Targets"].append([kpi, *([10] * 12)])
        sheets["Actuals"].append([kpi, 9, 11, 12])


def workbook_parts(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every part of an .xlsx, and of every .xlsx embedded in it (a deck's chart data)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            part = archive.read(name)
            yield name, part
            if name.endswith(".xlsx"):
                yield from ((f"{name}!{inner}", content) for inner, content in workbook_parts(part))


def test_formula_and_link_text_stays_text_in_every_workbook_we_write(tmp_path: Path) -> None:
    path = text_cells(book(tmp_path, named_drivers))
    before = digest(path)
    out = tmp_path / "out"
    clean(run("build", path, "-o", out, "--format", "pptx,xlsx,json"), 0)
    assert [k["name"] for k in built_json(out)["kpis"]] == list(FORMULA_NAMES.values())
    embedded, bridges = 0, 0
    for written in (next(out.glob("*.pptx")), next(out.glob("*.xlsx"))):
        for name, part in workbook_parts(written.read_bytes()):
            if "/worksheets/" in name and name.endswith(".xml"):
                assert b"<f>" not in part and b"<f " not in part, name
                assert b"<hyperlink" not in part, name
            assert b"relationships/hyperlink" not in part, name
        for name, part in workbook_parts(written.read_bytes()):
            if name.endswith(".xlsx"):
                embedded += 1
                sheet = openpyxl.load_workbook(io.BytesIO(part)).worksheets[0]
                texts = {c.value for row in sheet.iter_rows() for c in row if c.data_type == "s"}
                if set(FORMULA_NAMES.values()) <= texts:  # the bridge chart's data: each driver by name
                    bridges += 1
    assert embedded >= 2 and bridges == 1  # the bridge and the trend charts carry their data
    metrics = openpyxl.load_workbook(next(out.glob("*.xlsx")))
    names = {c.value for s in metrics.worksheets for row in s.iter_rows() for c in row if c.data_type == "s"}
    assert set(FORMULA_NAMES.values()) | {"=1+1"} <= names
    assert digest(path) == before


# -- numbers at the edges of float: in-range inputs whose computed figures are not -----------------


def tiny_targets(sheets: dict[str, Rows]) -> None:
    sheets["Targets"][1][1:] = [1e-300] * 12  # within SPEC §6's range: attainment 90 / 1e-300 = 9e301


def fifth_power(sheets: dict[str, Rows]) -> None:
    """K1 of 1e8 a month, to the fifth power in G1's formula: 1e40 a month, 1.2e41 a year."""
    driver_goal("[K1]*[K1]*[K1]*[K1]*[K1]", 1e15)(sheets)
    sheets["Targets"][1][1:] = [1e8] * 12
    sheets["Actuals"][1][1:] = [1e8] * 3


@pytest.mark.parametrize("change", [tiny_targets, fifth_power], ids=["targets-1e-300", "1e40-a-month"])
def test_figures_computed_beyond_the_range_render_in_every_format(tmp_path: Path, change: Any) -> None:
    path = book(tmp_path, change)
    before = digest(path)
    out = tmp_path / "out"
    clean(run("build", path, "-o", out, "--format", "pdf,html,json,pptx,xlsx"), 0)
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".json", ".pdf", ".pptx", ".xlsx"]
    data = built_json(out)  # figures in full, no NaN or Infinity
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    if change is tiny_targets:
        assert data["kpis"][0]["month"]["attainment"] == pytest.approx(120 / 1e-300)  # June: 120 against 1e-300
        assert "1.2E+304%" in html  # shown as Excel shows a figure too long for its cell
    else:
        assert data["kgis"][0]["drivers"]["implied_target"] == pytest.approx(1.2e41)
        [finding] = [f for f in data["findings"] if f["code"] == "DRIVER"]
        assert finding["where"] == "KGI!I2" and finding["severity"] == "warning"
        assert finding["message"] == (
            "KGI “Revenue”: its formula gives ¥1.2E+41 for the implied target, beyond ±1e+15, more than any "
            "figure of the workbook; the pack shows it rounded."
        )
    clean(run("check", path), 0)
    assert digest(path) == before


@pytest.mark.parametrize(
    "formula",
    ["[K1] * 1e308 * 10", "[K1] * 1e308 * 10 - [K2] * 1e308 * 10", "[K1] * 1e300 * 1e300 / ([K2] * 1e300 * 1e300)"],
    ids=["infinity", "inf-minus-inf", "inf-over-inf"],
)
def test_a_formula_that_overflows_is_a_driver_finding_never_a_silent_null(tmp_path: Path, formula: str) -> None:
    path = book(tmp_path, driver_goal(formula, 1500.0))
    out = tmp_path / "out"
    clean(run("build", path, "-o", out, "--format", "json,html,pptx,xlsx"), 0)
    data = built_json(out)
    drivers = data["kgis"][0]["drivers"]
    assert drivers["implied_target"] is None and drivers["bridge"] == []  # no effect of 0.0
    [finding] = [f for f in data["findings"] if f["code"] == "DRIVER"]
    assert (finding["kgi"], finding["where"], finding["severity"]) == ("G1", "KGI!I2", "warning")
    assert finding["message"] == (
        "KGI “Revenue”: with the targets of 2026-04, its formula gives a number too large to compute; "
        "the KPI targets cannot be checked against it."
    )
    ja = book(tmp_path, lambda s: (driver_goal(formula, 1500.0)(s), s["Settings"][4].__setitem__(1, "ja")), "ja.xlsx")
    checked = run("check", ja, "--format", "json")
    clean(checked, 0)
    [worded] = [f["message"] for f in json.loads(checked.stdout)["findings"] if f["code"] == "DRIVER"]
    assert worded == (
        "KGI「Revenue」：2026-04 の目標では計算式の値が大きすぎて計算できないため、KPI の目標と照合できません。"
    )


def test_a_formula_that_overflows_with_the_actuals_only_leaves_those_months_out(tmp_path: Path) -> None:
    def huge_june(sheets: dict[str, Rows]) -> None:
        driver_goal("[K1] * [K1] * 1e290", 1500.0)(sheets)  # targets: 100 x 100 x 1e290 = 1e294 a month
        sheets["Actuals"][1][3] = 1e10  # June: 1e20 x 1e290, beyond a float

    out = tmp_path / "out"
    clean(run("build", book(tmp_path, huge_june), "-o", out, "--format", "json,html"), 0)
    data = built_json(out)
    findings = {f["message"] for f in data["findings"] if f["code"] == "DRIVER"}
    assert findings == {
        "KGI “Revenue”: with the actuals of 2026-06, its formula gives a number too large to compute; "
        "the driver bridge leaves out the months it cannot compute (1).",
        # 12 x 1e294 = 1.2e295.
        "KGI “Revenue”: its formula gives ¥1.2E+295 for the implied target, beyond ±1e+15, more than any figure "
        "of the workbook; the pack shows it rounded.",
    }
    # April and May: 90² and 110² against 100², times 1e290: 8.1e293 + 1.21e294 = 2.02e294.
    assert data["kgis"][0]["drivers"]["actual"] == pytest.approx(2.02e294)


# -- work bounded by the input ----------------------------------------------------------------------


def many_goals(count: int, drivers: int) -> Callable[[dict[str, Rows]], None]:
    """``count`` KGIs, each with a formula over the same ``drivers`` KPIs (none when 0)."""

    def change(sheets: dict[str, Rows]) -> None:
        ids = [f"K{i}" for i in range(1, max(drivers, 2) + 1)]
        sheets["KPI"][1:] = [
            [k, f"Deals {k}", "Sales", "G1", None, "number", "higher", "sum", "kpi", "Ann"] for k in ids
        ]
        sheets["Targets"][1:] = [[k, *([10] * 12)] for k in ids]
        sheets["Actuals"][1:] = [[k, 11, 12, 13] for k in ids]
        formula = " * ".join(f"[{k}]" for k in ids[:drivers]) or None
        sheets["KGI"] = [["id", "name", "target", "unit", "deadline", "measured_by", "owner", "start", "formula"]]
        sheets["KGI"] += [[f"G{n}", f"Goal {n}", 1e9, "number", dt.date(2027, 3, 31), None, "CEO", None, formula]
                          for n in range(1, count + 1)]  # fmt: skip

    return change


def test_driver_bridges_are_bounded_in_all_and_the_kgi_named(tmp_path: Path) -> None:
    # 400 KGIs of 12 drivers took 101 s. Each bridge month evaluates a formula 2^12 = 4,096 times;
    # April to June: 12,288 a KGI. 85 KGIs make 1,044,480, within 2^20 = 1,048,576; the 86th,
    # on row 87, makes 1,056,768.
    path = book(tmp_path, many_goals(400, 12))
    before = digest(path)
    started = time.monotonic()
    message = (
        "KGI!I87: the driver bridges of the KGIs up to G86 evaluate their formulas 1,056,768 times (each once "
        "for every mix of its KPIs' targets and actuals: 2^12 = 4,096 a month for this one's 12 KPIs, over 3 "
        "months); kpireport evaluates at most 1,048,576."
    )
    clean(run("check", path), 2, message)
    clean(run("build", path, "-o", tmp_path / "out", "--format", "json"), 2, message)
    assert time.monotonic() - started < 15
    assert digest(path) == before and not (tmp_path / "out").exists()
    within = book(tmp_path, many_goals(85, 12), "within.xlsx")
    clean(run("build", within, "-o", tmp_path / "out", "--format", "json"), 0)
    assert len(built_json(tmp_path / "out")["kgis"]) == 85


def test_a_workbook_holds_at_most_1000_kgis(tmp_path: Path) -> None:
    clean(run("check", book(tmp_path, many_goals(1000, 0)), "--format", "json"), 0)
    clean(
        run("check", book(tmp_path, many_goals(1001, 0), "over.xlsx")),
        2,
        "KGI!A1002: KGI 'G1001' is KGI number 1,001; a workbook holds at most 1,000",
    )


def test_sums_beyond_a_float_from_in_range_figures_give_no_figure_and_no_crash(tmp_path: Path) -> None:
    def paced_to_infinity(sheets: dict[str, Rows]) -> None:
        # Found by bench/fuzz.py --target formula: K1 is 1e15 against targets of 5e-324, a pace of
        # infinity; the months to come at +5e-324 and -5e-324 paced by it make inf - inf.
        sheets["Targets"][1][1:] = [5e-324] * 4 + [5e-324, -5e-324] * 4
        sheets["Actuals"][1][1:] = [1e15] * 3
        # G1 measured by its formula alone: 9e307 a month; two months are beyond a float.
        driver_goal("[K2] * 9e307", 1e15)(sheets)
        sheets["KGI"][1][5] = None
        sheets["Targets"][2][1:] = [1] * 12
        sheets["Actuals"][2][1:] = [1] * 3

    out = tmp_path / "out"
    clean(run("build", book(tmp_path, paced_to_infinity), "-o", out, "--format", "json,html,xlsx"), 0)
    data = built_json(out)
    assert data["kpis"][0]["forecast"]["outlook"] is None  # no figure rather than Infinity
    assert data["kgis"][0]["actual"] is None
    driver = [f["message"] for f in data["findings"] if f["code"] == "DRIVER"]
    assert driver == [
        "KGI “Revenue”: with the targets of 2026-05, its formula gives a number too large to compute; "
        "the KPI targets cannot be checked against it."
    ]


@pytest.mark.parametrize(
    ("targets", "actuals"),
    [
        ([100] * 12, [0, 0, 0]),  # nothing sold yet: the catch-up pace against an average of 0
        ([5e-324] * 12, [5e-324] * 3),  # a chart's scale over the smallest float
        # A pace of 1e15 against 1e-290, 1e305: the months to come at ±1e3 are ±1e308 a month,
        # and the chart's span between them beyond a float.
        ([1e-290] * 3 + [1e3, -1e3] * 4 + [1], [1e15] * 3),
    ],
    ids=["actuals-of-zero", "denormal", "outlook-of-1e308"],
)
def test_edge_figures_found_by_the_fuzzer_build_every_format(
    tmp_path: Path, targets: list[float], actuals: list[float]
) -> None:
    # bench/fuzz.py --target formula: each crashed the pack (an assertion on the pace so far;
    # the charts' tick step of 0, and of a span beyond a float) with only in-range figures.
    def edges(sheets: dict[str, Rows]) -> None:
        sheets["Targets"][1][1:] = targets
        sheets["Actuals"][1][1:] = actuals
        driver_goal("1e308 + [K1] + [K2]", 1e15)(sheets)

    out = tmp_path / "out"
    clean(run("build", book(tmp_path, edges), "-o", out, "--format", "pdf,html,json,pptx,xlsx"), 0)
    assert len(list(out.iterdir())) == 5
    built_json(out)


# -- plan --write: a copy of the package, only the solved cells written --------------------------

WORKSHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def with_sheets(path: Path, sheets: dict[str, bytes]) -> Path:
    """``path`` with more worksheets, their XML as given, as Excel lists them."""
    names = zipfile.ZipFile(path).namelist()
    first = sum(1 for n in names if n.startswith("xl/worksheets/sheet")) + 1
    numbered = {first + i: (name, xml) for i, (name, xml) in enumerate(sheets.items())}
    relationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    def register(name: str, data: bytes) -> bytes | None:
        for n, (title, _) in numbered.items():
            if name == "xl/workbook.xml":
                data = data.replace(
                    b"</sheets>",
                    f'<sheet xmlns:r="{relationship}" name="{title}" sheetId="{n}" r:id="rIdW{n}"/></sheets>'.encode(),
                )
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdW{n}" Type="{relationship}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                    "</Relationships>".encode(),
                )
            elif name == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.spreadsheetml.worksheet+xml"/></Types>'.encode(),
                )
        return data if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml") else None

    return rezip(path, register, {f"xl/worksheets/sheet{n}.xml": xml for n, (_, xml) in numbered.items()})


def numbers_sheet(count: int) -> bytes:
    """A sheet of ``count`` numbers, 100 a row."""
    columns = [openpyxl.utils.get_column_letter(c).encode() for c in range(1, 101)]
    rows = (
        b'<row r="%d">' % r
        + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (col, r, r * 7 + i) for i, col in enumerate(columns))
        + b"</row>"
        for r in range(1, count // 100 + 1)
    )
    return WORKSHEET + b"".join(rows) + b"</sheetData></worksheet>"


def zip_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


ODD_CELLS = (
    b'<row r="1"><c r="A1" s="999"><v>1</v></c><c r="B1" t="s"><v>99999</v></c>'
    b'<c r="C1" t="d"><v>2026-13-45</v></c></row>'
)


def test_plan_writes_only_the_solved_cells_whatever_else_the_workbook_holds(tmp_path: Path) -> None:
    # Two sheets of 2,000,000 numbers took 42 s and 940 MiB to copy through openpyxl; odd cells
    # on an unrelated sheet (a style, a shared string past their tables, a date of month 13)
    # were a traceback; the team's charts, pictures and macros were dropped.
    small = book(tmp_path, driver_goal("[K1] * [K2]", 1500.0))
    targets = SHEET_XML.format(sheet_number(small, "Targets"))  # openpyxl takes 23 s to list the large one's
    source = with_sheets(
        small,
        {
            "Data1": numbers_sheet(2_000_000),
            "Data2": numbers_sheet(2_000_000),
            "Odd": WORKSHEET + ODD_CELLS + b"</sheetData></worksheet>",
        },
    )
    extras = {"xl/vbaProject.bin": bytes(range(256)) * 64, "xl/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(500)}
    source = rezip(source, lambda n, d: None, extras)
    before = digest(source)
    started = time.monotonic()
    # K1 x K2 = 100 x 50 a month, 60,000 a year; 1,500 needs K1's 12 targets x 0.025 (SPEC §3a).
    output = clean(run("plan", source, "--kgi", "G1", "--solve", "K1", "--write", tmp_path / "copy.xlsx"), 0)
    assert time.monotonic() - started < 20
    assert "Wrote" in output and "12 target cells of K1 changed" in output and "Warning" not in output
    original, copy = zip_parts(source), zip_parts(tmp_path / "copy.xlsx")
    assert list(copy) == list(original)
    assert [name for name in original if original[name] != copy[name]] == [targets]
    with python_calamine.CalamineWorkbook.from_path(str(tmp_path / "copy.xlsx")) as written:
        assert written.get_sheet_by_name("Targets").to_python()[1][1:] == [2.5] * 12
    assert digest(source) == before
