"""Spreadsheet files of a table of strings: CSV that Excel opens as UTF-8, and XLSX.

Cells a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-`` or ``@``) are
written as text: in the CSV behind a leading apostrophe, in the XLSX as string cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlsxwriter import Workbook

FORMULA_STARTS = ("=", "+", "-", "@")
BOM = "\ufeff"


def _inert(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def to_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows Indonesian text right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_inert(cell) for cell in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def new_workbook(buffer: io.BytesIO) -> Workbook:
    """An XLSX workbook written into ``buffer``. XlsxWriter is imported when the first file is
    made: imported at start-up it added 2 MB to the idle bot (``bench.memory``)."""
    import xlsxwriter

    return xlsxwriter.Workbook(buffer, {"in_memory": True})


def to_xlsx(sheet_name: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """One sheet named ``sheet_name``, a bold frozen header row, every cell a string."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    for column, title in enumerate(header):
        sheet.write_string(0, column, title, bold)
    for line, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            sheet.write_string(line, column, cell)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
