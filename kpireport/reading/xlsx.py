"""The file-format edge: an .xlsx file in, plain grids of cell values out.

Values are read with python-calamine (fast, never evaluates anything). Before any parser sees
the file, the zip container is checked here against bombs and disguised formats, because
Python 3.11.7's zipfile predates the fix for overlapping-entry bombs (CVE-2024-0450).
calamine reports a formula without a cached value and an error value (``#DIV/0!``) both as an
empty cell, so the worksheet XML of the sheets we read is scanned for those cells: neither may
pass as "no data" silently.
"""

from __future__ import annotations

import datetime as dt
import itertools
import posixpath
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from xml.etree.ElementTree import Element

import python_calamine
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml_safely

from kpireport.errors import WorkbookError
from kpireport.reading.inputs import open_checked
from kpireport.reading.sheetscan import ProblemKind, ScanError, SheetScan, check_prolog, scan_sheet

CellValue = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

# Limits on what we agree to unpack; see the README's "Limits" section.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200  # per entry above RATIO_CHECK_BYTES; real sheet XML stays well under 100:1
RATIO_CHECK_BYTES = 8 * 1024 * 1024
VERIFY_COMPRESSED_BYTES = 64 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 2_000
# calamine holds a sheet as a dense grid of about 40 bytes a cell (with the Python lists made
# from it): 4,000,000 cells are about 160 MiB, and at most two sheets are held at once.
MAX_CELLS = 4_000_000

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK"


@dataclass(frozen=True)
class Grid:
    """One worksheet's values, row-major from A1; ``problems`` maps (row, col) of cells that
    look empty to calamine but hold a formula without a cached value or an error value."""

    name: str
    rows: Sequence[Sequence[CellValue]]
    problems: dict[tuple[int, int], tuple[ProblemKind, str]] = field(default_factory=dict)

    def value(self, row: int, col: int) -> CellValue:
        if row < len(self.rows) and col < len(self.rows[row]):
            value = self.rows[row][col]
            return None if value == "" else value
        return None


