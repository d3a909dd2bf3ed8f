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

import html
import io
import itertools
import math
import posixpath
import pyexpat
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kpireport.delivering.output import write_atomic
from kpireport.errors import WorkbookError
from kpireport.presenting.clipping import xml_safe
from kpireport.reading.inputs import read_bounded
from kpireport.reading.sheetscan import column_index, column_letters
from kpireport.reading.xlsx import MAX_ENTRIES, MAX_FILE_BYTES

Value = float | str
"""What a written cell holds: a number, or text (always text, never a formula)."""

# The parts this module inflates to edit (a sheet, the workbook part, relationships, content
# types) are read up to this size; the reader has refused larger sheets (4,000,000 cells).
MAX_EDITED_PART_BYTES = 256 * 1024 * 1024

_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)
# Excel's rules for a sheet's name: at most 31 characters, none of these, not quoted.
_SHEET_NAME_CHARS = 31
_NOT_IN_SHEET_NAMES = set("[]:*?/\\")
_CALC_CHAIN = "/calcChain"
_OFFICE_DOCUMENT = "/officeDocument"
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
        edited = _edit_sheet(package.read(part), sheet, _positions(sheet, sheet_edits))
        changed[part] = edited.data
        cells += len(sheet_edits)
        formulas += edited.replaced_formulas
    if changed:
        changed.update(package.recalculated(drop_chain=formulas > 0))
    added: dict[str, bytes] = {}
    for sheet, sheet_cells in (new_sheets or {}).items():
        part = package.add_sheet(sheet, changed, added)
        added[part] = _edit_sheet(_EMPTY_SHEET, sheet, _positions(sheet, sheet_cells)).data
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

    def relationships(self, part: str) -> list[_Element]:
        """The Relationship elements of ``part``'s relationships part (none when it has none)."""
        rels = self.find(_rels_of(part))
        if rels is None:
            return []
        return [e for e in _elements(self.read(rels), self.error) if e.local == "Relationship"]

    @property
    def workbook_part(self) -> str:
        for rel in self.relationships(""):
            if rel.attribute("Type").endswith(_OFFICE_DOCUMENT):
                found = self.find(_target("", rel.attribute("Target")))
                if found is not None:
                    return found
        found = self.find("xl/workbook.xml")
        if found is None:
            raise self.error("it has no workbook part")
        return found

    def sheet_part(self, sheet: str) -> str:
        workbook = self.workbook_part
        targets = {rel.attribute("Id"): rel.attribute("Target") for rel in self.relationships(workbook)}
        for element in _elements(self.read(workbook), self.error):
            if element.local == "sheet" and element.attribute("name") == sheet:
                target = targets.get(element.attribute("id", any_prefix=True))
                part = self.find(_target(workbook, target)) if target else None
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
        changed: dict[str, bytes | None] = {workbook: _full_calc_on_load(self.read(workbook), self.error)}
        if not drop_chain:
            return changed
        rels_part = self.find(_rels_of(workbook))
        chains = [r for r in self.relationships(workbook) if r.attribute("Type").endswith(_CALC_CHAIN)]
        if rels_part is None or not chains:
            return changed
        rels = self.read(rels_part)
        changed[rels_part] = _without(rels, chains)
        for chain in chains:
            part = self.find(_target(workbook, chain.attribute("Target")))
            if part is None:
                continue
            changed[part] = None
            types_part = self.find("[Content_Types].xml")
            if types_part is not None:
                types = changed.get(types_part) or self.read(types_part)
                overrides = [
                    e
                    for e in _elements(types, self.error)
                    if e.local == "Override" and e.attribute("PartName").lstrip("/").lower() == part.lower()
                ]
                changed[types_part] = _without(types, overrides)
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
        rels_part = self.find(_rels_of(workbook))
        types_part = self.find("[Content_Types].xml")
        if rels_part is None or types_part is None:
            raise self.error("it has no relationships or content types for its workbook part")
        book = self.current(workbook, changed)
        elements = _elements(book, self.error)
        sheets = [e for e in elements if e.local == "sheet" and e.uri in _MAIN]
        _check_new_sheet_name(sheet, [e.attribute("name") for e in sheets])
        listing = next((e for e in elements if e.local == "sheets" and e.uri in _MAIN and not e.empty), None)
        if listing is None:
            raise self.error("its workbook part lists no sheets")
        number = 1
        while self.find(f"xl/worksheets/sheet{number}.xml") or f"xl/worksheets/sheet{number}.xml" in added:
            number += 1
        part = f"xl/worksheets/sheet{number}.xml"
        rels = self.current(rels_part, changed)
        ids = {rel.attribute("Id") for rel in _elements(rels, self.error) if rel.local == "Relationship"}
        rel_id = next(f"rIdKpi{n}" for n in itertools.count(1) if f"rIdKpi{n}" not in ids)
        sheet_id = 1 + max((int(e.attribute("sheetId")) for e in sheets if e.attribute("sheetId").isdigit()), default=0)
        entry = _start_tag(f"{listing.prefix}sheet", [("xmlns:r", _OFFICE_RELATIONSHIPS), ("name", sheet),
                           ("sheetId", str(sheet_id)), ("r:id", rel_id)], empty=True)  # fmt: skip
        changed[workbook] = _splice(book, [(listing.close, listing.close, entry)])
        target = posixpath.relpath(part, posixpath.dirname(workbook))
        relationship = _start_tag("Relationship", [("Id", rel_id), ("Type", _OFFICE_RELATIONSHIPS + "/worksheet"),
                                  ("Target", target)], empty=True)  # fmt: skip
        changed[rels_part] = _before_end(rels, "Relationships", _RELATIONSHIPS, relationship, self.error)
        override = _start_tag("Override", [("PartName", "/" + part), ("ContentType", _WORKSHEET_TYPE)], empty=True)
        changed[types_part] = _before_end(self.current(types_part, changed), "Types", _CONTENT_TYPES, override,
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


# -- XML elements and where they stand in their part's bytes -----------------------------------


@dataclass
class _Element:
    """An element of a part: its names, attributes and the byte span of the whole element
    (``start``..``end``) and of its start tag (``start``..``content``)."""

    qname: str
    uri: str
    local: str
    attributes: list[str]
    start: int
    content: int = 0
    end: int = 0
    close: int = 0
    """Where the end tag starts (for an element with content)."""
    empty: bool = False
    text: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return self.qname[: -len(self.local)]

    def attribute(self, name: str, *, any_prefix: bool = False) -> str:
        """The attribute's value ("" when absent); ``any_prefix`` matches ``r:id`` by ``id``."""
        for index in range(0, len(self.attributes) - 1, 2):
            key = self.attributes[index]
            if key == name or (any_prefix and key.rsplit(":", 1)[-1] == name):
                return self.attributes[index + 1]
        return ""


class _Walker:
    """Expat over a whole part, with each element's namespace resolved from the declarations
    in scope and its byte span measured. ``visit(element, parents)`` is called at each
    element's end (its span then known); ``keep_text`` names the local names whose text is
    collected."""

    def __init__(self, data: bytes, visit: Callable[[_Element, list[_Element]], None], keep_text: frozenset[str],
                 error: Callable[[str], WorkbookError]) -> None:  # fmt: skip
        self.data = data
        self.visit = visit
        self.keep_text = keep_text
        self.error = error
        self.open: list[_Element] = []
        self.scopes: list[dict[str, str]] = [{"xml": "http://www.w3.org/XML/1998/namespace"}]
        parser = self.parser = pyexpat.ParserCreate()
        parser.ordered_attributes = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.XmlDeclHandler = self.declaration
        parser.StartDoctypeDeclHandler = self.doctype
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def run(self) -> None:
        try:
            self.parser.Parse(self.data, True)
        except pyexpat.ExpatError as exc:
            raise self.error(
                f"its XML is not well-formed ({pyexpat.ErrorString(exc.code)}, line {exc.lineno})"
            ) from None

    def doctype(self, *_: object) -> None:
        raise self.error("a part declares XML entities (a DTD), which Excel never writes")

    def declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        # Spliced bytes are UTF-8: a part in another encoding is not edited.
        if encoding is not None and encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise self.error(f"a part is encoded in {encoding}, not UTF-8")

    def start(self, qname: str, attributes: list[str]) -> None:
        scope = self.scopes[-1]
        if any(key.startswith("xmlns") for key in attributes[::2]):
            scope = dict(scope)  # a copy only where declarations change it
            for index in range(0, len(attributes) - 1, 2):
                key = attributes[index]
                if key == "xmlns":
                    scope[""] = attributes[index + 1]
                elif key.startswith("xmlns:"):
                    scope[key[6:]] = attributes[index + 1]
        self.scopes.append(scope)
        prefix, _, local = qname.rpartition(":")
        index = self.parser.CurrentByteIndex
        content = _tag_end(self.data, index)
        element = _Element(qname, scope.get(prefix, ""), local, attributes, index, content)
        element.empty = self.data[content - 2 : content - 1] == b"/"
        self.open.append(element)

    def end(self, qname: str) -> None:
        element = self.open.pop()
        self.scopes.pop()
        if element.empty:
            element.end = element.close = element.content
        else:
            element.close = self.parser.CurrentByteIndex
            element.end = _tag_end(self.data, element.close)
        self.visit(element, self.open)

    def characters(self, text: str) -> None:
        if self.open and self.open[-1].local in self.keep_text:
            self.open[-1].text.append(text)


def _tag_end(data: bytes, start: int) -> int:
    """The index after the ``>`` that closes the tag opening at ``start``. Expat has parsed the
    tag: the only ``>`` that does not close it stand inside a quoted attribute value."""
    position = start
    while True:
        close = data.index(b">", position)
        quotes = [q for q in (data.find(b'"', position, close), data.find(b"'", position, close)) if q != -1]
        if not quotes:
            return close + 1
        opening = min(quotes)
        position = data.index(data[opening : opening + 1], opening + 1) + 1


def _elements(data: bytes, error: Callable[[str], WorkbookError]) -> list[_Element]:
    """Every element of a small part (relationships, content types, the workbook part)."""
    found: list[_Element] = []
    _Walker(data, lambda element, parents: found.append(element), frozenset(), error).run()
    return found


def _splice(data: bytes, changes: Sequence[tuple[int, int, bytes]]) -> bytes:
    """``data`` with each (start, end, new bytes) in place of its span; spans do not overlap,
    and several insertions at one place (start == end) keep their order."""
    pieces: list[bytes] = []
    position = 0
    for start, end, new in sorted(changes, key=lambda change: (change[0], change[1])):
        pieces += [data[position:start], new]
        position = end
    pieces.append(data[position:])
    return b"".join(pieces)


def _before_end(data: bytes, local: str, uri: str, new: bytes, error: Callable[[str], WorkbookError]) -> bytes:
    """``data`` with ``new`` as the last child of its ``local`` root element."""
    root = next((e for e in _elements(data, error) if e.local == local and e.uri == uri), None)
    if root is None or root.empty:
        raise error(f"its {local} part cannot take one more entry")
    return _splice(data, [(root.close, root.close, new)])


def _check_new_sheet_name(name: str, existing: Sequence[str]) -> None:
    """A name Excel accepts for a new sheet: not one it has (ignoring case, as Excel does)."""
    bad = sorted(set(name) & _NOT_IN_SHEET_NAMES)
    if not name or len(name) > _SHEET_NAME_CHARS or bad or name.startswith("'") or name.endswith("'"):
        raise ValueError(f"{name!r} cannot name a sheet: 1 to 31 characters, none of [ ] : * ? / \\")
    if name.casefold() in {n.casefold() for n in existing}:
        raise WorkbookError(f"the workbook already has a sheet named {name!r}; a new one cannot take its name.")


def _without(data: bytes, elements: Sequence[_Element]) -> bytes:
    return _splice(data, [(e.start, e.end, b"") for e in elements])


def _full_calc_on_load(data: bytes, error: Callable[[str], WorkbookError]) -> bytes:
    """The workbook part with ``<calcPr fullCalcOnLoad="1">``: Excel recomputes every formula
    when it opens the copy, so none shows a value computed from the cells before."""
    elements = _elements(data, error)
    calc = next((e for e in elements if e.local == "calcPr" and e.uri in _MAIN), None)
    if calc is not None:
        if calc.attribute("fullCalcOnLoad") in ("1", "true"):
            return data
        attributes = [(calc.attributes[i], calc.attributes[i + 1]) for i in range(0, len(calc.attributes) - 1, 2)]
        kept = [(k, v) for k, v in attributes if k != "fullCalcOnLoad"]
        tag = _start_tag(calc.qname, [*kept, ("fullCalcOnLoad", "1")], empty=calc.empty)
        return _splice(data, [(calc.start, calc.content, tag)])
    workbook = next((e for e in elements if e.local == "workbook" and e.uri in _MAIN), None)
    if workbook is None:
        raise error("its workbook part has no workbook element")
    # calcPr follows these in the workbook's schema; it goes after the last one present.
    before = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
              "functionGroups", "externalReferences", "definedNames")  # fmt: skip
    children = [e for e in elements if e.local in before and e.uri in _MAIN]
    where = max((e.end for e in children), default=workbook.content)
    return _splice(
        data, [(where, where, _start_tag(f"{workbook.prefix}calcPr", [("fullCalcOnLoad", "1")], empty=True))]
    )


