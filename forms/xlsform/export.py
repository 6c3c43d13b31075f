"""Writing a form back to an XLSForm workbook (``ocop-bot forms export``).

An imported form is written from the rows its workbook had (``installed_forms.source``), so
what comes out is what went in: same sheets, columns, rows and row numbers.
"""

from __future__ import annotations

import io
from typing import Any

from forms.xlsform.sheets import SHEETS, Sheet


def source_of(sheets: dict[str, Sheet]) -> dict[str, Any]:
    """The rows to keep with an installed form."""
    return {name: sheet.as_json() for name, sheet in sheets.items() if sheet.rows}


def workbook_bytes(source: dict[str, Any]) -> bytes:
    """An .xlsx file of the survey, choices and settings sheets in ``source``."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name in SHEETS:
        sheet = source.get(name)
        if not sheet:
            continue
        header: list[str] = list(sheet["header"])
        for row in sheet["rows"]:
            header.extend(key for key in row if key not in header)
        out = book.create_sheet(name)
        out.append(header)
        for number, row in enumerate(sheet["rows"], start=2):
            for column, key in enumerate(header, start=1):
                value = row.get(key)
                if value is not None:
                    cell = out.cell(row=number, column=column, value=value)
                    cell.data_type = "s"  # "=1+1" in a label stays text, never a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
