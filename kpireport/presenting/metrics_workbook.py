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
from openpyxl.worksheet.worksheet import Worksheet

from kpireport.model import STATUSES
from kpireport.presenting.clipping import xml_safe
from kpireport.presenting.view import PackView

HEADER_FILL = "1F3A5F"
MAX_SHEET_NAME = 31
TREND_BLOCK_ROWS = 16  # a chart is 15 rows tall; one KPI's data block and chart per block
RELATIVE = "+0.0%;-0.0%;0.0%"  # a relative change; a percent KPI's change is in points instead


def _printable(book: Workbook) -> None:
    """Printed or exported to PDF, each sheet runs across the page, landscape, not in strips."""
    for sheet in book.worksheets:
        sheet.page_setup.orientation = "landscape"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0


def _no_formulas(book: Workbook) -> None:
    """Workbook text that starts with = (a KPI named "=HYPERLINK(…)") stays text: openpyxl
    would write it as a formula, and this workbook holds none."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _header(sheet: Worksheet, titles: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(titles))
    for col, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=col)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[1].height = 30


def _kpi_sheet(sheet: Worksheet, view: PackView) -> None:
    t = view.labels
    columns: list[tuple[str, int]] = [
        ("id", 10), (t["kpi"], 36), (t["department"], 18), (t["target"], 14), (t["actual"], 14),
        (t["attainment"], 10), (t["status"], 12), (t["variance"], 14), (t["mom"], 14), (t["mom"] + " %", 10),
        (t["legend_prior"], 14), (t["yoy"], 10), (f"{t['qtd']} {t['target']}", 14), (f"{t['qtd']} {t['actual']}", 14),
        (f"{t['qtd']} {t['attainment']}", 10), (f"{t['ytd']} {t['target']}", 14), (f"{t['ytd']} {t['actual']}", 14),
        (f"{t['ytd']} {t['attainment']}", 10), (t["forecast"], 14), (t["outlook"], 14),
    ]  # fmt: skip
    _header(sheet, [c for c, _ in columns], [w for _, w in columns])
    for department in view.departments:
        for kpi in department.rows:
            n = kpi.figures
            value, change = n.value_format, n.change_format
            row = [
                (xml_safe(kpi.id), "@"), (kpi.name, "@"), (department.name, "@"),
                (n.target, value), (n.actual, value), (n.attainment, "0.0%"),
                (kpi.chip.label, "@"), (n.variance, change),
                (n.mom, change), (n.mom_pct, RELATIVE),
                (n.prior, value), (n.yoy_pct, RELATIVE),
                (n.qtd_target, value), (n.qtd_actual, value), (n.qtd_attainment, "0.0%"),
                (n.ytd_target, value), (n.ytd_actual, value), (n.ytd_attainment, "0.0%"),
                (n.projected, value), (n.outlook, value),
            ]  # fmt: skip
            sheet.append([v for v, _ in row])
            for col, (_, number_format) in enumerate(row, start=1):
                sheet.cell(row=sheet.max_row, column=col).number_format = number_format
    last = sheet.max_row
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


def _quoted(text: str) -> str:
    """A text constant in a conditional-format formula."""
    return '"' + text.replace('"', '""') + '"'


def _kgi_sheet(sheet: Worksheet, view: PackView) -> None:
    t = view.labels
    columns = [
        ("id", 10), (t["kgi"], 36), (t["target"], 16), (t["actual"], 16), (t["progress"], 10), (t["expected"], 10),
        (t["status"], 12), (t["run_rate"], 16), (t["outlook"], 16), (t["formula"], 28), (t["planned"], 16),
    ]  # fmt: skip
    _header(sheet, [c for c, _ in columns], [w for _, w in columns])
    for card in view.kgis:
        n = card.figures
        sheet.append([
            xml_safe(card.id), card.name, n.target, n.actual, n.progress, n.expected, card.state, n.projected,
            n.outlook, xml_safe(n.formula), n.planned,
        ])  # fmt: skip
        for col, number_format in ((3, "#,##0"), (4, "#,##0"), (5, "0.0%"), (6, "0.0%"), (8, "#,##0"), (9, "#,##0"),
                                   (11, "#,##0")):  # fmt: skip
            sheet.cell(row=sheet.max_row, column=col).number_format = number_format
    sheet.freeze_panes = "C2"


def _findings_sheet(sheet: Worksheet, view: PackView) -> None:
    t = view.labels
    _header(sheet, [t["code"], t["status"], t["kpi"], t["kgi"], t["where"], t["finding"], t["suggestion"]],
            [12, 10, 10, 10, 12, 70, 60])  # fmt: skip
    for group in view.finding_groups:
        for f in group.findings:
            sheet.append([f.code, group.label, xml_safe(f.kpi or ""), xml_safe(f.kgi or ""), str(f.where or ""),
                          xml_safe(f.message), xml_safe(f.suggestion)])  # fmt: skip
            for col in (6, 7):
                sheet.cell(row=sheet.max_row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:G{max(sheet.max_row, 1)}"


def _actions_sheet(sheet: Worksheet, view: PackView) -> None:
    """SPEC §3c: every action in the month's pack, its dates as dates and its figures as numbers
    in its target's format; where it stands coloured by a rule on the text, as the KPI sheet's
    status is."""
    t = view.labels
    columns = [
        ("id", 8), (f"{t['action_target']} (id)", 10), (t["action_target"], 28), (t["action"], 40), (t["owner"], 14),
        (t["opened"], 10), (t["due"], 12), (t["status"], 11), (t["action.overdue"], 9), (t["action.due_soon"], 9),
        (t["closed"], 12), (f"{t['before']} ({t['month']})", 10), (f"{t['before']} {t['actual']}", 14),
        (f"{t['before']} {t['attainment']}", 10), (f"{t['now']} {t['actual']}", 14),
        (f"{t['now']} {t['attainment']}", 10), (t["moved"], 10), (t["expected_value"], 14), (t["reached"], 10),
    ]  # fmt: skip
    _header(sheet, [c for c, _ in columns], [w for _, w in columns])
    yes, no = t["yes"], t["no"]
    chips = {}
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
        sheet.append([v for v, _ in row])
        for col, (_, number_format) in enumerate(row, start=1):
            sheet.cell(row=sheet.max_row, column=col).number_format = number_format
        sheet.cell(row=sheet.max_row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    last = max(sheet.max_row, 2)
    for label, status in chips.items():
        colour = view.palette.status(status).lstrip("#").upper()
        sheet.conditional_formatting.add(
            f"H2:H{last}",
            CellIsRule(
                operator="equal",
                formula=[_quoted(label)],
                fill=PatternFill("solid", fgColor=colour, bgColor=colour),
                font=Font(bold=True, color="FFFFFF"),
            ),
        )
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"


def _trends_sheet(sheet: Worksheet, view: PackView) -> None:
    """Each KPI's fiscal year (actual, target, last year) as rows of numbers with a native line
    chart beside them."""
    t = view.labels
    sheet.column_dimensions["A"].width = 16
    row = 1
    for page in view.trend_pages:
        for trend in page.charts:
            sheet.cell(row=row, column=1, value=trend.name).font = Font(bold=True)
            sheet.cell(row=row + 1, column=1, value=t["month"])
            for col, month in enumerate(trend.months, start=2):
                sheet.cell(row=row + 1, column=col, value=month)
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


def _quarterly_sheet(sheet: Worksheet, view: PackView) -> None:
    """The quarterly review: each KPI's months of the quarter, its QTD and the change on the
    same months of the last quarter, as numbers."""
    quarter = view.quarterly
    assert quarter is not None
    t = view.labels
    columns = [("id", 10), (t["kpi"], 36), *((m, 14) for m in quarter.months), (f"{t['qtd']} {t['actual']}", 14),
               (f"{t['qtd']} {t['attainment']}", 10), (t["qoq"], 14), (t["qoq"] + " %", 10)]  # fmt: skip
    _header(sheet, [c for c, _ in columns], [w for _, w in columns])
    for line in quarter.lines:
        n = line.figures
        assert n is not None
        row = [(xml_safe(line.kpi), "@"), (line.name, "@"), *((v, n.value_format) for v in n.actuals),
               (n.qtd_actual, n.value_format), (n.qtd_attainment, "0.0%"), (n.change, n.change_format),
               (n.change_pct, RELATIVE)]  # fmt: skip
        sheet.append([v for v, _ in row])
        for col, (_, number_format) in enumerate(row, start=1):
            sheet.cell(row=sheet.max_row, column=col).number_format = number_format
    sheet.freeze_panes = "C2"


def _commentary_sheet(sheet: Worksheet, view: PackView) -> None:
    """The key messages and each subject's comment: its text, whose words (drafted or the
    controller's) and the JSON fields its figures come from."""
    t = view.labels
    _header(sheet, [t["subject"], t["commentary"], t["source"], t["refs"]], [14, 100, 12, 50])
    rows = [("*", m) for m in view.key_messages]
    rows += [(card.id, card.commentary) for card in view.kgis if card.commentary]
    rows += [(row.id, row.commentary) for dept in view.departments for row in dept.rows if row.commentary]
    for subject, note in rows:
        source = t["drafted"] if note.drafted else t["controller"]
        sheet.append([xml_safe(subject), xml_safe(note.text), source, " ".join(note.refs)])
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"


def render_xlsx(view: PackView) -> bytes:
    """The metrics workbook of one pack, from its view model: the figures as numbers in the
    formats the view decided, in the order and with the labels the pack shows."""
    t = view.labels
    book = Workbook()
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
    _printable(book)
    book.properties.title = view.title
    book.properties.creator = view.company
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