def cell_name(row: int, col: int) -> str:
    """Zero-based (row, col) → ``A1`` notation."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


class XlsxFile:
    """An opened, checked workbook file. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = path.name
        data_head = self._read_head()
        self._reject_other_formats(data_head)
        self._zip = self._open_zip()
        self._check_container()
        try:
            self._book = python_calamine.CalamineWorkbook.from_path(str(path))
            self.sheet_names: list[str] = list(self._book.sheet_names)
        except Exception as exc:  # calamine raises several unrelated types for broken files
            self._zip.close()
            raise WorkbookError(
                f"{self.label} cannot be read as an Excel workbook ({_short(exc)}). "
                "Open it in Excel, save it again as .xlsx and retry."
            ) from exc

    def __enter__(self) -> XlsxFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()
        self._book.close()

    def _read_head(self) -> bytes:
        with open_checked(self.path, MAX_FILE_BYTES, "the workbook", WorkbookError) as handle:
            head = handle.read(8)
        if not head:
            raise WorkbookError(f"{self.label} is empty (0 bytes). Save the workbook again from Excel.")
        return head

    def _reject_other_formats(self, head: bytes) -> None:
        if head.startswith(_CFB_MAGIC):
            raise WorkbookError(
                f"{self.label} is password-protected (encrypted) or an old .xls file. "
                "Remove the password or save it as .xlsx (Excel Workbook) and retry."
            )
        if not head.startswith(_ZIP_MAGIC):
            raise WorkbookError(
                f"{self.label} is not an .xlsx workbook (it looks like "
                f"{'text or CSV' if _looks_like_text(head) else 'another kind of file'}). "
                "Save it from Excel as .xlsx (Excel Workbook) and retry."
            )

    def _open_zip(self) -> zipfile.ZipFile:
        try:
            return zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise WorkbookError(
                f"{self.label} is damaged: its zip container cannot be read ({_short(exc)}). "
                "Save the workbook again from Excel."
            ) from exc

    def _check_container(self) -> None:
        infos = self._zip.infolist()
        names = [info.filename for info in infos]
        fail = self._fail_container
        if len(infos) > MAX_ENTRIES:
            fail(f"it holds {len(infos):,} parts (the limit is {MAX_ENTRIES:,}); it may be a zip bomb.")
        if any(info.flag_bits & 0x1 for info in infos):  # the zip "encrypted" flag
            raise WorkbookError(
                f"{self.label} is password-protected (its parts are encrypted). Open it in Excel, clear the "
                "password (File > Info > Protect Workbook > Encrypt with Password) and save it again."
            )
        if len(set(names)) != len(names):
            duplicate = next(n for n in names if names.count(n) > 1)
            fail(f"it holds two parts named {duplicate!r}, so its content is ambiguous.")
        self._check_part_names_differ_beyond_case(names)
        if "xl/workbook.bin" in names:
            fail("it is a binary .xlsb workbook; save it as .xlsx (Excel Workbook) and retry.")
        if "mimetype" in names and "content.xml" in names:
            fail("it is an OpenDocument (.ods) spreadsheet; save it as .xlsx and retry.")
        if "word/document.xml" in names:
            fail("it is a Word document, not a workbook.")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > RATIO_CHECK_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                fail(
                    f"part {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}:1 "
                    f"(the limit is {MAX_RATIO}:1); it may be a zip bomb."
                )
        if total > MAX_UNCOMPRESSED_BYTES:
            fail(
                f"it would expand to {total // 1024 // 1024:,} MiB (the limit is "
                f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024:,} MiB); it may be a zip bomb."
            )
        self._check_no_overlap(infos)
        self._check_declared_sizes_are_true(infos)
        lowered = {n.lower().replace("\\", "/") for n in names}
        if "[content_types].xml" not in lowered:
            fail("it is a zip file but not an Excel workbook (no [Content_Types].xml part).")
        self._check_no_entity_declarations(infos)

    def _check_part_names_differ_beyond_case(self, names: list[str]) -> None:
        """Part names in an .xlsx ignore case (and zip tools write \\ for /): a second part named
        like a sheet's in other capitals is a decoy that one reader would read and another not.
        Such a file is invalid, so it is refused rather than one of the two guessed at."""
        seen: dict[str, str] = {}
        for name in names:
            key = name.replace("\\", "/").lower()
            if key in seen:
                self._fail_container(
                    f"it holds two parts named {seen[key]!r} and {name!r}: an .xlsx ignores case in part names "
                    "(and readers take \\ for /), so they are one part twice and its content is ambiguous. "
                    "Save the workbook again from Excel."
                )
            seen[key] = name

    def _check_declared_sizes_are_true(self, infos: list[zipfile.ZipInfo]) -> None:
        """The limits above trust the declared sizes; a bomb can lie about them. zipfile stops
        at the declared size and checks the CRC, so inflating a part through it (and throwing
        the bytes away) proves the declaration with bounded memory. Parts under 64 KiB
        compressed cannot expand past ~66 MiB, so only larger ones pay for the proof."""
        for info in infos:
            if info.compress_size < VERIFY_COMPRESSED_BYTES:
                continue
            try:
                with self._zip.open(info) as part:
                    while part.read(1024 * 1024):
                        pass
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                self._fail_container(
                    f"part {info.filename!r} does not unpack to its declared size ({_short(exc)}); "
                    "the file is damaged or a zip bomb."
                )

    def _check_no_entity_declarations(self, infos: list[zipfile.ZipInfo]) -> None:
        """Excel never writes a DTD; one in any XML part calamine or we read is an entity bomb
        or an XXE attempt. Each part's prolog is parsed (a DTD can only stand there), so a
        long comment before it hides nothing."""
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with self._zip.open(info) as part:
                    check_prolog(part)
            except ScanError as exc:
                self._fail_container(f"part {info.filename!r}: {exc}.")
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                self._fail_container(f"part {info.filename!r} cannot be unpacked ({_short(exc)}).")

    def _check_no_overlap(self, infos: list[zipfile.ZipInfo]) -> None:
        # Overlapping entries let a small file inflate many times over (CVE-2024-0450).
        spans = sorted((info.header_offset, info.compress_size, info.filename) for info in infos)
        for (offset, size, name), (next_offset, _, next_name) in itertools.pairwise(spans):
            # 30 bytes of local header at least, plus the data.
            if offset + 30 + size > next_offset:
                self._fail_container(f"parts {name!r} and {next_name!r} overlap; it may be a zip bomb.")

    def _fail_container(self, reason: str) -> None:
        raise WorkbookError(f"{self.label} is rejected: {reason}")

    def grid(self, sheet_name: str) -> Grid:
        """The sheet's values, and the formula and error cells calamine shows as empty. The
        sheet's XML is scanned first, so a sheet too large to hold is refused before calamine
        allocates its grid."""
        scan = self._scan(sheet_name)
        rows, columns = scan.rows, scan.columns
        if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
            far = scan.lowest if rows > MAX_ROWS or (columns <= MAX_COLUMNS and rows >= columns) else scan.rightmost
            raise WorkbookError(
                f"the sheet's cells reach row {rows:,} and column {columns:,} ({rows * columns:,} cells from A1); "
                f"kpireport reads up to {MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns and {MAX_CELLS:,} cells a sheet. "
                f"Delete the stray cell at {far} (and any others far below or right of your data).",
                sheet=sheet_name,
                cell=far,
            )
        return Grid(sheet_name, self._values(sheet_name) if rows else [], scan.problems)

    def _values(self, sheet_name: str) -> Sequence[Sequence[CellValue]]:
        try:
            # A calamine workbook of its own: sheets may be read from two threads at once, and
            # calamine's objects cannot be shared between threads.
            with python_calamine.CalamineWorkbook.from_path(str(self.path)) as book:
                rows: Sequence[Sequence[CellValue]] = book.get_sheet_by_name(sheet_name).to_python(
                    skip_empty_area=False
                )
                return rows
        except Exception as exc:
            raise WorkbookError(
                f"the sheet cannot be read ({_short(exc)}). Save the workbook again from Excel.",
                sheet=sheet_name,
            ) from exc

    def part_size(self, sheet_name: str) -> int:
        """The size of the sheet's XML, uncompressed (0 where its part cannot be found)."""
        part = self._sheet_parts.get(sheet_name)
        return self._zip.getinfo(part).file_size if part is not None else 0

    def _scan(self, sheet_name: str) -> SheetScan:
        part = self._sheet_parts.get(sheet_name)
        if part is None:
            # Without its part the sheet's extent is unknown, and calamine would allocate blind.
            raise WorkbookError(
                "the sheet's XML part cannot be found from the workbook's relationships; "
                "save the workbook again from Excel.",
                sheet=sheet_name,
            )
        try:
            with self._zip.open(part) as stream:
                return scan_sheet(stream)
        except ScanError as exc:
            raise WorkbookError(f"the sheet is rejected: {exc}.", sheet=sheet_name) from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise WorkbookError(f"the sheet cannot be unpacked ({_short(exc)}).", sheet=sheet_name) from None

    @cached_property
    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name → worksheet part path, following the package's relationships as Excel
        does: the root's officeDocument names the workbook part (not always
        xl/workbook.xml), whose own relationships name each sheet's part. Part names are
        matched ignoring case, as zip tools differ there."""
        names = {n.lower(): n for n in self._zip.namelist()}

        def relationships(part: str) -> dict[str, tuple[str, str]]:
            """Id → (type, target part path) of ``part``'s relationships."""
            folder, name = posixpath.split(part)
            rels = self._xml(names, posixpath.join(folder, "_rels", f"{name}.rels"))
            found = {}
            for rel in rels.iter() if rels is not None else ():
                if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                found[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
            return found

        workbook_part = next(
            (path for kind, path in relationships("").values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        workbook = self._xml(names, workbook_part)
        if workbook is None:
            return {}
        targets = relationships(workbook_part)
        parts: dict[str, str] = {}
        for sheet in workbook.iter():
            if _local(sheet.tag) != "sheet":
                continue
            rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
            actual = names.get(targets.get(rel_id, ("", ""))[1].lower())
            if actual:
                parts[sheet.get("name", "")] = actual
        return parts

    def _xml(self, names: dict[str, str], part: str) -> Element | None:
        actual = names.get(part.lower())
        if actual is None:
            return None
        try:
            return _parse(self._zip.read(actual))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return None


def _parse(data: bytes) -> Element | None:
    try:
        root: Element = parse_xml_safely(data, forbid_dtd=True)
        return root
    except (DefusedXmlException, SyntaxError, ValueError):
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _looks_like_text(head: bytes) -> bool:
    return all(32 <= b < 127 or b in (9, 10, 13) for b in head) or head.startswith(b"\xef\xbb\xbf")
