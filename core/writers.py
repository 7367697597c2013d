"""The one set of export writers, for every file the product hands out: the admin's export button,
the lists' "export what I see", the export page, the workbook, the projection and the audit log.

- CSV for Danish Excel (``csv``: semicolons, UTF-8 with a byte-order mark, decimal commas) and CSV
  with commas (``csv-comma``: UTF-8, decimal points);
- XLSX (write-only openpyxl): dates are dates and numbers are numbers, the header row is frozen;
- JSON: a list of objects keyed by the column's stable (English) name.

Formula injection: a text cell beginning with ``= + - @``, tab or carriage return would be run by a
spreadsheet. In CSV it gets a leading apostrophe (which the importers take off again, so a round trip
changes nothing); in XLSX it is written as a string cell (never a formula) with Excel's quote prefix.
Numbers are never touched. (django-import-export's own setting only handles ``=``.)
"""

import csv
import datetime
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeAlias, TypeGuard, TypeVar

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats import base_formats

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_V = TypeVar("_V")
# A row of plain values (text, numbers, dates, None); headers may be lazy text.
Cells: TypeAlias = Iterable[object]
# A workbook sheet: (title, headers, rows) or (title, headers, rows, preface lines).
Sheet: TypeAlias = (
    tuple[str, Sequence[object], Iterable[Cells]]
    | tuple[str, Sequence[object], Iterable[Cells], Sequence[str]]
)


class Columns(Protocol):
    """What ``response`` reads from a resource (``core.resources``)."""

    def keys(self) -> list[str]: ...

    def headers(self) -> list[str]: ...

    def rows(self, source: Any) -> Iterable[Cells]: ...


# Cells ---------------------------------------------------------------------------------------
def is_formula_like(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value: _V) -> _V | str:
    """A text cell a spreadsheet would run, made inert for CSV; anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def restore(text: str) -> str:
    """The inverse of ``neutralise`` for importers: ``'=1+1`` read back is ``=1+1``."""
    return text[1:] if text[:1] == "'" and is_formula_like(text[1:]) else text


def _local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


class Dialect:
    """How plain values become CSV text."""

    def __init__(self, *, delimiter: str, decimal: str, yes: str, no: str, bom: bool) -> None:
        self.delimiter, self.decimal, self.yes, self.no, self.bom = delimiter, decimal, yes, no, bom

    def text(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return neutralise(value)
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, datetime.datetime):
            return _local(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            text = format(value, "f")
            return text.replace(".", self.decimal) if self.decimal != "." else text
        if isinstance(value, float):
            text = repr(round(value, 6))
            return text.replace(".", self.decimal) if self.decimal != "." else text
        if isinstance(value, int):
            return str(value)
        return neutralise(str(value))


def comma_dialect() -> Dialect:
    return Dialect(delimiter=",", decimal=".", yes=_("yes"), no=_("no"), bom=False)


def excel_dialect() -> Dialect:
    """For Danish Excel: semicolons, decimal commas, a byte-order mark so it reads UTF-8."""
    return Dialect(delimiter=";", decimal=",", yes=_("yes"), no=_("no"), bom=True)


# Writers -------------------------------------------------------------------------------------
def write_csv(
    out: IO[str], headers: Iterable[object], rows: Iterable[Cells], dialect: Dialect
) -> None:
    """``out`` is a text stream."""
    if dialect.bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
    text = dialect.text
    writer.writerow([text(h) for h in headers])
    writer.writerows([text(v) for v in row] for row in rows)


def _xlsx_sheet(
    workbook: "Workbook",
    title: str,
    headers: Iterable[object],
    rows: Iterable[Cells],
    *,
    preface: Sequence[str] = (),
) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet: WriteOnlyWorksheet = workbook.create_sheet(_sheet_title(title))
    bold = Font(bold=True)
    # A write-only sheet takes its view before the first row: the header row stays in view.
    sheet.freeze_panes = f"A{len(preface) + 2}"
    for line in preface:
        sheet.append([_xlsx_text(sheet, line)])
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=str(h))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    append = sheet.append
    for row in rows:
        append([_xlsx_value(sheet, v) for v in row])


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in str(title))
    return cleaned[:31] or "-"


def _xlsx_text(sheet: "WriteOnlyWorksheet", text: str) -> "Cell | str":
    if is_formula_like(text):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # a string, never a formula
        cell.quotePrefix = True
        return cell
    return text


def _xlsx_value(sheet: "WriteOnlyWorksheet", value: object) -> object:
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        if isinstance(value, datetime.datetime):
            return _local(value)
        return value
    text = value if isinstance(value, str) else str(value)
    return _xlsx_text(sheet, _printable(text))


def _printable(text: str) -> str:
    """Control characters XML cannot hold (openpyxl refuses them) become U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text) if ILLEGAL_CHARACTERS_RE.search(text) else text


def write_xlsx(out: IO[bytes], sheets: Iterable[Sheet]) -> None:
    """``sheets``: iterable of (title, headers, rows) or (title, headers, rows, preface lines)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        title, headers, rows, *rest = sheet
        _xlsx_sheet(workbook, title, headers, rows, preface=rest[0] if rest else ())
    workbook.save(out)


