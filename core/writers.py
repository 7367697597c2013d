"""Exports shared by the admin, the dashboards, the workbook and the command line.

A subject's columns are declared once, as a django-import-export resource (``ExportResource``): each
column is a ``Field`` with an attribute path and a translated column name. The admin's export button
and the dashboards' "export what I see" both go through the same resource and the same writers here:

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
from decimal import Decimal

import tablib
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.formats import base_formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows read from the database per round trip while exporting.
CHUNK = 2000


# Cells ---------------------------------------------------------------------------------------
def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value):
    """A text cell a spreadsheet would run, made inert for CSV; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The inverse of ``neutralise`` for importers: ``'=1+1`` read back is ``=1+1``."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def _local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


class Dialect:
    """How plain values become CSV text."""

    def __init__(self, *, delimiter: str, decimal: str, yes: str, no: str, bom: bool):
        self.delimiter, self.decimal, self.yes, self.no, self.bom = delimiter, decimal, yes, no, bom

    def text(self, value) -> str:
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
def write_csv(out, headers, rows, dialect: Dialect) -> None:
    """``out`` is a text stream."""
    if dialect.bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
    text = dialect.text
    writer.writerow([text(h) for h in headers])
    writer.writerows([text(v) for v in row] for row in rows)


def _xlsx_sheet(workbook, title: str, headers, rows, *, preface=()) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(_sheet_title(title))
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


def _xlsx_text(sheet, text: str):
    if text.startswith(FORMULA_STARTS):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # a string, never a formula
        cell.quotePrefix = True
        return cell
    return text


def _xlsx_value(sheet, value):
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


def write_xlsx(out, sheets) -> None:
    """``sheets``: iterable of (title, headers, rows) or (title, headers, rows, preface lines)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        title, headers, rows, *rest = sheet
        _xlsx_sheet(workbook, title, headers, rows, preface=rest[0] if rest else ())
    workbook.save(out)


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def write_json(out, keys, rows) -> None:
    out.write("[")
    for index, row in enumerate(rows):
        if index:
            out.write(",\n")
        out.write(json.dumps(dict(zip(keys, row, strict=True)), default=_json_default))
    out.write("]\n")


# Resources -----------------------------------------------------------------------------------
class ExportResource(resources.ModelResource):
    """A subject's columns. Subclasses declare every column as a ``Field(attribute=…,
    column_name=_(…))``; ``convert`` maps a field name to a function applied to its raw value (a
    choice label, a JSON member). ``municipality_path`` says how a row belongs to a municipality,
    so every export is scoped on the server."""

    municipality_path = "municipality"
    convert: dict = {}

    def keys(self, selected_fields=None) -> list[str]:
        return [self.get_field_name(f) for f in self.get_export_fields(selected_fields)]

    def headers(self, selected_fields=None) -> list[str]:
        return self.get_export_headers(selected_fields)

    def scoped(self, queryset, municipality_ids):
        """Only the rows of these municipalities (None: every municipality, for a superuser)."""
        if municipality_ids is None:
            return queryset
        return queryset.filter(**{f"{self.municipality_path}__in": municipality_ids})

    def rows(self, source=None, selected_fields=None):
        """Plain Python values (dates, Decimals, text) per row, in column order.

        A queryset is read with one ``values_list`` query in chunks; a list of objects (computed
        rows) through each field's attribute."""
        if source is None:
            source = self.get_queryset()
        fields = self.get_export_fields(selected_fields)
        names = [self.get_field_name(f) for f in fields]
        converters = [self.convert.get(n) for n in names]
        if isinstance(source, QuerySet):
            paths = list(dict.fromkeys(f.attribute for f in fields))
            index = [paths.index(f.attribute) for f in fields]
            pairs = list(zip(index, converters, strict=True))
            for values in source.values_list(*paths).iterator(chunk_size=CHUNK):
                yield [c(values[i]) if c else values[i] for i, c in pairs]
        else:
            for obj in source:
                row = []
                for field, c in zip(fields, converters, strict=True):
                    value = field.get_value(obj)
                    row.append(c(value) if c else value)
                yield row

    def export(self, queryset=None, **kwargs):
        """The admin's export: the same rows as every other export, as a tablib Dataset."""
        if queryset is None:
            queryset = self.get_queryset()
        queryset = self.filter_export(queryset, **kwargs)
        selected = kwargs.get("export_fields")
        dataset = tablib.Dataset(headers=self.get_export_headers(selected))
        for row in self.rows(queryset, selected):
            dataset.append(row)
        return dataset


