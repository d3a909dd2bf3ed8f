"""The file edge: disguised formats and hostile zip containers are refused before parsing."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from kpireport.errors import WorkbookError
from kpireport.reading import sheetscan
from kpireport.reading.xlsx import XlsxFile, cell_name


@pytest.mark.parametrize(
    ("row", "col", "name"),
    [(0, 0, "A1"), (6, 3, "D7"), (0, 25, "Z1"), (9, 26, "AA10"), (0, 701, "ZZ1"), (0, 702, "AAA1")],
)
def test_cell_name(row: int, col: int, name: str) -> None:
    assert cell_name(row, col) == name


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(b""), "is empty (0 bytes)"),
        (lambda p: p.write_text("id,name\nK1,Revenue\n"), "is not an .xlsx workbook (it looks like text or CSV)"),
        (
            lambda p: p.write_bytes(bytes(range(256)) * 4),
            "is not an .xlsx workbook (it looks like another kind of file)",
        ),
        (
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
            "is password-protected (encrypted) or an old .xls file",
        ),
        (lambda p: p.write_bytes(b"PK\x03\x04 truncated"), "is damaged: its zip container cannot be read"),
        (lambda p: _zip(p, {"hello.txt": b"hi"}), "is a zip file but not an Excel workbook"),
        (
            lambda p: _zip(p, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
            "OpenDocument (.ods)",
        ),
        (lambda p: _zip(p, {"[Content_Types].xml": b"<x/>", "xl/workbook.bin": b"\0"}), "binary .xlsb workbook"),
        (lambda p: _zip(p, {"[Content_Types].xml": b"<x/>", "xl/a.xml": b"\0" * (20 * 1024 * 1024)}), "expands"),
    ],
)
def test_refused_before_parsing(tmp_path: Path, make: Callable[[Path], object], expected: str) -> None:
    path = tmp_path / "book.xlsx"
    make(path)
    with pytest.raises(WorkbookError) as caught:
        XlsxFile(path)
    assert expected in str(caught.value)
    assert str(caught.value).startswith("book.xlsx ")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="does not exist"):
        XlsxFile(tmp_path / "nope.xlsx")
    with pytest.raises(WorkbookError, match="is a folder"):
        XlsxFile(tmp_path)


def test_duplicate_part_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.xlsx"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        archive.writestr("xl/workbook.xml", b"<a/>")
        archive.writestr("xl/workbook.xml", b"<b/>")
    with pytest.raises(WorkbookError, match=r"two parts named 'xl/workbook\.xml'"):
        XlsxFile(path)


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    """CVE-2024-0450: two central-directory entries pointing into the same bytes."""
    path = tmp_path / "overlap.xlsx"
    _zip(path, {"[Content_Types].xml": b"<x/>" * 50, "xl/workbook.xml": b"<w/>" * 50})
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")  # the second entry's central-directory record
    data[central + 42 : central + 46] = (0).to_bytes(4, "little")  # point it at the first entry
    path.write_bytes(bytes(data))
    with pytest.raises(WorkbookError, match="overlap"):
        XlsxFile(path)


def _one_sheet_workbook(
    path: Path, sheet_data: bytes, *, prefix: bytes = b"", part: str = "xl/worksheets/sheet1.xml"
) -> Path:
    """A minimal hand-written workbook whose one sheet, "Data", holds ``sheet_data`` (its
    elements written with ``prefix``, e.g. b"x:", and stored as ``part``)."""
    declare = b"xmlns" + (b":" + prefix[:-1] if prefix else b"")
    sheet = (
        b'<?xml version="1.0"?><' + prefix + b"worksheet " + declare
        + b'="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><' + prefix + b"sheetData>"
        + sheet_data + b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
    )  # fmt: skip
    workbook = (
        b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
        b' Target="worksheets/sheet1.xml"/></Relationships>'
    )
    content_types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    root_rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    return _zip(
        path,
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": root_rels,
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": rels,
            part: sheet,
        },
    )


# Tiny chunks put every element and attribute across a chunk boundary of the streamed scan.
CHUNKS = [1, 2, 3, 1024 * 1024]
SCANNED_SHEETS = {
    "formula and error cells among empty self-closing cells": (
        b'<row r="1"><c r="A1" s="1"/><c r="B1"><f>1+1</f></c><c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        b'<c r="D1"><f>2+2</f><v>4</v></c></row>',
        {(0, 1): ("formula_without_value", "1+1"), (0, 2): ("error_value", "#DIV/0!")},
        ((0, 3), 4.0),
    ),
    "an error value typed in without a formula": (
        b'<row r="1"><c r="A1"><v>7</v></c><c r="B1" t="e"><v>#N/A</v></c></row>',
        {(0, 1): ("error_value", "#N/A")},
        ((0, 0), 7.0),
    ),
    # Valid XML that a regular expression over the bytes missed:
    "single-quoted attributes and spaces around =": (
        b"<row r='1'><c r='A1'><v>7</v></c><c r = 'B1' t = 'e'><v>#REF!</v></c><c r='C1'><f>A1*2</f><v></v></c></row>",
        {(0, 1): ("error_value", "#REF!"), (0, 2): ("formula_without_value", "A1*2")},
        ((0, 0), 7.0),
    ),
    "cells without a reference take the next column": (
        b'<row r="2"><c><v>7</v></c><c t="e"><v>#NAME?</v></c><c><f>SUM(A2:B2)</f></c></row>',
        {(1, 1): ("error_value", "#NAME?"), (1, 2): ("formula_without_value", "SUM(A2:B2)")},
        ((1, 0), 7.0),
    ),
    "a comment and a CDATA section that look like cells": (
        b'<row r="1"><c r="A1"><v>7</v></c></row><!-- <c r="Z9" t="e"><v>#N/A</v></c> -->'
        b'<row r="2"><c r="A2" t="str"><f>"x"</f><v><![CDATA[ok]]></v></c></row>',
        {},
        ((0, 0), 7.0),
    ),
}


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize("case", list(SCANNED_SHEETS))
def test_scan_finds_the_cells_calamine_shows_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, chunk: int
) -> None:
    sheet_data, problems, ((row, col), value) = SCANNED_SHEETS[case]
    monkeypatch.setattr(sheetscan, "CHUNK_BYTES", chunk)
    path = _one_sheet_workbook(tmp_path / "scan.xlsx", sheet_data)
    with XlsxFile(path) as book:
        grid = book.grid("Data")
    assert grid.problems == problems
    assert grid.value(row, col) == value


def test_the_scan_reads_a_prefixed_sheet_and_a_part_named_in_another_case(tmp_path: Path) -> None:
    prefixed = b'<x:row r="1"><x:c r="A1"><x:v>7</x:v></x:c><x:c r="B1" t="e"><x:v>#N/A</x:v></x:c></x:row>'
    with XlsxFile(_one_sheet_workbook(tmp_path / "prefixed.xlsx", prefixed, prefix=b"x:")) as book:
        assert book.grid("Data").problems == {(0, 1): ("error_value", "#N/A")}
    plain = b'<row r="1"><c r="A1"><v>7</v></c><c r="B1" t="e"><v>#N/A</v></c></row>'
    path = _one_sheet_workbook(tmp_path / "case.xlsx", plain, part="xl/Worksheets/Sheet1.XML")
    with XlsxFile(path) as book:
        grid = book.grid("Data")
    assert grid.problems == {(0, 1): ("error_value", "#N/A")}
    assert grid.value(0, 0) == 7.0


def test_a_part_that_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    """A bomb declares a small size for a part that inflates far beyond it."""
    path = _zip(tmp_path / "liar.xlsx", {"[Content_Types].xml": b"<x/>", "xl/big.xml": bytes(200 * 1024 * 1024)})
    data = bytearray(path.read_bytes())
    small = (1000).to_bytes(4, "little")
    local = data.find(b"PK\x03\x04", 10)  # the second entry's local header
    central = data.rfind(b"PK\x01\x02")  # and its central-directory record
    data[local + 22 : local + 26] = small
    data[central + 24 : central + 28] = small
    path.write_bytes(bytes(data))
    with pytest.raises(WorkbookError, match="does not unpack to its declared size"):
        XlsxFile(path)


def test_a_sheet_reaching_a_million_rows_is_refused(make_workbook: Callable[..., Path]) -> None:
    path = make_workbook()
    book = openpyxl.load_workbook(path)
    book["Actuals"].cell(row=1_000_000, column=2, value=1)
    book.save(path)
    with XlsxFile(path) as xlsx, pytest.raises(WorkbookError) as caught:
        xlsx.grid("Actuals")
    assert str(caught.value).startswith("Actuals!B1000000: the sheet's cells reach row 1,000,000 and column 4")
    assert "kpireport reads up to 250,000 rows, 2,000 columns and 4,000,000 cells a sheet" in str(caught.value)
