"""Exports of submissions to Excel (.xlsx) and CSV, in the requester's scope.

``export()`` is the one entry point, for the command line and for the chat; see
``docs/exports.md`` for the layout of the files.
"""

from storage.exports.cells import EXCEL_MAX_ROWS, inert
from storage.exports.run import (
    FORMATS,
    ExportError,
    ExportSummary,
    Format,
    export,
    export_filename,
    on_time_by_deadline,
)

__all__ = [
    "EXCEL_MAX_ROWS",
    "FORMATS",
    "ExportError",
    "ExportSummary",
    "Format",
    "export",
    "export_filename",
    "inert",
    "on_time_by_deadline",
]