def _escape(text: str) -> str:
    """Text fit for XML content or a double-quoted attribute (``html`` escapes the same five
    characters XML needs; ``xml.sax.saxutils`` would import ``urllib.request``, 25 ms at start)."""
    return html.escape(text, quote=True)


def _start_tag(qname: str, attributes: Sequence[tuple[str, str]], *, empty: bool) -> bytes:
    text = "<" + qname + "".join(f' {key}="{_escape(value)}"' for key, value in attributes)
    return (text + ("/>" if empty else ">")).encode("utf-8")


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _target(part: str, target: str) -> str:
    """A relationship's target, relative to ``part``'s folder unless it starts with ``/``."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


# -- a sheet's cells -------------------------------------------------------------------------


Position = tuple[int, int]
"""A cell's zero-based (row, column)."""


def _positions(sheet: str, edits: Mapping[str, Value]) -> dict[Position, Value]:
    positions: dict[Position, Value] = {}
    for ref, value in edits.items():
        position = _parse_ref(ref)
        if position is None:
            raise ValueError(f"{ref!r} is not a cell reference")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{sheet}!{ref}: {value} cannot be written to a cell")
        positions[position] = value
    return positions


def _parse_ref(ref: str) -> Position | None:
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not (letters.isascii() and letters.isalpha() and letters.isupper() and digits and digits[0] != "0"):
        return None
    return int(digits) - 1, column_index(letters)


