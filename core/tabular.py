"""Reading an uploaded spreadsheet (CSV or XLSX) into rows, safely, for every importer.

CSV: UTF-8, UTF-8 with BOM, UTF-16 (Excel's "Unicode text") or Windows-1252; comma, semicolon
(Danish Excel) or tab. XLSX: the first sheet, read-only, with limits on the file size and the
unpacked size (a zip bomb is refused before it is unpacked), and no part with XML declarations
(entities) anywhere in it. Trailing blank rows are ignored. Every problem is a TableError with a translated message.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from .writers import restore

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 50


class TableError(ValueError):
    pass


class TooLargeError(TableError):
    """The file is larger than a browser upload may be (size or rows); the command line takes it."""


@dataclass
class Row:
    number: int  # the row number a spreadsheet user sees (header is row 1)
    values: dict[str, object]


def read_table(
    uploaded: IO[bytes],
    *,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> tuple[list[str], list[Row]]:
    """Header (lower-cased, stripped) and data rows of an uploaded CSV or XLSX file.

    Text a CSV export neutralised against formula injection (``'=1+1``) is read back as written
    (``=1+1``), so a round trip changes nothing. The limits default to a browser upload's; the
    ``import_data`` command passes larger ones."""
    name = (getattr(uploaded, "name", "") or "").lower()
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise TooLargeError(
            _("The file is too large (%(size)d MB); the limit is %(limit)d MB.")
            % {"size": size // (1024 * 1024), "limit": max_bytes // (1024 * 1024)}
        )
    content = uploaded.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise TooLargeError(
            _("The file is too large; the limit is %(limit)d MB.")
            % {"limit": max_bytes // (1024 * 1024)}
        )
    if name.endswith(".xlsx") or content[:2] == b"PK":
        grid = _xlsx_rows(content, max_rows, max_unpacked)
    elif name.endswith(".csv") or name.endswith(".txt") or not name:
        grid = _csv_rows(content, max_rows)
    else:
        raise TableError(_("Unknown file type: upload a CSV or XLSX file."))
    while grid and all(_blank(v) for v in grid[-1]):
        grid.pop()
    if not grid:
        raise TableError(_("The file is empty."))
    header = [str(h).strip().lower() if h is not None else "" for h in grid[0]]
    if len(header) > MAX_COLUMNS:
        raise TableError(_("The file has too many columns (at most %(n)d).") % {"n": MAX_COLUMNS})
    duplicates = {h for h in header if h and header.count(h) > 1}
    if duplicates:
        raise TableError(
            _("The column(s) %(columns)s appear more than once.")
            % {"columns": ", ".join(sorted(duplicates))}
        )
    rows = []
    for index, raw in enumerate(grid[1:], start=2):
        if all(_blank(v) for v in raw):
            continue
        values = {h: _restore(raw[i]) if i < len(raw) else None for i, h in enumerate(header) if h}
        rows.append(Row(index, values))
    return header, rows


def _restore(value: object) -> object:
    return restore(value) if isinstance(value, str) else value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    # UTF-16 (Excel's "Unicode text"): by its byte-order mark, or, without one, by the zero byte
    # beside each letter of a Latin text (a UTF-8 or Windows-1252 text has no zero bytes).
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    head = content[:4096]
    if len(head) >= 2 and b"\x00" in head:
        if head[1::2].count(0) > len(head) // 4:
            return content.decode("utf-16-le")
        if head[0::2].count(0) > len(head) // 4:
            return content.decode("utf-16-be")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="strict")


def _csv_rows(content: bytes, max_rows: int) -> list[list]:
    try:
        text = _decode(content)
    except UnicodeDecodeError:
        raise TableError(
            _("The file's text encoding is not recognised: save it as UTF-8 CSV.")
        ) from None
    if "\x00" in text:
        raise TableError(_("The file contains a NUL character; save it again as a CSV text file."))
    first_line = text.split("\n", 1)[0]
    # The separator the header uses most: ";" (Danish Excel), "," or a tab ("Unicode text").
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > max_rows + 1:
                raise TooLargeError(
                    _("The file has too many rows (at most %(n)d).") % {"n": max_rows}
                )
    except csv.Error as exc:
        raise TableError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from None
    return rows


def _xlsx_rows(content: bytes, max_rows: int, max_unpacked: int) -> list[list]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > max_unpacked:
            raise TableError(_("The workbook unpacks to too much data and was refused."))
        for info in archive.infolist():
            if info.filename.lower().endswith(_XML_PARTS) and _declares(archive, info):
                raise TableError(_("The workbook contains XML declarations that are not allowed."))
    except TableError:
        raise
    except Exception:  # BadZipFile, zlib.error, EOFError … : a damaged archive in any way
        raise TableError(_("The file is not a valid XLSX workbook.")) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise TableError(_("The file is not a valid XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            if any(isinstance(v, str) and "\x00" in v for v in row):
                raise TableError(
                    _("The workbook contains a NUL character, which cannot be stored.")
                )
            rows.append(list(row))
            if len(rows) > max_rows + 1:
                raise TooLargeError(
                    _("The file has too many rows (at most %(n)d).") % {"n": max_rows}
                )
        return rows
    except TableError:
        raise
    except Exception:  # a damaged sheet surfaces only while its rows are read
        raise TableError(_("The file is not a valid XLSX workbook.")) from None
    finally:
        workbook.close()


# The parts of a workbook the reader parses as XML, and the declarations none of them may hold
# (entity expansion, external entities), in each encoding an XML part may have. openpyxl also
# parses with defusedxml, which refuses them; this check refuses them with a message that says so.
_XML_PARTS = (".xml", ".rels", ".vml")
_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_OVERLAP = max(len(marker) for marker in _DECLARATIONS)


def _declares(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the part holds a declaration anywhere (read in chunks, never whole)."""
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            window = tail + chunk
            if any(marker in window for marker in _DECLARATIONS):
                return True
            tail = window[-_OVERLAP:]
    return False


def upload_error(exc: TableError, subject: str) -> str:
    """The message for a refused upload; a file too large for the browser points to the command
    line, which reads large files with the same checks."""
    if isinstance(exc, TooLargeError):
        return "{} {}".format(
            exc,
            _(
                "Files this large are imported from the command line: ask an administrator to "
                "run “manage.py import_data %(subject)s FILE”."
            )
            % {"subject": subject},
        )
    return str(exc)
