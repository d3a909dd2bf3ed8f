"""A copy of the user's workbook with some cells written (SPEC §3b "A ``--write`` copy"):
``plan --write``'s solved targets, later ``draft --write``'s Commentary rows.

The copy is the input's package with only the parts it must change rewritten: the edited
sheet's XML, and the workbook part to have Excel recompute on open. Every other part (the
team's charts, images, pivot tables, defined names, styles, macros, other sheets) is copied
as its compressed bytes, never inflated or parsed, so it survives byte for byte, a sheet of
two million numbers costs a copy of its bytes, and an odd cell on a sheet we do not write
cannot stop us.

The edited sheet is parsed with expat, which gives each element's byte offset; the cells
written replace their elements in place, and everything between them is kept as it was. A
written value is a number or text, and text is written as an inline string: never as a
formula, whatever it starts with. Where a cell that held a formula becomes a number, Excel's
calculation chain (``calcChain.xml``, an optional cache that names every formula cell) is
dropped and the workbook marked to recalculate fully on load, so formulas that depend on the
written cells show their new values.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kpireport.delivering.output import write_atomic
from kpireport.delivering.xlsx_sheet import Value, edit_sheet, positions
from kpireport.delivering.xlsx_xml import (
    CALC_CHAIN,
    CONTENT_TYPES,
    EMPTY_SHEET,
    MAIN,
    MAX_EDITED_PART_BYTES,
    OFFICE_DOCUMENT,
    OFFICE_RELATIONSHIPS,
    RELATIONSHIPS,
    WORKSHEET_TYPE,
    Element,
    before_end,
    check_new_sheet_name,
    elements_of,
    full_calc_on_load,
    rels_of,
    splice,
    start_tag,
    target_of,
    without,
)
from kpireport.errors import WorkbookError
from kpireport.reading.inputs import read_bounded
from kpireport.reading.xlsx import MAX_ENTRIES, MAX_FILE_BYTES

# The parts this module inflates to edit (a sheet, the workbook part, relationships, content
# types) are read up to this size; the reader has refused larger sheets (4,000,000 cells).
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")


@dataclass(frozen=True)
class Copied:
    """What the copy changed."""

    cells: int
    replaced_formulas: int
    """Cells that held a formula and now hold a value."""


Cells = Mapping[str, Mapping[str, Value]]
"""What to write: {sheet name: {"B2": value}}."""


def write_copy(source: Path, destination: Path, edits: Cells, new_sheets: Cells | None = None) -> Copied:
    """Write ``source`` with ``edits`` and ``new_sheets`` (see :func:`edited_copy`) to
    ``destination``, whole or not at all; ``source`` is only read."""
    data = read_bounded(source, MAX_FILE_BYTES, "the workbook", WorkbookError)
    copy, copied = edited_copy(data, source.name, edits, new_sheets)
    write_atomic(destination, copy)
    return copied


def edited_copy(data: bytes, label: str, edits: Cells, new_sheets: Cells | None = None) -> tuple[bytes, Copied]:
    """The package ``data`` (an .xlsx named ``label``) with ``edits`` written into its sheets,
    and ``new_sheets`` added after them, each with its cells."""
    package = _Package(data, label)
    changed: dict[str, bytes | None] = {}  # part name → new content (None: dropped)
    cells = formulas = 0
    for sheet, sheet_edits in edits.items():
        if not sheet_edits:
            continue
        part = package.sheet_part(sheet)
        edited = edit_sheet(package.read(part), sheet, positions(sheet, sheet_edits))
        changed[part] = edited.data
        cells += len(sheet_edits)
        formulas += edited.replaced_formulas
    if changed:
        changed.update(package.recalculated(drop_chain=formulas > 0))
    added: dict[str, bytes] = {}
    for sheet, sheet_cells in (new_sheets or {}).items():
        part = package.add_sheet(sheet, changed, added)
        added[part] = edit_sheet(EMPTY_SHEET, sheet, positions(sheet, sheet_cells)).data
        cells += len(sheet_cells)
    return package.rebuilt(changed, added), Copied(cells, formulas)


# -- the package -----------------------------------------------------------------------------


class _Package:
    """The zip container of an .xlsx, its parts found by name ignoring case (as zip tools and
    the reader do). Only the parts to edit are ever inflated."""

    def __init__(self, data: bytes, label: str) -> None:
        self.data = data
        self.label = label
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))  # shares data's buffer: no copy
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise self.error(f"its zip container cannot be read ({exc})") from None
        self.infos = infos
        if len(infos) > MAX_ENTRIES:
            raise self.error(f"it holds {len(infos):,} parts (the limit is {MAX_ENTRIES:,})")
        self.names: dict[str, str] = {}
        for info in infos:
            key = info.filename.replace("\\", "/").lower()
            if key in self.names:  # which of the two would Excel read? Neither is copied.
                raise self.error(f"it holds two parts named {self.names[key]!r} and {info.filename!r}")
            self.names[key] = info.filename
        # Copied bytes are bounded by the file itself: entries may not share bytes (CVE-2024-0450).
        if sum(info.compress_size for info in infos) > len(data):
            raise self.error("its parts overlap; it may be a zip bomb")

    def error(self, reason: str) -> WorkbookError:
        return WorkbookError(f"{self.label} cannot be copied: {reason}. Save the workbook again from Excel.")

    def find(self, name: str) -> str | None:
        return self.names.get(name.lstrip("/").lower())

    def read(self, name: str) -> bytes:
        try:
            with self.zip.open(name) as part:
                content = part.read(MAX_EDITED_PART_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            # RuntimeError: zipfile's "password required" for a part flagged as encrypted.
            raise self.error(f"part {name!r} cannot be unpacked ({exc})") from None
        if len(content) > MAX_EDITED_PART_BYTES:
            raise self.error(f"part {name!r} is larger than {MAX_EDITED_PART_BYTES // 1024 // 1024} MiB")
        return content

    def relationships(self, part: str) -> list[Element]:
        """The Relationship elements of ``part``'s relationships part (none when it has none)."""
        rels = self.find(rels_of(part))
        if rels is None:
            return []
        return [e for e in elements_of(self.read(rels), self.error) if e.local == "Relationship"]

    @property
    def workbook_part(self) -> str:
        for rel in self.relationships(""):
            if rel.attribute("Type").endswith(OFFICE_DOCUMENT):
                found = self.find(target_of("", rel.attribute("Target")))
                if found is not None:
                    return found
        found = self.find("xl/workbook.xml")
        if found is None:
            raise self.error("it has no workbook part")
        return found

    def sheet_part(self, sheet: str) -> str:
        workbook = self.workbook_part
        targets = {rel.attribute("Id"): rel.attribute("Target") for rel in self.relationships(workbook)}
        for element in elements_of(self.read(workbook), self.error):
            if element.local == "sheet" and element.attribute("name") == sheet:
                target = targets.get(element.attribute("id", any_prefix=True))
                part = self.find(target_of(workbook, target)) if target else None
                if part is not None:
                    return part
        raise WorkbookError(
            "the sheet's XML part cannot be found from the workbook's relationships; save the workbook "
            "again from Excel.",
            sheet=sheet,
        )

    def recalculated(self, *, drop_chain: bool) -> dict[str, bytes | None]:
        """The parts that make Excel recompute every formula on load: the workbook part with
        ``fullCalcOnLoad``, and, when ``drop_chain``, without the calculation chain (it names
        cells that no longer hold a formula, which Excel reports as a corrupt file)."""
        workbook = self.workbook_part
        changed: dict[str, bytes | None] = {workbook: full_calc_on_load(self.read(workbook), self.error)}
        if not drop_chain:
            return changed
        rels_part = self.find(rels_of(workbook))
        chains = [r for r in self.relationships(workbook) if r.attribute("Type").endswith(CALC_CHAIN)]
        if rels_part is None or not chains:
            return changed
        rels = self.read(rels_part)
        changed[rels_part] = without(rels, chains)
        for chain in chains:
            part = self.find(target_of(workbook, chain.attribute("Target")))
            if part is None:
                continue
            changed[part] = None
            types_part = self.find("[Content_Types].xml")
            if types_part is not None:
                types = changed.get(types_part) or self.read(types_part)
                overrides = [
                    e
                    for e in elements_of(types, self.error)
                    if e.local == "Override" and e.attribute("PartName").lstrip("/").lower() == part.lower()
                ]
                changed[types_part] = without(types, overrides)
        return changed

    def rebuilt(self, changed: Mapping[str, bytes | None], added: Mapping[str, bytes]) -> bytes:
        """The package again, in its own order: each changed part deflated anew, a dropped one
        left out, every other one copied as its compressed bytes; then the parts ``added``."""
        out = _ZipWriter()
        for info in self.infos:
            if info.filename in changed:
                content = changed[info.filename]
                if content is not None:
                    out.deflated(info, content)
            else:
                out.raw(info, self._compressed(info))
        stamp = self.infos[0].date_time if self.infos else (1980, 1, 1, 0, 0, 0)
        for name, content in added.items():
            out.deflated(zipfile.ZipInfo(name, stamp), content)
        return out.finish()

    def current(self, part: str, changed: Mapping[str, bytes | None]) -> bytes:
        """``part`` as the copy holds it so far."""
        content = changed.get(part)
        return content if content is not None else self.read(part)

    def add_sheet(self, sheet: str, changed: dict[str, bytes | None], added: Mapping[str, bytes]) -> str:
        """Register a new worksheet named ``sheet`` after the others (in the workbook part, its
        relationships and the content types, updated in ``changed``); its part's name."""
        workbook = self.workbook_part
        rels_part = self.find(rels_of(workbook))
        types_part = self.find("[Content_Types].xml")
        if rels_part is None or types_part is None:
            raise self.error("it has no relationships or content types for its workbook part")
        book = self.current(workbook, changed)
        elements = elements_of(book, self.error)
        sheets = [e for e in elements if e.local == "sheet" and e.uri in MAIN]
        check_new_sheet_name(sheet, [e.attribute("name") for e in sheets])
        listing = next((e for e in elements if e.local == "sheets" and e.uri in MAIN and not e.empty), None)
        if listing is None:
            raise self.error("its workbook part lists no sheets")
        number = 1
        while self.find(f"xl/worksheets/sheet{number}.xml") or f"xl/worksheets/sheet{number}.xml" in added:
            number += 1
        part = f"xl/worksheets/sheet{number}.xml"
        rels = self.current(rels_part, changed)
        ids = {rel.attribute("Id") for rel in elements_of(rels, self.error) if rel.local == "Relationship"}
        rel_id = next(f"rIdKpi{n}" for n in itertools.count(1) if f"rIdKpi{n}" not in ids)
        sheet_id = 1 + max((int(e.attribute("sheetId")) for e in sheets if e.attribute("sheetId").isdigit()), default=0)
        entry = start_tag(f"{listing.prefix}sheet", [("xmlns:r", OFFICE_RELATIONSHIPS), ("name", sheet),
                           ("sheetId", str(sheet_id)), ("r:id", rel_id)], empty=True)  # fmt: skip
        changed[workbook] = splice(book, [(listing.close, listing.close, entry)])
        target = posixpath.relpath(part, posixpath.dirname(workbook))
        relationship = start_tag("Relationship", [("Id", rel_id), ("Type", OFFICE_RELATIONSHIPS + "/worksheet"),
                                  ("Target", target)], empty=True)  # fmt: skip
        changed[rels_part] = before_end(rels, "Relationships", RELATIONSHIPS, relationship, self.error)
        override = start_tag("Override", [("PartName", "/" + part), ("ContentType", WORKSHEET_TYPE)], empty=True)
        changed[types_part] = before_end(self.current(types_part, changed), "Types", CONTENT_TYPES, override,
                                          self.error)  # fmt: skip
        return part

    def _compressed(self, info: zipfile.ZipInfo) -> bytes:
        offset = info.header_offset
        header = self.data[offset : offset + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise self.error(f"part {info.filename!r} has no local header where its directory says")
        fields = _LOCAL_HEADER.unpack(header)
        start = offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
        if start + info.compress_size > len(self.data):
            raise self.error(f"part {info.filename!r} runs past the end of the file")
        return self.data[start : start + info.compress_size]


class _ZipWriter:
    """A zip written entry by entry: a part's compressed bytes copied as they are, or content
    deflated here. Within kpireport's limits (10,000 parts, 200 MiB) no Zip64 record is needed."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.central: list[bytes] = []
        self.offset = 0

    def raw(self, info: zipfile.ZipInfo, compressed: bytes) -> None:
        self._entry(info, info.compress_type, info.CRC, compressed, info.file_size)

    def deflated(self, info: zipfile.ZipInfo, content: bytes) -> None:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        compressed = packer.compress(content) + packer.flush()
        self._entry(info, zipfile.ZIP_DEFLATED, zlib.crc32(content), compressed, len(content))

    def _entry(self, info: zipfile.ZipInfo, method: int, crc: int, compressed: bytes, size: int) -> None:
        name = info.filename.encode("utf-8")
        # Sizes and CRC stand in the headers, so no data descriptor follows (bit 3 off); bit 11
        # says the name is UTF-8.
        flags = (info.flag_bits & ~0x8) | (0x800 if not info.filename.isascii() else 0)
        year, month, day, hour, minute, second = info.date_time
        date = max(year - 1980, 0) << 9 | month << 5 | day
        time = hour << 11 | minute << 5 | second // 2
        version = 20
        local = _LOCAL_HEADER.pack(b"PK\x03\x04", version, flags, method, time, date, crc, len(compressed), size,
                                   len(name), 0)  # fmt: skip
        central = _CENTRAL_HEADER.pack(b"PK\x01\x02", version, version, flags, method, time, date, crc,
                                       len(compressed), size, len(name), 0, 0, 0, 0, info.external_attr,
                                       self.offset)  # fmt: skip
        self.central.append(central + name)
        self.chunks += [local, name, compressed]
        self.offset += len(local) + len(name) + len(compressed)

    def finish(self) -> bytes:
        directory = b"".join(self.central)
        end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, len(self.central), len(self.central), len(directory),
                               self.offset, 0)  # fmt: skip
        return b"".join([*self.chunks, directory, end])
