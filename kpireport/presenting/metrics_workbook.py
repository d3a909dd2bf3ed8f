"""The pack as an Excel metrics workbook (``build --format xlsx``): a new workbook, never the
input, for finance teams to re-sort and re-work.

It holds the JSON's figures as numbers with number formats (percent, money, points), the status
as conditional formats (so colours follow a re-sort), frozen headers, filters and widths; a KGI
sheet, a findings sheet, an actions sheet (for a workbook that tracks actions), and a trends
sheet with native line charts. Written with openpyxl, which kpireport already uses for
``init``, and the tests read the result back with it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from kpireport.model import STATUSES
from kpireport.presenting.clipping import xml_safe
from kpireport.presenting.office_faces import JAPANESE_FACE, LATIN_FACE
from kpireport.presenting.sheet_layout import fit_columns
from kpireport.presenting.view import PackView

HEADER_FILL = "1F3A5F"
RIGHT = Alignment(horizontal="right")
MAX_SHEET_NAME = 31
TREND_BLOCK_ROWS = 16  # a chart is 15 rows tall; one KPI's data block and chart per block
RELATIVE = "+0.0%;-0.0%;0.0%"  # a relative change; a percent KPI's change is in points instead
DEFAULT_SIZE = 11
LANDSCAPE_POINTS = {"A4": (842.0, 595.0), "A3": (1191.0, 842.0), "Letter": (792.0, 612.0), "Legal": (1008.0, 612.0)}
PAPER_SIZES = {"A4": Worksheet.PAPERSIZE_A4, "A3": Worksheet.PAPERSIZE_A3, "Letter": Worksheet.PAPERSIZE_LETTER,
               "Legal": Worksheet.PAPERSIZE_LEGAL}  # fmt: skip
# Margins in inches, and the page left for a sheet within them on A4 (points): what the trends
# sheet's page breaks are worked out against.
MARGIN, TOP_MARGIN = 0.4, 0.6
PORTRAIT_WIDE = 95.0  # digit widths: a sheet wider than this is printed landscape
POINTS_PER_WIDTH = 5.9  # one digit of an 11-point Arial-like face (8 px), in points, less a little: the
# sheet is then taken as a little narrower than it is, so a page is given no more KPIs than it holds
ROW_POINTS = 15.0
EAST_ASIAN_ROW_POINTS = 18.75  # a row of Meiryo text
CHART_POINTS = 14.0 / 2.54 * 72


def _printable(book: Workbook, paper: str) -> None:
    """Printed or exported to PDF, each sheet is on the theme's paper (A4 unless it says
    otherwise), runs across the page rather than in strips, landscape where it is wide."""
    for sheet in book.worksheets:
        sheet.page_setup.paperSize = PAPER_SIZES.get(paper, Worksheet.PAPERSIZE_A4)
        sheet.page_setup.orientation = "landscape" if _width(sheet) > PORTRAIT_WIDE else "portrait"
        sheet.page_margins = PageMargins(left=MARGIN, right=MARGIN, top=TOP_MARGIN, bottom=TOP_MARGIN)
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        if sheet.freeze_panes:  # a sheet with a header row repeats it on every printed page
            sheet.print_title_rows = "1:1"


def _width(sheet: Worksheet) -> float:
    """The sheet's width in digit widths: its columns', and a chart's beside them."""
    columns = sum(d.width or 0 for d in sheet.column_dimensions.values())
    return columns + (CHART_POINTS / POINTS_PER_WIDTH + 4 if sheet._charts else 0)


def _default_face(book: Workbook, face: str) -> None:
    """The pack's face as the new workbook's default (openpyxl's is Calibri, which has no
    Japanese and, where it is missing, is replaced by a wider face). The default face's digit
    is the unit of column widths, in Excel and LibreOffice alike, so the widths fit_columns
    works out for that face hold wherever the workbook is opened. openpyxl sets it only
    through these two attributes, before any cell has a style."""
    default = Font(name=face, size=DEFAULT_SIZE, family=2)
    book._fonts = IndexedList([default])
    book._named_styles["Normal"].font = default


def _face(view: PackView) -> str:
    """The pack's face: Meiryo for a Japanese pack, else the theme's font or Arial."""
    return JAPANESE_FACE if view.lang == "ja" else view.font_family or LATIN_FACE


def _bold(view: PackView, colour: str | None = None) -> Font:
    """A bold font in the pack's face, named: a font openpyxl is given unnamed is drawn by
    LibreOffice in a serif, not in the workbook's default face."""
    return Font(name=_face(view), size=DEFAULT_SIZE, bold=True, color=colour)


