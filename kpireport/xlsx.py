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
import html
import itertools
import posixpath
import re
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element

import python_calamine
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml_safely

from kpireport.errors import WorkbookError

CellValue = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

# Limits on what we agree to unpack; see the README's "Limits" section.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200  # per entry above RATIO_CHECK_BYTES; real sheet XML stays well under 100:1
RATIO_CHECK_BYTES = 8 * 1024 * 1024
VERIFY_COMPRESSED_BYTES = 64 * 1024
SCAN_CHUNK_BYTES = 1024 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 2_000

_PROLOG_BYTES = 1024
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK"

ProblemKind = Literal["formula_without_value", "error_value"]


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


def _cell_index(ref: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d{1,7})", ref)
    if not match:
        return None
    col = 0
    for char in match.group(1):
        col = col * 26 + ord(char) - 64
    return int(match.group(2)) - 1, col - 1


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
        try:
            size = self.path.stat().st_size
            with self.path.open("rb") as handle:
                head = handle.read(8)
        except FileNotFoundError:
            raise WorkbookError(f"{self.path} does not exist.") from None
        except IsADirectoryError:
            raise WorkbookError(f"{self.path} is a folder, not a workbook.") from None
        except OSError as exc:
            raise WorkbookError(f"{self.path} cannot be opened: {exc.strerror}.") from None
        if size == 0:
            raise WorkbookError(f"{self.label} is empty (0 bytes). Save the workbook again from Excel.")
        if size > MAX_FILE_BYTES:
            raise WorkbookError(
                f"{self.label} is {size // 1024 // 1024} MiB; kpireport reads workbooks up to "
                f"{MAX_FILE_BYTES // 1024 // 1024} MiB."
            )
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
        if len(set(names)) != len(names):
            duplicate = next(n for n in names if names.count(n) > 1)
            fail(f"it holds two parts named {duplicate!r}, so its content is ambiguous.")
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
        """Excel never writes a DTD; one in a part is an entity bomb or an XXE attempt. A DTD can
        only sit in the prolog, so the first kilobyte of each XML part is enough to see it."""
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels")):
                continue
            try:
                with self._zip.open(info) as part:
                    head = part.read(_PROLOG_BYTES)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                self._fail_container(f"part {info.filename!r} cannot be unpacked ({_short(exc)}).")
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                self._fail_container(
                    f"part {info.filename!r} declares XML entities (a DTD), which Excel never writes; "
                    "it may be an XML bomb."
                )

    def _check_no_overlap(self, infos: list[zipfile.ZipInfo]) -> None:
        # Overlapping entries let a small file inflate many times over (CVE-2024-0450).
        spans = sorted((info.header_offset, info.compress_size, info.filename) for info in infos)
        for (offset, size, name), (next_offset, _, next_name) in itertools.pairwise(spans):
            # 30 bytes of local header at least, plus the data.
            if offset + 30 + size > next_offset:
                self._fail_container(f"parts {name!r} and {next_name!r} overlap; it may be a zip bomb.")

    def _fail_container(self, reason: str) -> None:
        raise WorkbookError(f"{self.label} is rejected: {reason}")

    def find_sheet(self, names: Sequence[str]) -> str | None:
        """The workbook's own spelling of the first sheet matching ``names`` (case and
        surrounding spaces ignored)."""
        wanted = {_key(n) for n in names}
        return next((s for s in self.sheet_names if _key(s) in wanted), None)

    def grid(self, sheet_name: str, *, scan_values: bool = True) -> Grid:
        """The sheet's values; with ``scan_values``, also the formula and error cells calamine
        shows as empty (only sheets of numbers need that scan). The scan runs in a thread beside
        the parse: calamine releases the GIL while it parses, so the two overlap."""
        if not scan_values:
            return Grid(sheet_name, self._values(sheet_name))
        with ThreadPoolExecutor(max_workers=1) as pool:
            problems = pool.submit(self._scan_problem_cells, sheet_name)
            rows = self._values(sheet_name)
            return Grid(sheet_name, rows, problems.result())

    def _values(self, sheet_name: str) -> Sequence[Sequence[CellValue]]:
        try:
            # A calamine workbook of its own: sheets may be read from two threads at once, and
            # calamine's objects cannot be shared between threads.
            with python_calamine.CalamineWorkbook.from_path(str(self.path)) as book:
                sheet = book.get_sheet_by_name(sheet_name)
                # calamine gives the last used row and column as zero-based indexes.
                height, width = sheet.total_height + 1, sheet.total_width + 1
                if height > MAX_ROWS or width > MAX_COLUMNS:
                    raise WorkbookError(
                        f"the sheet reaches row {height:,} / column {width:,}; kpireport reads up to "
                        f"{MAX_ROWS:,} rows and {MAX_COLUMNS:,} columns. Delete the stray cells below "
                        "or right of your data.",
                        sheet=sheet_name,
                    )
                rows: Sequence[Sequence[CellValue]] = sheet.to_python(skip_empty_area=False)
                return rows
        except WorkbookError:
            raise
        except Exception as exc:
            raise WorkbookError(
                f"the sheet cannot be read ({_short(exc)}). Save the workbook again from Excel.",
                sheet=sheet_name,
            ) from exc

    # -- the XML scan for cells calamine shows as empty -------------------------------------

    def _scan_problem_cells(self, sheet_name: str) -> dict[tuple[int, int], tuple[ProblemKind, str]]:
        part = self._sheet_part(sheet_name)
        if part is None:
            return {}
        try:
            # Most sheets have neither formulas nor error values: a streamed substring test
            # (several times faster than a regular expression, and a megabyte at a time)
            # proves it before the whole part is unpacked for the exact scan.
            if not self._may_hold_formulas_or_errors(part):
                return {}
            xml = self._zip.read(part)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
            return {}
        problems: dict[tuple[int, int], tuple[ProblemKind, str]] = {}
        for match in _CELL.finditer(xml):
            attributes, body = match.group(1), match.group(2) or b""  # <c ... /> has no body
            ref = _REF_ATTR.search(attributes)
            index = _cell_index(ref.group(1).decode("ascii")) if ref else None
            if index is None:
                continue
            value = _VALUE.search(body)
            if _TYPE_ERROR.search(attributes):
                text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
                problems[index] = ("error_value", text)
            elif _FORMULA.search(body) and (value is None or not value.group(1).strip()):
                formula = _FORMULA_TEXT.search(body)
                text = formula.group(1).decode("utf-8", "replace") if formula else ""
                problems[index] = ("formula_without_value", html.unescape(text))
        return problems

    def _may_hold_formulas_or_errors(self, part: str) -> bool:
        with self._zip.open(part) as stream:
            tail = b""
            while chunk := stream.read(SCAN_CHUNK_BYTES):
                window = tail + chunk
                if any(token in window for token in _FORMULA_OR_ERROR_TOKENS):
                    return True
                tail = window[1 - _LONGEST_TOKEN :]
        return False

    def _sheet_part(self, sheet_name: str) -> str | None:
        return self._sheet_parts.get(sheet_name)

    @cached_property
    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name → worksheet part path, from the workbook part and its relationships."""
        parts: dict[str, str] = {}
        names = {n.lower(): n for n in self._zip.namelist()}
        workbook_part = names.get("xl/workbook.xml")
        rels_part = names.get("xl/_rels/workbook.xml.rels")
        if not workbook_part or not rels_part:
            return parts
        workbook = _parse(self._zip.read(workbook_part))
        rels = _parse(self._zip.read(rels_part))
        if workbook is None or rels is None:
            return parts
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter() if _local(rel.tag) == "Relationship"}
        for sheet in workbook.iter():
            if _local(sheet.tag) != "sheet":
                continue
            rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
            target = targets.get(rel_id)
            if not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            actual = names.get(path.lower())
            if actual:
                parts[sheet.get("name", "")] = actual
        return parts


# Any formula element opens with "<f" (or "<x:f" in a prefixed document) and any error cell
# carries t="e". Each token costs a pass over the XML, so there are as few as cover every
# form; a false alarm only costs the exact scan.
_FORMULA_OR_ERROR_TOKENS = (b"<f", b":f", b't="e"')
_LONGEST_TOKEN = max(len(token) for token in _FORMULA_OR_ERROR_TOKENS)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF_ATTR = re.compile(rb"\br=\"([A-Z$]+[0-9$]+)\"")
_TYPE_ERROR = re.compile(rb"\bt=\"e\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)


def _parse(data: bytes) -> Element | None:
    try:
        root: Element = parse_xml_safely(data, forbid_dtd=True)
        return root
    except (DefusedXmlException, SyntaxError, ValueError):
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _key(name: str) -> str:
    return name.strip().casefold()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _looks_like_text(head: bytes) -> bool:
    return all(32 <= b < 127 or b in (9, 10, 13) for b in head) or head.startswith(b"\xef\xbb\xbf")