def _json_default(value: object) -> str | float:
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def write_json(out: IO[str], keys: Sequence[str], rows: Iterable[Cells]) -> None:
    out.write("[")
    for index, row in enumerate(rows):
        if index:
            out.write(",\n")
        out.write(json.dumps(dict(zip(keys, row, strict=True)), default=_json_default))
    out.write("]\n")


# Formats -------------------------------------------------------------------------------------
FORMATS = {
    "xlsx": (
        gettext_lazy("Excel (XLSX)"),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (gettext_lazy("CSV for Danish Excel (semicolon)"), "csv", "text/csv; charset=utf-8"),
    "csv-comma": (gettext_lazy("CSV (comma)"), "csv", "text/csv; charset=utf-8"),
    "json": (gettext_lazy("JSON"), "json", "application/json"),
}


def render(
    fmt: str,
    *,
    title: str,
    keys: Sequence[str],
    headers: Sequence[object],
    rows: Iterable[Cells],
) -> bytes:
    if fmt in ("csv", "csv-comma"):
        buffer = io.StringIO()
        write_csv(buffer, headers, rows, excel_dialect() if fmt == "csv" else comma_dialect())
        return buffer.getvalue().encode("utf-8")
    if fmt == "xlsx":
        data = io.BytesIO()
        write_xlsx(data, [(title, headers, rows)])
        return data.getvalue()
    if fmt == "json":
        buffer = io.StringIO()
        write_json(buffer, keys, rows)
        return buffer.getvalue().encode("utf-8")
    raise ValueError(fmt)


# The two CSV formats share an extension; the file name tells them apart.
FORMAT_VARIANTS = {"csv": "excel", "csv-comma": "komma"}
FULL, FILTERED, SELECTED = "alle", "filtreret", "udvalgte"


def name_part(text: str) -> str:
    """Text as a part of a file name: ASCII, with Danish letters spelt out (Nuværende →
    nuvaerende), where slugify alone would drop them."""
    for letter, spelt in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(letter, spelt).replace(letter.upper(), spelt.capitalize())
    return slugify(text)


def file_name(
    fmt: str, *, place: str, subject: str, scope: str = FULL, extra: Iterable[str] = ()
) -> str:
    """``<place>-<subject>-<variant>-<YYYY-MM-DD>.<extension>``, e.g.
    ``allerod-maalinger-filtreret-excel-2026-11-23.csv``: where the data is from (a municipality's
    slug), what it is, which variant (every row or the filtered ones, the CSV for Danish Excel or
    with commas, demo data) and the day. Two different downloads never share a name."""
    variant = "-".join(part for part in (scope, *extra, FORMAT_VARIANTS.get(fmt, "")) if part)
    return f"{place}-{subject}-{variant}-{timezone.localdate().isoformat()}.{FORMATS[fmt][1]}"


def attachment(body: bytes | str, fmt: str, filename: str) -> HttpResponse:
    """``body`` (bytes or text) as a download of ``fmt`` named ``filename``."""
    reply = HttpResponse(body, content_type=FORMATS[fmt][2])
    reply["Content-Disposition"] = f'attachment; filename="{filename}"'
    return reply


def response(
    fmt: str, *, filename: str, resource: Columns, source: Any, title: str = ""
) -> HttpResponse:
    """A download of ``source`` (a queryset or computed rows) through ``resource`` in ``fmt``;
    ``filename`` from ``file_name``."""
    body = render(
        fmt,
        title=title or filename.rsplit(".", 1)[0],
        keys=resource.keys(),
        headers=resource.headers(),
        rows=resource.rows(source),
    )
    return attachment(body, fmt, filename)


# The admin's formats: the same writers, so the admin's files are as safe as the dashboards'.
class _DatasetFormat(base_formats.Format):
    key = ""

    def get_title(self) -> str:
        return self.key

    def get_extension(self) -> str:
        return FORMATS[self.key][1]

    def get_content_type(self) -> str:
        return FORMATS[self.key][2]

    def can_export(self) -> bool:
        return True

    def can_import(self) -> bool:
        return False

    def is_binary(self) -> bool:
        return self.key == "xlsx"

    def export_data(self, dataset: Any, **kwargs: Any) -> bytes | str:  # a tablib Dataset
        rows = (list(r) for r in dataset)
        headers = dataset.headers or []
        body = render(
            self.key, title=dataset.title or "data", keys=headers, headers=headers, rows=rows
        )
        return body if self.is_binary() else body.decode("utf-8")


class ExcelCSV(_DatasetFormat):
    key = "csv"

    def get_title(self) -> str:
        return "csv (Excel, ;)"


class SafeCSV(_DatasetFormat):
    key = "csv-comma"

    def get_title(self) -> str:
        return "csv (,)"


class SafeXLSX(_DatasetFormat):
    key = "xlsx"


class SafeJSON(_DatasetFormat):
    key = "json"


ADMIN_FORMATS = [SafeXLSX, ExcelCSV, SafeCSV, SafeJSON]