class ObjectResource(resources.Resource):
    """Columns of computed rows (progress, projections), with the same writers."""

    convert: dict = {}

    keys = ExportResource.keys
    headers = ExportResource.headers

    def rows(self, source, selected_fields=None):
        return ExportResource.rows(self, list(source), selected_fields)


def header_aliases(resource_class) -> dict[str, set[str]]:
    """Each column's names as an importer reads them (lower case): the exported header in Danish
    and in English, and the column's key, so a file exported in either language imports."""
    from django.utils import translation

    resource = resource_class()
    aliases: dict[str, set[str]] = {}
    for language in ("da", "en"):
        with translation.override(language):
            for key, header in zip(resource.keys(), resource.headers(), strict=True):
                aliases.setdefault(key, {key}).add(header.strip().lower())
    return aliases


def with_aliases(columns: dict, resource_class) -> dict:
    """An importer's column spec (name → accepted names, the first shown in messages) extended with
    the resource's exported headers."""
    exported = header_aliases(resource_class)
    return {
        name: tuple(dict.fromkeys([*names, *sorted(exported.get(name, ()))]))
        for name, names in columns.items()
    }


def choice_label(choices):
    labels = dict(choices)
    return lambda value: force_str(labels.get(value, value)) if value is not None else None


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


def render(fmt: str, *, title: str, keys, headers, rows) -> bytes:
    if fmt in ("csv", "csv-comma"):
        buffer = io.StringIO()
        write_csv(buffer, headers, rows, excel_dialect() if fmt == "csv" else comma_dialect())
        return buffer.getvalue().encode("utf-8")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, [(title, headers, rows)])
        return buffer.getvalue()
    if fmt == "json":
        buffer = io.StringIO()
        write_json(buffer, keys, rows)
        return buffer.getvalue().encode("utf-8")
    raise ValueError(fmt)


def response(fmt: str, *, filename: str, resource, source, title: str = "") -> HttpResponse:
    """A download of ``source`` (a queryset or computed rows) through ``resource`` in ``fmt``."""
    _label, extension, content_type = FORMATS[fmt]
    body = render(
        fmt,
        title=title or filename,
        keys=resource.keys(),
        headers=resource.headers(),
        rows=resource.rows(source),
    )
    reply = HttpResponse(body, content_type=content_type)
    reply["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return reply


# The admin's formats: the same writers, so the admin's files are as safe as the dashboards'.
class _DatasetFormat(base_formats.Format):
    key = ""

    def get_title(self):
        return self.key

    def get_extension(self):
        return FORMATS[self.key][1]

    def get_content_type(self):
        return FORMATS[self.key][2]

    def can_export(self):
        return True

    def can_import(self):
        return False

    def is_binary(self):
        return self.key == "xlsx"

    def export_data(self, dataset, **kwargs):
        rows = (list(r) for r in dataset)
        headers = dataset.headers or []
        body = render(
            self.key, title=dataset.title or "data", keys=headers, headers=headers, rows=rows
        )
        return body if self.is_binary() else body.decode("utf-8")


class ExcelCSV(_DatasetFormat):
    key = "csv"

    def get_title(self):
        return "csv (Excel, ;)"


class SafeCSV(_DatasetFormat):
    key = "csv-comma"

    def get_title(self):
        return "csv (,)"


class SafeXLSX(_DatasetFormat):
    key = "xlsx"


class SafeJSON(_DatasetFormat):
    key = "json"


ADMIN_FORMATS = [SafeXLSX, ExcelCSV, SafeCSV, SafeJSON]
