"""Workbooks: the week's submissions attached to the digest, and the evaluation evidence report.

Every cell that holds text from a resident is written as a string cell, so a text starting with
``=`` is never read as a formula. A resident's name appears only where the submission is not
anonymous and the resident agreed to be named; Telegram ids never appear.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import xlsxwriter

from storage.digests import WeekRow

TEXT_WIDTH = 80


def week_workbook(
    rows: Sequence[WeekRow],
    *,
    sheet: str,
    headers: Sequence[str],
    zone: ZoneInfo,
    pillars: dict[str, str],
    kecamatan: dict[str, str],
    statuses: dict[str, str],
) -> bytes:
    """One sheet, one row per submission: code, received, pillar, kecamatan, status, text, name."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, title in enumerate(headers):
        worksheet.write_string(0, column, title, bold)
    for line, row in enumerate(rows, start=1):
        cells = (
            row.code,
            f"{row.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
            pillars.get(row.pillar, row.pillar),
            kecamatan.get(row.kecamatan, row.kecamatan) if row.kecamatan else "",
            statuses.get(row.status, row.status),
            row.text,
            row.name or "",
        )
        for column, cell in enumerate(cells):
            worksheet.write_string(line, column, cell, wrap if column == 5 else None)
    worksheet.set_column(0, 1, 16)
    worksheet.set_column(2, 4, 18)
    worksheet.set_column(5, 5, TEXT_WIDTH)
    worksheet.set_column(6, 6, 24)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    workbook.close()
    return buffer.getvalue()
