"""The file edge: disguised formats and hostile zip containers are refused before parsing."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from kpireport.errors import WorkbookError
from kpireport.xlsx import XlsxFile, cell_name


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
