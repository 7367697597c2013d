"""Reading a measurements file (CSV or XLSX) into rows for ``services.measurements_import``.

The file is read by the shared reader (``organizations.tabular``: encodings, delimiters, size, row and
unpacked-size limits). Each row is a dict of text cells keyed by lower-case column name, plus
``ROW_KEY`` with the row number the user sees in the spreadsheet (header = row 1), so messages point at
the right row even when blank rows were skipped. Cells are text so rows can travel signed between
preview and apply.
"""

import datetime
import math

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from organizations.tabular import TableError, read_table

MAX_ROWS = 20_000
ROW_KEY = "__row__"
ImportFileError = TableError


def read_rows(name: str, content: bytes, **limits) -> list[dict]:
    """``limits``: read_table's, larger for the command line."""
    limits.setdefault("max_rows", MAX_ROWS)
    _header, rows = read_table(SimpleUploadedFile(name, content), **limits)
    if not rows:
        raise ImportFileError(_("The file has no rows below the column names."))
    return [{ROW_KEY: row.number, **{k: _cell(v) for k, v in row.values.items()}} for row in rows]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)  # "inf"/"nan": refused as "not a number" with row and column
        return repr(value) if value != int(value) else str(int(value))
    return str(value).strip()
