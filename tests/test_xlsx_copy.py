"""A copy of the user's workbook with some cells written (SPEC §3b "A `--write` copy"): only
the cells written change; every other part of the package survives byte for byte. Workbooks
are made with openpyxl, then their parts edited as Excel would write them (shared and array
formulas, a calculation chain, macros, inline namespaces), and read back with openpyxl and
zipfile."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import minimal_sheets, write_sheets
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.workbook.defined_name import DefinedName
from PIL import Image as PilImage

from kpireport.delivering.xlsx_copy import edited_copy, write_copy
from kpireport.errors import WorkbookError

TARGETS = "xl/worksheets/sheet4.xml"  # minimal_sheets: Settings, KGI, KPI, Targets, Actuals, Comments
WORKBOOK = "xl/workbook.xml"


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every CRC and size true
        return {name: archive.read(name) for name in archive.namelist()}


def repack(data: bytes, edit: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The package with ``edit(name, bytes)``'s new bytes (None keeps a part) and ``extra`` parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in parts(data).items():
            out.writestr(name, edit(name, content) or content)
        for name, content in (extra or {}).items():
            out.writestr(name, content)
    return buffer.getvalue()


def values(data: bytes, sheet: str = "Targets") -> dict[str, object]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {c.coordinate: c.value for row in book[sheet].iter_rows() for c in row if c.value is not None}


@pytest.fixture
def team_book(tmp_path: Path) -> bytes:
    """The minimal workbook as a team keeps it: a chart and a picture on the Targets sheet, a
    defined name, a macro project and a calculation chain."""
    path = write_sheets(tmp_path / "book.xlsx", minimal_sheets())
    book = openpyxl.load_workbook(path)
    targets = book["Targets"]
    chart = BarChart()
    chart.add_data(Reference(targets, min_col=2, max_col=13, min_row=2, max_row=3), from_rows=True)
    targets.add_chart(chart, "B6")
    picture = io.BytesIO()
    PilImage.new("RGB", (4, 3), "red").save(picture, format="PNG")
    targets.add_image(Image(picture), "H6")
    book.defined_names["PlanYear"] = DefinedName("PlanYear", attr_text="Targets!$B$2:$M$2")
    targets["N2"] = "=SUM(B2:M2)"
    book.save(path)
    chain = (
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="N2" i="4"/></calcChain>'
    )

    def wire(name: str, content: bytes) -> bytes | None:
        if name == WORKBOOK:  # as Excel writes it (openpyxl asks for a full calculation already)
            return content.replace(b'<calcPr calcId="124519" fullCalcOnLoad="1"/>', b'<calcPr calcId="191029"/>')
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'calcChain" Target="calcChain.xml"/><Relationship Id="rIdV" Type="http://schemas.microsoft.com/'
                b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
            )
        if name == "[Content_Types].xml":
            return content.replace(
                b"</Types>",
                b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                b'spreadsheetml.calcChain+xml"/><Default Extension="bin" ContentType="application/vnd.ms-office.'
                b'vbaProject"/></Types>',
            )
        return None

    return repack(path.read_bytes(), wire, {"xl/calcChain.xml": chain, "xl/vbaProject.bin": bytes(range(256)) * 40})


def test_only_the_cells_written_change_and_every_other_part_survives_byte_for_byte(team_book: bytes) -> None:
    copy, copied = edited_copy(team_book, "book.xlsx", {"Targets": {"B2": 125.0, "C2": 130.5}})
    before, after = parts(team_book), parts(copy)
    assert list(after) == list(before)  # same parts, same order: the chart, picture and macros too
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == [WORKBOOK, TARGETS]
    assert {"xl/charts/chart1.xml", "xl/media/image1.png", "xl/vbaProject.bin", "xl/calcChain.xml"} <= set(after)
    old, new = values(team_book), values(copy)
    assert new == {**old, "B2": 125, "C2": 130.5}
    assert copied.cells == 2 and copied.replaced_formulas == 0
    # The workbook part gains only the instruction to recalculate (N2 sums the cells written).
    assert after[WORKBOOK].replace(b' fullCalcOnLoad="1"', b"") == before[WORKBOOK]
    assert b'<calcPr calcId="191029" fullCalcOnLoad="1"/>' in after[WORKBOOK]
    assert b"<definedName" in after[WORKBOOK] and b"PlanYear" in after[WORKBOOK]
    book = openpyxl.load_workbook(io.BytesIO(copy))
    assert (
        book["Targets"]["B2"].number_format
        == openpyxl.load_workbook(io.BytesIO(team_book))["Targets"]["B2"].number_format
    )
    assert book.calculation.fullCalcOnLoad is True


def test_a_formula_cell_written_drops_the_calculation_chain(team_book: bytes) -> None:
    copy, copied = edited_copy(team_book, "book.xlsx", {"Targets": {"N2": 1200.0}})
    after = parts(copy)
    assert copied.replaced_formulas == 1 and values(copy)["N2"] == 1200
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert after["xl/vbaProject.bin"] == parts(team_book)["xl/vbaProject.bin"]


def test_text_is_written_as_text_in_new_cells_and_rows(tmp_path: Path) -> None:
    data = write_sheets(tmp_path / "book.xlsx", minimal_sheets()).read_bytes()
    hostile = "=cmd|' /C calc'!A0"
    edits = {"Comments": {"F2": hostile, "A3": "K2", "C3": "http://127.0.0.1/x", "B9": "<b>&amp;</b>\x07"}}
    copy, _ = edited_copy(data, "book.xlsx", edits)
    book = openpyxl.load_workbook(io.BytesIO(copy))
    sheet = book["Comments"]
    assert (sheet["F2"].value, sheet["F2"].data_type) == (hostile, "s")
    assert sheet["A3"].value == "K2" and sheet["C3"].value == "http://127.0.0.1/x" and sheet["C3"].hyperlink is None
    assert sheet["B9"].value == "<b>&amp;</b>\ufffd"  # a control character XML cannot hold
    assert sheet["A2"].value == "K1" and sheet["C2"].value == "Strong June"  # the row's other cells stay
    xml = parts(copy)["xl/worksheets/sheet6.xml"]
    assert b"<f>" not in xml and b't="inlineStr"' in xml
    assert list(parts(copy)) == list(parts(data))  # no shared strings part added: text goes inline


def test_a_shared_formula_whose_master_is_written_moves_to_its_next_cell(tmp_path: Path) -> None:
    # K1's targets from May: each the month before (C2 = B2, D2 = C2, ...), one shared formula
    # whose master is C2. Writing C2:G2 leaves H2:M2, whose formula now starts at H2 (= G2).
    data = write_sheets(tmp_path / "book.xlsx", minimal_sheets()).read_bytes()

    def share(name: str, content: bytes) -> bytes | None:
        if name != TARGETS:
            return None
        start = content.index(b'<c r="C2"')
        end = content.index(b"</row>", start)
        cells = b'<c r="C2"><f t="shared" ref="C2:M2" si="0">B2</f><v>100</v></c>'
        cells += b"".join(f'<c r="{col}2"><f t="shared" si="0"/><v>100</v></c>'.encode() for col in "DEFGHIJKLM")
        return content[:start] + cells + content[end:]

    shared = repack(data, share)
    copy, copied = edited_copy(shared, "book.xlsx", {"Targets": {f"{col}2": 90.0 for col in "CDEFG"}})
    assert copied.replaced_formulas == 5
    sheet = openpyxl.load_workbook(io.BytesIO(copy))["Targets"]
    assert [sheet[f"{col}2"].value for col in "BCDEFG"] == [100, 90, 90, 90, 90, 90]
    assert [sheet[f"{col}2"].value for col in "HIJKLM"] == ["=G2", "=H2", "=I2", "=J2", "=K2", "=L2"]
    assert b'<f t="shared" si="0" ref="H2:M2">G2</f>' in parts(copy)[TARGETS]


def test_one_cell_of_an_array_formula_is_refused_naming_it(tmp_path: Path) -> None:
    data = write_sheets(tmp_path / "book.xlsx", minimal_sheets()).read_bytes()

    def array(name: str, content: bytes) -> bytes | None:
        if name != TARGETS:
            return None
        return content.replace(
            b'<c r="B2" t="n"><v>100</v></c>', b'<c r="B2"><f t="array" ref="B2:D2">{1,2,3}</f><v>1</v></c>'
        )

    with pytest.raises(WorkbookError, match=r"^Targets!C2: the cell is part of the array formula in B2:D2"):
        edited_copy(repack(data, array), "book.xlsx", {"Targets": {"C2": 5.0}})
    whole, _ = edited_copy(repack(data, array), "book.xlsx", {"Targets": {"B2": 5.0, "C2": 6.0, "D2": 7.0}})
    assert [values(whole)[c] for c in ("B2", "C2", "D2")] == [5, 6, 7]


def test_a_sheet_with_a_namespace_prefix_and_cells_without_references(tmp_path: Path) -> None:
    data = write_sheets(tmp_path / "book.xlsx", minimal_sheets()).read_bytes()
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="' + main + b'"><x:sheetData>'
        b'<x:row r="1"><x:c t="inlineStr"><x:is><x:t>id</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>2026-04'
        b'</x:t></x:is></x:c></x:row><x:row><x:c t="inlineStr"><x:is><x:t>K1</x:t></x:is></x:c><x:c><x:v>100'
        b'</x:v></x:c><x:c s="0"><x:v>100</x:v></x:c></x:row><x:row r="4"/></x:sheetData></x:worksheet>'
    )
    copy, _ = edited_copy(repack(data, lambda n, c: sheet if n == TARGETS else None), "b.xlsx",
                          {"Targets": {"C2": 7.0, "B4": 8.0, "A6": "new row"}})  # fmt: skip
    assert values(copy) == {"A1": "id", "B1": "2026-04", "A2": "K1", "B2": 100, "C2": 7, "B4": 8, "A6": "new row"}
    written = parts(copy)[TARGETS]
    assert b'<x:c r="C2" s="0"><x:v>7.0</x:v></x:c>' in written and b'<x:row r="6">' in written


@pytest.mark.parametrize(
    ("cells", "content"),
    [
        (b'<c r="A1" s="999"><v>1</v></c>', "a style past the table"),
        (b'<c r="A1" t="s"><v>99999</v></c>', "a shared string past the table"),
        (b'<c r="A1" t="d"><v>2026-13-45</v></c>', "a date that is no date"),
        (b'<c r="A1" t="x"><v>?</v></c><c r="ZZZ99999999"/>', "a type and a cell that are not"),
    ],
)
def test_odd_cells_on_a_sheet_not_written_do_not_matter(tmp_path: Path, cells: bytes, content: str) -> None:
    data = write_sheets(tmp_path / "book.xlsx", minimal_sheets()).read_bytes()
    odd = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    odd += cells + b"</row></sheetData></worksheet>"
    book = repack(data, lambda n, c: odd if n == "xl/worksheets/sheet6.xml" else None)  # Comments: not written
    copy, _ = edited_copy(book, "book.xlsx", {"Targets": {"B2": 1.0}})
    assert parts(copy)["xl/worksheets/sheet6.xml"] == odd, content


def test_write_copy_writes_whole_and_never_touches_the_source(tmp_path: Path, team_book: bytes) -> None:
    source = tmp_path / "team.xlsx"
    source.write_bytes(team_book)
    copied = write_copy(source, tmp_path / "copy.xlsx", {"Targets": {"B2": 1.0}})
    assert copied.cells == 1 and source.read_bytes() == team_book
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "copy.xlsx", "team.xlsx"]
    with pytest.raises(WorkbookError, match="Targetz: the sheet's XML part cannot be found"):
        write_copy(source, tmp_path / "other.xlsx", {"Targetz": {"B2": 1.0}})
    assert not (tmp_path / "other.xlsx").exists()


def test_a_workbook_without_calculation_properties_gets_them_after_its_defined_names(tmp_path: Path) -> None:
    data = write_sheets(tmp_path / "book.xlsx", minimal_sheets()).read_bytes()
    bare = repack(
        data, lambda n, c: c.replace(b'<calcPr calcId="124519" fullCalcOnLoad="1"/>', b"") if n == WORKBOOK else None
    )
    copy, _ = edited_copy(bare, "book.xlsx", {"Targets": {"B2": 1.0}})
    assert parts(copy)[WORKBOOK].endswith(b'<definedNames/><calcPr fullCalcOnLoad="1"/></workbook>')
    unchanged, _ = edited_copy(data, "book.xlsx", {"Targets": {"B2": 1.0}})
    assert parts(unchanged)[WORKBOOK] == parts(data)[WORKBOOK]  # already recalculates on load


def test_a_new_sheet_is_added_after_the_others_with_its_text_as_text(team_book: bytes) -> None:
    # draft --write's Commentary sheet, when the workbook has none (SPEC §3b).
    rows = {"A1": "subject", "B1": "month", "C1": "text", "A2": "K1", "B2": "2026-06", "C2": "=cmd|' /C calc'!A0"}
    copy, copied = edited_copy(team_book, "book.xlsx", {}, {"Commentary": rows})
    assert copied.cells == 6
    book = openpyxl.load_workbook(io.BytesIO(copy))
    assert book.sheetnames == ["Settings", "KGI", "KPI", "Targets", "Actuals", "Comments", "Commentary"]
    assert values(copy, "Commentary") == rows and book["Commentary"]["C2"].data_type == "s"
    before, after = parts(team_book), parts(copy)
    assert sorted(name for name in before if before[name] != after[name]) == sorted(
        ["[Content_Types].xml", WORKBOOK, "xl/_rels/workbook.xml.rels"]
    )
    assert set(after) - set(before) == {"xl/worksheets/sheet7.xml"}
    with pytest.raises(WorkbookError, match="already has a sheet named 'comments'"):
        edited_copy(team_book, "book.xlsx", {}, {"comments": rows})  # Excel's names ignore case
    with pytest.raises(ValueError, match="cannot name a sheet"):
        edited_copy(team_book, "book.xlsx", {}, {"Q1/Q2": rows})
