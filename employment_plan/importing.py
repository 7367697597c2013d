"""Reading a measurements file (CSV or XLSX) into rows for ``services.measurements_import``.

CSV: UTF-8 (with or without BOM) or Windows-1252; comma or semicolon. XLSX: the first sheet, read
only. The first row holds the column names; row numbers in messages count it as row 1.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

from django.utils.translation import gettext as _

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024


class ImportFileError(ValueError):
    pass


def read_rows(name: str, content: bytes) -> list[dict]:
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 10 MB."))
    if name.lower().endswith(".xlsx") or content[:2] == b"PK":
        rows = _xlsx_rows(content)
    else:
        rows = _csv_rows(content)
    if not rows:
        raise ImportFileError(_("The file has no rows below the column names."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return rows


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_rows(content: bytes) -> list[dict]:
    text = _decode(content)
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not reader.fieldnames:
        raise ImportFileError(_("The file has no column names."))
    rows = []
    for row in reader:
        extra = row.pop(None, None)
        if extra and any(str(v).strip() for v in extra):
            raise ImportFileError(
                _("Row %(row)s has more cells than there are column names.")
                % {"row": reader.line_num}
            )
        if not any((v or "").strip() for v in row.values()):
            continue
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in row.items()})
    return rows


def _xlsx_rows(content: bytes) -> list[dict]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The file is not a readable Excel workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = next(values, None)
        if not header:
            raise ImportFileError(_("The file has no column names."))
        names = [str(h).strip().lower() if h is not None else "" for h in header]
        rows = []
        for cells in values:
            if cells is None or all(c is None or str(c).strip() == "" for c in cells):
                continue
            rows.append(
                {names[i]: _cell(c) for i, c in enumerate(cells) if i < len(names) and names[i]}
            )
            if len(rows) > MAX_ROWS:
                break
        return rows
    finally:
        workbook.close()


def _cell(value) -> str:
    """Cells as text, so rows can travel signed between preview and apply."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return str(value).strip()
