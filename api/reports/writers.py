"""The two workbook writers a report can be built with (api/reports/builders.py):
XlsxWriter in constant-memory mode, the default, and openpyxl write-only, kept so the
measurement that chose between them can be re-run (`make bench BENCH=report`)."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter


class _XlsxWriterBook:
    """XlsxWriter in constant-memory mode: rows go to disk as soon as a sheet moves on."""

    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        self.formats = {
            "header": self.book.add_format(
                {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1}
            ),
            "date": self.book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "hours": self.book.add_format({"num_format": "0.00"}),
        }
        self.sheets: dict[str, tuple] = {}

    def add_sheet(self, name: str, columns) -> None:
        sheet = self.book.add_worksheet(name)
        for index, (title, width, _) in enumerate(columns):
            sheet.set_column(index, index, width)
            sheet.write_string(0, index, title, self.formats["header"])
        sheet.freeze_panes(1, 0)
        kinds = [kind for _, _, kind in columns]
        self.sheets[name] = (sheet, kinds, [1])

    def row(self, name: str, values) -> None:
        sheet, kinds, next_row = self.sheets[name]
        r = next_row[0]
        formats = self.formats
        for c, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            if value is None or value == "":
                continue
            if kind == "text":
                sheet.write_string(r, c, str(value))
            elif kind == "int":
                sheet.write_number(r, c, value)
            elif kind == "hours":
                sheet.write_number(r, c, float(value), formats["hours"])
            else:  # date, datetime
                sheet.write_datetime(r, c, value, formats[kind])
        next_row[0] = r + 1

    def close(self) -> None:
        self.book.close()


class _OpenpyxlBook:
    """openpyxl write-only: the alternative the benchmark compares against."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = Workbook(write_only=True)
        self.sheets: dict[str, tuple] = {}

    def add_sheet(self, name: str, columns) -> None:
        sheet = self.book.create_sheet(name)
        for index, (_, width, _) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        font, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E78")
        header = []
        for title, _, _ in columns:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font, cell.fill = font, fill
            header.append(cell)
        sheet.append(header)
        self.sheets[name] = (sheet, [kind for _, _, kind in columns])

    def row(self, name: str, values) -> None:
        sheet, kinds = self.sheets[name]
        cells = []
        for value, kind in zip(values, kinds, strict=True):
            if kind == "hours" and value is not None:
                cell = WriteOnlyCell(sheet, value=float(value))
                cell.number_format = "0.00"
            elif kind == "text" and value is not None:
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.data_type = "s"  # never a formula, whatever the first character
            else:
                cell = value
            cells.append(cell)
        sheet.append(cells)

    def close(self) -> None:
        self.book.save(self.path)


WRITERS = {"xlsxwriter": _XlsxWriterBook, "openpyxl": _OpenpyxlBook}
DEFAULT_WRITER = "xlsxwriter"