def _ref(position: Position) -> str:
    return f"{column_letters(position[1])}{position[0] + 1}"


@dataclass
class _Formula:
    """A formula that spans cells: a shared formula's master, or an array's."""

    cell: _Element
    formula: _Element
    position: Position
    area: tuple[Position, Position]


@dataclass(frozen=True)
class _EditedSheet:
    data: bytes
    replaced_formulas: int


def _edit_sheet(data: bytes, sheet: str, edits: Mapping[Position, Value]) -> _EditedSheet:
    """The worksheet part ``data`` with ``edits`` written: each cell's element replaced (its
    style kept), or added to its row, or a row added for it."""
    editor = _SheetEditor(sheet, edits)
    editor.run(data)
    editor.check_arrays()
    changes: list[tuple[int, int, bytes]] = []
    for position, cell in editor.cells.items():
        changes.append((cell.start, cell.end, _cell_xml(cell.prefix, position, cell.attribute("s"), edits[position])))
    changes += editor.moved_masters()
    changes += editor.added(data)
    return _EditedSheet(_splice(data, changes), len(editor.formulas))


class _SheetEditor:
    """One pass over a worksheet: the cells to write as they stand, and what is around them
    that a write must keep whole (shared and array formulas, rows)."""

    def __init__(self, sheet: str, edits: Mapping[Position, Value]) -> None:
        self.sheet = sheet
        self.edits = edits
        self.edit_rows = {row for row, _ in edits}
        self.row = -1
        self.next_column = 0
        self.position: Position = (0, 0)
        self.cells: dict[Position, _Element] = {}
        """The cells to write, as they stand in the sheet."""
        self.formulas: dict[Position, _Element] = {}
        """The <f> of each cell to write that holds a formula."""
        self.masters: dict[str, _Formula] = {}
        """Shared formulas, by ``si``, whose master is a cell to write."""
        self.dependents: dict[str, list[tuple[Position, _Element]]] = {}
        """The other cells of those shared formulas: (position, its <f>), in sheet order."""
        self.arrays: list[_Formula] = []
        self.rows: dict[int, _Element] = {}
        """The row elements of the rows where a cell is to be written."""
        self.later_rows: list[tuple[int, _Element]] = []
        """Every row element with its number: a row to add goes before the first one after it."""
        self.row_cells: dict[int, list[tuple[int, _Element]]] = {}
        """The cells (column, element) of the rows where a cell is to be written."""
        self.sheet_data: _Element | None = None

    def error(self, reason: str) -> WorkbookError:
        return WorkbookError(f"the sheet cannot be written: {reason}. Save the workbook again from Excel.",
                             sheet=self.sheet)  # fmt: skip

    def run(self, data: bytes) -> None:
        walker = _Walker(data, self.visit, frozenset({"f"}), self.error)

        def start(qname: str, attributes: list[str]) -> None:
            # Rows and cells are placed as they open: a cell's <f> needs the cell's position.
            walker.start(qname, attributes)
            element = walker.open[-1]
            if element.uri not in _MAIN:
                return
            if element.local == "row":
                number = element.attribute("r")
                plain = number.isascii() and number.isdigit() and number[:1] != "0" and len(number) <= 7
                self.row = int(number) - 1 if plain else self.row + 1
                self.next_column = 0
            elif element.local == "c":
                placed = _parse_ref(element.attribute("r"))
                self.position = placed if placed is not None else (self.row, self.next_column)
                self.next_column = self.position[1] + 1

        walker.parser.StartElementHandler = start
        walker.run()

    def visit(self, element: _Element, parents: list[_Element]) -> None:
        """Called as each element ends; ``self.row`` and ``self.position`` are still its own."""
        if element.uri not in _MAIN:
            return
        if element.local == "f" and parents and parents[-1].local == "c":
            self.formula(element, parents[-1])
        elif element.local == "c":
            if self.position in self.edits:
                self.cells[self.position] = element
            if self.position[0] in self.edit_rows:
                self.row_cells.setdefault(self.position[0], []).append((self.position[1], element))
        elif element.local == "row":
            self.later_rows.append((self.row, element))
            if self.row in self.edit_rows:
                self.rows[self.row] = element
        elif element.local == "sheetData":
            self.sheet_data = element

    def formula(self, formula: _Element, cell: _Element) -> None:
        position = self.position
        kind, si = formula.attribute("t"), formula.attribute("si")
        written = position in self.edits
        if written:
            self.formulas[position] = formula
        area = _area(formula.attribute("ref"))
        if kind == "shared" and si:
            if area is not None and written:
                self.masters[si] = _Formula(cell, formula, position, area)
            elif si in self.masters and not written:
                self.dependents.setdefault(si, []).append((position, formula))
        elif kind in ("array", "dataTable") and area is not None:
            self.arrays.append(_Formula(cell, formula, position, area))

    def check_arrays(self) -> None:
        """Excel cannot change one cell of an array formula or a data table: the whole of it,
        or none."""
        for array in self.arrays:
            (top, left), (bottom, right) = array.area
            inside = [p for p in self.edits if top <= p[0] <= bottom and left <= p[1] <= right]
            if inside and len(inside) < (bottom - top + 1) * (right - left + 1):
                first = min(inside)
                raise WorkbookError(
                    f"the cell is part of the array formula in {_ref(array.area[0])}:{_ref(array.area[1])}, and "
                    "Excel changes an array formula only as a whole. Replace it with plain formulas or numbers, "
                    "then retry.",
                    sheet=self.sheet,
                    cell=_ref(first),
                )

    def moved_masters(self) -> list[tuple[int, int, bytes]]:
        """A shared formula whose master cell is written lives on in its other cells: the
        first of them becomes the master, with the formula as it reads from there."""
        from openpyxl.formula.translate import Translator, TranslatorError

        changes = []
        for si, master in self.masters.items():
            rest = self.dependents.get(si)
            if not rest:
                continue
            position, formula = rest[0]
            text = "".join(master.formula.text)
            try:
                moved = Translator("=" + text, origin=_ref(master.position)).translate_formula(_ref(position))
            except (TranslatorError, ValueError) as exc:
                raise WorkbookError(
                    f"its shared formula ={text[:80]} cannot be moved to the cells it still fills ({exc}); replace "
                    "it with plain formulas, then retry.",
                    sheet=self.sheet,
                    cell=_ref(master.position),
                ) from None
            rows = [p[0] for p, _ in rest]
            columns = [p[1] for p, _ in rest]
            area = f"{_ref((min(rows), min(columns)))}:{_ref((max(rows), max(columns)))}"
            pairs = master.formula.attributes
            attributes = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2) if pairs[i] != "ref"]
            tag = _start_tag(formula.qname, [*attributes, ("ref", area)], empty=False)
            changes.append(
                (formula.start, formula.end, tag + _escape(moved[1:]).encode() + f"</{formula.qname}>".encode())
            )
        return changes

    def added(self, data: bytes) -> list[tuple[int, int, bytes]]:
        """The cells to write that the sheet does not hold yet: in their row, in column order,
        or in a row of their own, in row order."""
        missing: dict[int, list[Position]] = {}
        for position in sorted(self.edits):
            if position not in self.cells:
                missing.setdefault(position[0], []).append(position)
        changes: list[tuple[int, int, bytes]] = []
        new_rows: list[tuple[int, bytes]] = []
        for row, positions in missing.items():
            element = self.rows.get(row)
            if element is None:
                prefix = self.sheet_data.prefix if self.sheet_data is not None else ""
                cells = b"".join(_cell_xml(prefix, p, "", self.edits[p]) for p in positions)
                new_rows.append((row, f'<{prefix}row r="{row + 1}">'.encode() + cells + f"</{prefix}row>".encode()))
            elif element.empty:
                cells = b"".join(_cell_xml(element.prefix, p, "", self.edits[p]) for p in positions)
                changes.append((element.start, element.end, _opened(data, element) + cells + _closing(element)))
            else:
                existing = sorted(self.row_cells.get(row, []), key=lambda item: item[0])
                for position in positions:
                    after = next((cell.start for column, cell in existing if column > position[1]), element.close)
                    changes.append((after, after, _cell_xml(element.prefix, position, "", self.edits[position])))
        return changes + self._rows_added(data, new_rows)

    def _rows_added(self, data: bytes, new_rows: list[tuple[int, bytes]]) -> list[tuple[int, int, bytes]]:
        if not new_rows:
            return []
        sheet_data = self.sheet_data
        if sheet_data is None:
            raise self.error("it has no sheetData element")
        if sheet_data.empty:
            rows = b"".join(xml for _, xml in new_rows)
            return [(sheet_data.start, sheet_data.end, _opened(data, sheet_data) + rows + _closing(sheet_data))]
        later = sorted(self.later_rows, key=lambda item: item[0])
        changes = []
        for row, xml in new_rows:
            before = next((element.start for number, element in later if number > row), sheet_data.close)
            changes.append((before, before, xml))
        return changes


