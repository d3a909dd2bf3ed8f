"""XML parts of an .xlsx read where they stand in their bytes (expat's byte offsets), so a
copy can splice its changes in place and keep every other byte as it was; the namespaces and
names of the parts the copy edits."""

from __future__ import annotations

import html
import posixpath
import pyexpat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kpireport.errors import WorkbookError

MAX_EDITED_PART_BYTES = 256 * 1024 * 1024

MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)
# Excel's rules for a sheet's name: at most 31 characters, none of these, not quoted.
SHEET_NAME_CHARS = 31
NOT_IN_SHEET_NAMES = set("[]:*?/\\")
CALC_CHAIN = "/calcChain"
OFFICE_DOCUMENT = "/officeDocument"


# -- XML elements and where they stand in their part's bytes -----------------------------------


@dataclass
class Element:
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


class Walker:
    """Expat over a whole part, with each element's namespace resolved from the declarations
    in scope and its byte span measured. ``visit(element, parents)`` is called at each
    element's end (its span then known); ``keep_text`` names the local names whose text is
    collected."""

    def __init__(self, data: bytes, visit: Callable[[Element, list[Element]], None], keep_text: frozenset[str],
                 error: Callable[[str], WorkbookError]) -> None:  # fmt: skip
        self.data = data
        self.visit = visit
        self.keep_text = keep_text
        self.error = error
        self.open: list[Element] = []
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
        content = tag_end(self.data, index)
        element = Element(qname, scope.get(prefix, ""), local, attributes, index, content)
        element.empty = self.data[content - 2 : content - 1] == b"/"
        self.open.append(element)

    def end(self, qname: str) -> None:
        element = self.open.pop()
        self.scopes.pop()
        if element.empty:
            element.end = element.close = element.content
        else:
            element.close = self.parser.CurrentByteIndex
            element.end = tag_end(self.data, element.close)
        self.visit(element, self.open)

    def characters(self, text: str) -> None:
        if self.open and self.open[-1].local in self.keep_text:
            self.open[-1].text.append(text)


def tag_end(data: bytes, start: int) -> int:
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


def elements_of(data: bytes, error: Callable[[str], WorkbookError]) -> list[Element]:
    """Every element of a small part (relationships, content types, the workbook part)."""
    found: list[Element] = []
    Walker(data, lambda element, parents: found.append(element), frozenset(), error).run()
    return found


def splice(data: bytes, changes: Sequence[tuple[int, int, bytes]]) -> bytes:
    """``data`` with each (start, end, new bytes) in place of its span; spans do not overlap,
    and several insertions at one place (start == end) keep their order."""
    pieces: list[bytes] = []
    position = 0
    for start, end, new in sorted(changes, key=lambda change: (change[0], change[1])):
        pieces += [data[position:start], new]
        position = end
    pieces.append(data[position:])
    return b"".join(pieces)


def before_end(data: bytes, local: str, uri: str, new: bytes, error: Callable[[str], WorkbookError]) -> bytes:
    """``data`` with ``new`` as the last child of its ``local`` root element."""
    root = next((e for e in elements_of(data, error) if e.local == local and e.uri == uri), None)
    if root is None or root.empty:
        raise error(f"its {local} part cannot take one more entry")
    return splice(data, [(root.close, root.close, new)])


def check_new_sheet_name(name: str, existing: Sequence[str]) -> None:
    """A name Excel accepts for a new sheet: not one it has (ignoring case, as Excel does)."""
    bad = sorted(set(name) & NOT_IN_SHEET_NAMES)
    if not name or len(name) > SHEET_NAME_CHARS or bad or name.startswith("'") or name.endswith("'"):
        raise ValueError(f"{name!r} cannot name a sheet: 1 to 31 characters, none of [ ] : * ? / \\")
    if name.casefold() in {n.casefold() for n in existing}:
        raise WorkbookError(f"the workbook already has a sheet named {name!r}; a new one cannot take its name.")


def without(data: bytes, elements: Sequence[Element]) -> bytes:
    return splice(data, [(e.start, e.end, b"") for e in elements])


def full_calc_on_load(data: bytes, error: Callable[[str], WorkbookError]) -> bytes:
    """The workbook part with ``<calcPr fullCalcOnLoad="1">``: Excel recomputes every formula
    when it opens the copy, so none shows a value computed from the cells before."""
    elements = elements_of(data, error)
    calc = next((e for e in elements if e.local == "calcPr" and e.uri in MAIN), None)
    if calc is not None:
        if calc.attribute("fullCalcOnLoad") in ("1", "true"):
            return data
        attributes = [(calc.attributes[i], calc.attributes[i + 1]) for i in range(0, len(calc.attributes) - 1, 2)]
        kept = [(k, v) for k, v in attributes if k != "fullCalcOnLoad"]
        tag = start_tag(calc.qname, [*kept, ("fullCalcOnLoad", "1")], empty=calc.empty)
        return splice(data, [(calc.start, calc.content, tag)])
    workbook = next((e for e in elements if e.local == "workbook" and e.uri in MAIN), None)
    if workbook is None:
        raise error("its workbook part has no workbook element")
    # calcPr follows these in the workbook's schema; it goes after the last one present.
    before = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
              "functionGroups", "externalReferences", "definedNames")  # fmt: skip
    children = [e for e in elements if e.local in before and e.uri in MAIN]
    where = max((e.end for e in children), default=workbook.content)
    return splice(data, [(where, where, start_tag(f"{workbook.prefix}calcPr", [("fullCalcOnLoad", "1")], empty=True))])


def escape_xml(text: str) -> str:
    """Text fit for XML content or a double-quoted attribute (``html`` escapes the same five
    characters XML needs; ``xml.sax.saxutils`` would import ``urllib.request``, 25 ms at start)."""
    return html.escape(text, quote=True)


def start_tag(qname: str, attributes: Sequence[tuple[str, str]], *, empty: bool) -> bytes:
    text = "<" + qname + "".join(f' {key}="{escape_xml(value)}"' for key, value in attributes)
    return (text + ("/>" if empty else ">")).encode("utf-8")


def rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def target_of(part: str, target: str) -> str:
    """A relationship's target, relative to ``part``'s folder unless it starts with ``/``."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
