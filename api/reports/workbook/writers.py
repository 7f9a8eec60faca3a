"""The two writers a workbook can be made with, and how every sheet prints.

Every sheet has the same layout: its title (the report and its period) on the first
row, what its figures count on the second, the column headers on the third, then the
rows. On screen the three rows stay frozen above the rows and the headers carry an
autofilter; on paper each sheet is landscape A4, one page wide (as many pages down as
it takes), the three rows repeated on every page, and the page header names the
report, the period and when it was generated.

XlsxWriter in constant-memory mode is the default (measured: docs/performance.md);
openpyxl's write-only mode is the alternative the benchmark compares against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from api.reports.workbook.columns import Sheet

TITLE_ROW, COUNTS_ROW, HEADER_ROW = 0, 1, 2
FIRST_ROW = HEADER_ROW + 1  # the first data row (0-based)
A4 = 9  # the paper size code of the spreadsheet formats
HEADER_FILL = "1F4E78"


@dataclass(frozen=True, slots=True)
class PrintTitle:
    """What the page header of every printed page says."""

    title: str
    period: str
    generated: str

    def page_header(self) -> str:
        return (
            f"&L&B{_escaped(self.title)}&B&C{_escaped(self.period)}"
            f"&RGenerated {_escaped(self.generated)}"
        )

    @staticmethod
    def page_footer() -> str:
        return "&L&A&RPage &P of &N"  # sheet name; page n of the sheet's pages


def _escaped(text: str) -> str:
    # "&" starts a code in page headers; a literal one is doubled.
    return text.replace("&", "&&")


class XlsxWriterBook:
    """XlsxWriter in constant-memory mode: rows go to disk as soon as a sheet moves on."""

    def __init__(self, path: Path, heading: PrintTitle) -> None:
        self.heading = heading
        self.book = xlsxwriter.Workbook(
            str(path),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        add = self.book.add_format
        self.formats = {
            "title": add({"bold": True, "font_size": 14}),
            "counts": add({"italic": True, "font_color": "#404040"}),
            "header": add(
                {"bold": True, "bg_color": f"#{HEADER_FILL}", "font_color": "#FFFFFF", "border": 1}
            ),
            "date": add({"num_format": "yyyy-mm-dd"}),
            "datetime": add({"num_format": "yyyy-mm-dd hh:mm"}),
            "hours": add({"num_format": "0.00"}),
        }
        self.sheets: dict[str, list] = {}

    def add_sheet(self, sheet: Sheet) -> None:
        ws = self.book.add_worksheet(sheet.name)
        title = f"{self.heading.title}, {self.heading.period}"
        ws.write_string(TITLE_ROW, 0, title, self.formats["title"])
        ws.write_string(COUNTS_ROW, 0, sheet.counts, self.formats["counts"])
        for index, column in enumerate(sheet.columns):
            ws.set_column(index, index, column.width)
            ws.write_string(HEADER_ROW, index, column.title, self.formats["header"])
        ws.freeze_panes(FIRST_ROW, 0)
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(TITLE_ROW, HEADER_ROW)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        ws.set_header(self.heading.page_header())
        ws.set_footer(self.heading.page_footer())
        kinds = [column.kind for column in sheet.columns]
        self.sheets[sheet.name] = [ws, kinds, FIRST_ROW]

    def row(self, name: str, values) -> None:
        entry = self.sheets[name]
        ws, kinds, r = entry
        formats = self.formats
        for c, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            if value is None or value == "":
                continue
            if kind == "text":
                ws.write_string(r, c, str(value))
            elif kind == "int":
                ws.write_number(r, c, value)
            elif kind == "hours":
                ws.write_number(r, c, float(value), formats["hours"])
            else:  # date, datetime
                ws.write_datetime(r, c, value, formats[kind])
        entry[2] = r + 1

    def close(self) -> None:
        for ws, kinds, next_row in self.sheets.values():
            # The filter covers the header and every row (just the header when empty).
            last_row, last_column = max(next_row - 1, HEADER_ROW), len(kinds) - 1
            ws.autofilter(HEADER_ROW, 0, last_row, last_column)
            # Long text overflowing the last column would widen the printed area and
            # shrink every page to fit it: paper shows the table's columns only.
            ws.print_area(0, 0, last_row, last_column)
        self.book.close()


class OpenpyxlBook:
    """openpyxl write-only: the alternative the benchmark compares against."""

    def __init__(self, path: Path, heading: PrintTitle) -> None:
        self.path = path
        self.heading = heading
        self.book = Workbook(write_only=True)
        self.sheets: dict[str, list] = {}

    def add_sheet(self, sheet: Sheet) -> None:
        ws = self.book.create_sheet(sheet.name)
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        # Sheet properties go out with the first row: set them before any append.
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.freeze_panes = f"A{FIRST_ROW + 1}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = f"{TITLE_ROW + 1}:{HEADER_ROW + 1}"
        ws.oddHeader.left.text = f"&B{_escaped(self.heading.title)}&B"
        ws.oddHeader.center.text = _escaped(self.heading.period)
        ws.oddHeader.right.text = f"Generated {_escaped(self.heading.generated)}"
        ws.oddFooter.left.text = "&A"
        ws.oddFooter.right.text = "Page &P of &N"
        title = WriteOnlyCell(ws, value=f"{self.heading.title}, {self.heading.period}")
        title.font = Font(bold=True, size=14)
        counts = WriteOnlyCell(ws, value=sheet.counts)
        counts.font = Font(italic=True, color="404040")
        ws.append([title])
        ws.append([counts])
        font, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor=HEADER_FILL)
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=column.title)
            cell.font, cell.fill = font, fill
            header.append(cell)
        ws.append(header)
        self.sheets[sheet.name] = [ws, [column.kind for column in sheet.columns], FIRST_ROW]

    def row(self, name: str, values) -> None:
        entry = self.sheets[name]
        ws, kinds, _ = entry
        cells = []
        for value, kind in zip(values, kinds, strict=True):
            if kind == "hours" and value is not None:
                cell = WriteOnlyCell(ws, value=float(value))
                cell.number_format = "0.00"
            elif kind == "text" and value is not None:
                cell = WriteOnlyCell(ws, value=str(value))
                cell.data_type = "s"  # never a formula, whatever the first character
            else:
                cell = value
            cells.append(cell)
        ws.append(cells)
        entry[2] += 1

    def close(self) -> None:
        for ws, kinds, next_row in self.sheets.values():
            last = get_column_letter(len(kinds))
            last_row = max(next_row, HEADER_ROW + 1)
            ws.auto_filter.ref = f"A{HEADER_ROW + 1}:{last}{last_row}"
            ws.print_area = f"A1:{last}{last_row}"
        self.book.save(self.path)


WRITERS = {"xlsxwriter": XlsxWriterBook, "openpyxl": OpenpyxlBook}
DEFAULT_WRITER = "xlsxwriter"