def _opened(data: bytes, element: _Element) -> bytes:
    """An empty element's tag (``<row r="3"/>``) as a start tag (``<row r="3">``)."""
    return data[element.start : element.content - 2].rstrip() + b">"


def _closing(element: _Element) -> bytes:
    return f"</{element.qname}>".encode()


def _area(ref: str) -> tuple[Position, Position] | None:
    first, _, last = ref.partition(":")
    top_left, bottom_right = _parse_ref(first), _parse_ref(last or first)
    if top_left is None or bottom_right is None:
        return None
    return top_left, bottom_right


def _cell_xml(prefix: str, position: Position, style: str, value: Value) -> bytes:
    """A cell holding ``value``: a number, or text as an inline string (never a formula, never
    a shared string, so the shared strings part is copied as it is)."""
    attributes = f' r="{_ref(position)}"' + (f' s="{_escape(style)}"' if style else "")
    if isinstance(value, str):
        text = _escape(xml_safe(value))
        body = f'<{prefix}is><{prefix}t xml:space="preserve">{text}</{prefix}t></{prefix}is>'
        return f'<{prefix}c{attributes} t="inlineStr">{body}</{prefix}c>'.encode()
    return f"<{prefix}c{attributes}><{prefix}v>{float(value)!r}</{prefix}v></{prefix}c>".encode()