def _no_formulas(book: Workbook) -> None:
    """Workbook text that starts with = (a KPI named "=HYPERLINK(…)") stays text: openpyxl
    would write it as a formula, and this workbook holds none."""
    for sheet in book.worksheets:
        # The cells written: iter_rows would make an empty cell in every gap of the sheet.
        for cell in sheet._cells.values():
            if cell.data_type == "f":
                cell.data_type = "s"


def _write_row(sheet: Worksheet, number: int, row: Sequence[tuple[object, str]]) -> None:
    """Row ``number``: each (value, number format) of ``row`` from column A on. The caller
    counts the rows: openpyxl's ``max_row`` walks every cell of the sheet each time it is
    asked (a 1,000-KPI workbook spent 12 s asking it once a cell)."""
    for col, (value, number_format) in enumerate(row, start=1):
        sheet.cell(row=number, column=col, value=value).number_format = number_format


def _header(sheet: Worksheet, titles: Sequence[str], view: PackView) -> None:
    """The header row, two lines tall: each column is then made as wide as its figures and
    its title wrapped on those two lines (see :func:`fit_columns`)."""
    sheet.append(list(titles))
    for col in range(1, len(titles) + 1):
        cell = sheet.cell(row=1, column=col)
        cell.font = _bold(view, "FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[1].height = 30


def _kpi_sheet(sheet: Worksheet, view: PackView) -> None:
    t = view.labels
    columns = [
        "id", t["kpi"], t["department"], t["target"], t["actual"], t["attainment"], t["status"], t["variance"],
        t["mom"], t["mom"] + " %", t["legend_prior"], t["yoy"], f"{t['qtd']} {t['target']}",
        f"{t['qtd']} {t['actual']}", f"{t['qtd']} {t['attainment']}", f"{t['ytd']} {t['target']}",
        f"{t['ytd']} {t['actual']}", f"{t['ytd']} {t['attainment']}", t["forecast"], t["outlook"],
    ]  # fmt: skip
    _header(sheet, columns, view)
    last = 1
    for department in view.departments:
        for kpi in department.rows:
            n = kpi.figures
            value, change = n.value_format, n.change_format
            # A percent KPI's change on last year is in points (+0.4pt), as the PDF shows it.
            yoy = (n.yoy_points, change) if n.yoy_points is not None else (n.yoy_pct, RELATIVE)
            row = [
                (xml_safe(kpi.id), "@"), (kpi.name, "@"), (department.name, "@"),
                (n.target, value), (n.actual, value), (n.attainment, "0.0%"),
                (kpi.chip.label, "@"), (n.variance, change),
                (n.mom, change), (n.mom_pct, RELATIVE),
                (n.prior, value), yoy,
                (n.qtd_target, value), (n.qtd_actual, value), (n.qtd_attainment, "0.0%"),
                (n.ytd_target, value), (n.ytd_actual, value), (n.ytd_attainment, "0.0%"),
                (n.projected, value), (n.outlook, value),
            ]  # fmt: skip
            last += 1
            _write_row(sheet, last, row)
    # Status colours as rules on the cell's text, so a re-sorted or filtered sheet keeps them.
    status_column = get_column_letter(7)
    for status in STATUSES:
        colour = view.palette.status(status)
        sheet.conditional_formatting.add(
            f"{status_column}2:{status_column}{max(last, 2)}",
            CellIsRule(
                operator="equal",
                formula=[_quoted(view.labels[f"status.{status}"])],
                fill=PatternFill("solid", fgColor=colour.lstrip("#").upper(), bgColor=colour.lstrip("#").upper()),
                font=Font(bold=True, color="FFFFFF"),
            ),
        )
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"
    fit_columns(sheet, filtered=True)


def _quoted(text: str) -> str:
    """A text constant in a conditional-format formula."""
    return '"' + text.replace('"', '""') + '"'


def _kgi_sheet(sheet: Worksheet, view: PackView) -> None:
    t = view.labels
    _header(sheet, ["id", t["kgi"], t["target"], t["actual"], t["progress"], t["expected"], t["status"],
                    t["run_rate"], t["outlook"], t["formula"], t["planned"]], view)  # fmt: skip
    for number, card in enumerate(view.kgis, start=2):
        n = card.figures
        value = n.value_format  # the goal's unit: ¥1,360,000,000, 600 customers
        row = [
            (xml_safe(card.id), "@"), (card.name, "@"), (n.target, value), (n.actual, value), (n.progress, "0.0%"),
            (n.expected, "0.0%"), (card.state, "@"), (n.projected, value), (n.outlook, value),
            (xml_safe(n.formula), "@"), (n.planned, value),
        ]  # fmt: skip
        _write_row(sheet, number, row)
    sheet.freeze_panes = "C2"
    fit_columns(sheet)


def _findings_sheet(sheet: Worksheet, view: PackView) -> None:
    t = view.labels
    _header(sheet, [t["code"], t["status"], t["kpi"], t["kgi"], t["where"], t["finding"], t["suggestion"]], view)
    last = 1
    for group in view.finding_groups:
        for f in group.findings:
            sheet.append([f.code, group.label, xml_safe(f.kpi or ""), xml_safe(f.kgi or ""), str(f.where or ""),
                          xml_safe(f.message), xml_safe(f.suggestion)])  # fmt: skip
            last += 1
            for col in (6, 7):
                sheet.cell(row=last, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:G{last}"
    fit_columns(sheet, filtered=True, wrapped={6: 70, 7: 60})


def _actions_sheet(sheet: Worksheet, view: PackView) -> None:
    """SPEC §3c: every action in the month's pack, its dates as dates and its figures as numbers
    in its target's format; where it stands coloured by a rule on the text, as the KPI sheet's
    status is."""
    t = view.labels
    columns = [
        "id", f"{t['action_target']} (id)", t["action_target"], t["action"], t["owner"], t["opened"], t["due"],
        t["status"], t["action.overdue"], t["action.due_soon"], t["closed"], f"{t['before']} ({t['month']})",
        f"{t['before']} {t['actual']}", f"{t['before']} {t['attainment']}", f"{t['now']} {t['actual']}",
        f"{t['now']} {t['attainment']}", t["moved"], t["expected_value"], t["reached"],
    ]  # fmt: skip
    _header(sheet, columns, view)
    yes, no = t["yes"], t["no"]
    chips = {}
    last = 1
    for a in view.tracked_actions.every:
        n = a.figures
        chips[a.chip.label] = a.chip.status
        row = [
            (xml_safe(a.id), "@"), (xml_safe(a.target_id), "@"), (a.target, "@"), (a.action, "@"), (a.owner, "@"),
            (n.opened, "yyyy-mm"), (n.due, "yyyy-mm-dd"), (a.chip.label, "@"), (yes if a.overdue else no, "@"),
            (yes if a.due_soon else no, "@"), (n.closed, "yyyy-mm-dd"), (n.baseline_month, "@"),
            (n.baseline_actual, n.value_format), (n.baseline_attainment, "0.0%"), (n.latest_actual, n.value_format),
            (n.latest_attainment, "0.0%"), (a.moved, "@"), (n.expected, n.value_format), (a.reached, "@"),
        ]  # fmt: skip
        last += 1
        _write_row(sheet, last, row)
        sheet.cell(row=last, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    for label, status in chips.items():
        colour = view.palette.status(status).lstrip("#").upper()
        sheet.conditional_formatting.add(
            f"H2:H{max(last, 2)}",
            CellIsRule(
                operator="equal",
                formula=[_quoted(label)],
                fill=PatternFill("solid", fgColor=colour, bgColor=colour),
                font=Font(bold=True, color="FFFFFF"),
            ),
        )
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    fit_columns(sheet, filtered=True, wrapped={4: 40})


def _trends_sheet(sheet: Worksheet, view: PackView) -> None:
    """Each KPI's fiscal year (actual, target, last year) as rows of numbers with a native line
    chart beside them."""
    t = view.labels
    row = 1
    titles = []
    for page in view.trend_pages:
        for trend in page.charts:
            titles.append(row)
            sheet.cell(row=row, column=1, value=trend.name).font = _bold(view)
            sheet.cell(row=row + 1, column=1, value=t["month"])
            for col, month in enumerate(trend.months, start=2):
                # over the right edge of its figures, as a table's header is
                sheet.cell(row=row + 1, column=col, value=month).alignment = RIGHT
            series = ((t["legend_actual"], trend.actual), (t["legend_target"], trend.target),
                      (t["legend_prior"], trend.prior))  # fmt: skip
            for offset, (name, values) in enumerate(series, start=2):
                sheet.cell(row=row + offset, column=1, value=name)
                for col, value in enumerate(values, start=2):
                    cell = sheet.cell(row=row + offset, column=col, value=value)
                    cell.number_format = trend.number_format
            chart = LineChart()
            chart.title = trend.name
            chart.height, chart.width = 7.0, 14.0
            chart.y_axis.number_format = trend.number_format
            chart.y_axis.delete = False
            chart.x_axis.delete = False
            last_col = len(trend.months) + 1
            values = Reference(sheet, min_col=1, max_col=last_col, min_row=row + 2, max_row=row + 4)
            chart.add_data(values, from_rows=True, titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=2, max_col=last_col, min_row=row + 1))
            palette = view.palette
            for line, colour, dash in zip(chart.series, (palette.line, palette.target, "B9C0CA"), (None, "dash", None),
                                          strict=True):  # fmt: skip
                line.graphicalProperties.line.solidFill = colour.lstrip("#").upper()
                line.graphicalProperties.line.width = 22000
                if dash:
                    line.graphicalProperties.line.dashStyle = dash
                line.smooth = False
            sheet.add_chart(chart, f"{get_column_letter(last_col + 2)}{row}")
            row += TREND_BLOCK_ROWS
    # The KPI's name runs over the empty cells beside it; the columns fit the figures.
    fit_columns(sheet, header=False, skip_rows=titles)
    # Every row its face's height, set rather than left to the application (LibreOffice without
    # Meiryo makes them shorter), so the page breaks fall where they were worked out.
    row_points = EAST_ASIAN_ROW_POINTS if view.lang == "ja" else ROW_POINTS
    sheet.sheet_format.defaultRowHeight = row_points
    sheet.sheet_format.customHeight = True
    _break_between_blocks(sheet, len(titles), view.paper_size, row_points)


def _break_between_blocks(sheet: Worksheet, blocks: int, paper: str, row_points: float) -> None:
    """Page breaks between KPIs, never through one: as many blocks to a page as the page,
    scaled to the sheet's width, holds."""
    page_width, page_height = LANDSCAPE_POINTS.get(paper, LANDSCAPE_POINTS["A4"])
    printable_width = page_width - 2 * MARGIN * 72
    printable_height = page_height - 2 * TOP_MARGIN * 72
    scale = min(1.0, printable_width / (_width(sheet) * POINTS_PER_WIDTH))
    per_page = max(1, int(printable_height / (TREND_BLOCK_ROWS * row_points * scale)))
    for block in range(per_page, blocks, per_page):
        sheet.row_breaks.append(Break(id=block * TREND_BLOCK_ROWS))


def _quarterly_sheet(sheet: Worksheet, view: PackView) -> None:
    """The quarterly review: each KPI's months of the quarter, its QTD and the change on the
    same months of the last quarter, as numbers."""
    quarter = view.quarterly
    assert quarter is not None
    t = view.labels
    _header(sheet, ["id", t["kpi"], *quarter.months, f"{t['qtd']} {t['actual']}", f"{t['qtd']} {t['attainment']}",
                    t["qoq"], t["qoq"] + " %"], view)  # fmt: skip
    for number, line in enumerate(quarter.lines, start=2):
        n = line.figures
        assert n is not None
        row = [(xml_safe(line.kpi), "@"), (line.name, "@"), *((v, n.value_format) for v in n.actuals),
               (n.qtd_actual, n.value_format), (n.qtd_attainment, "0.0%"), (n.change, n.change_format),
               (n.change_pct, RELATIVE)]  # fmt: skip
        _write_row(sheet, number, row)
    sheet.freeze_panes = "C2"
    fit_columns(sheet)


def _commentary_sheet(sheet: Worksheet, view: PackView) -> None:
    """The key messages and each subject's comment: its text, whose words (drafted or the
    controller's) and the JSON fields its figures come from."""
    t = view.labels
    _header(sheet, [t["subject"], t["commentary"], t["source"], t["refs"]], view)
    rows = [("*", m) for m in view.key_messages]
    rows += [(card.id, card.commentary) for card in view.kgis if card.commentary]
    rows += [(row.id, row.commentary) for dept in view.departments for row in dept.rows if row.commentary]
    for number, (subject, note) in enumerate(rows, start=2):
        source = t["drafted"] if note.drafted else t["controller"]
        sheet.append([xml_safe(subject), xml_safe(note.text), source, " ".join(note.refs)])
        for col in (2, 4):
            sheet.cell(row=number, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    fit_columns(sheet, wrapped={2: 90, 4: 40})


def render_xlsx(view: PackView) -> bytes:
    """The metrics workbook of one pack, from its view model: the figures as numbers in the
    formats the view decided, in the order and with the labels the pack shows."""
    t = view.labels
    book = Workbook()
    _default_face(book, _face(view))
    kpis = book.active
    assert kpis is not None
    kpis.title = t["kpi"][:MAX_SHEET_NAME]
    _kpi_sheet(kpis, view)
    _kgi_sheet(book.create_sheet(t["kgi"][:MAX_SHEET_NAME]), view)
    _commentary_sheet(book.create_sheet(t["commentary"][:MAX_SHEET_NAME]), view)
    _findings_sheet(book.create_sheet(t["findings"][:MAX_SHEET_NAME]), view)
    if view.tracked_actions.tracked:
        _actions_sheet(book.create_sheet(t["actions"][:MAX_SHEET_NAME]), view)
    _trends_sheet(book.create_sheet(t["trends"][:MAX_SHEET_NAME]), view)
    if view.quarterly is not None:
        _quarterly_sheet(book.create_sheet(t["quarterly"][:MAX_SHEET_NAME]), view)
    _no_formulas(book)
    _printable(book, view.paper_size)
    book.properties.title = view.title
    book.properties.creator = view.company
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
