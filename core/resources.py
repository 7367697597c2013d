"""A subject's columns, declared once as a django-import-export resource on one shared base.

Each column is a ``Field`` with an attribute path and a translated column name, in column order
(there is no second list of the columns' names). The admin's export
button, the lists' "export what I see", the export page and the workbook read rows through the same
resource and hand them to the writers in ``core.writers``; the importers accept the same columns'
headers in Danish and English (``header_aliases``, used by ``core.importing.Subject``), so an
exported file imports again.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

import tablib
from django.db.models import QuerySet
from django.utils.encoding import force_str
from import_export import resources
from import_export.declarative import ModelDeclarativeMetaclass
from import_export.fields import Field

# Rows read from the database per round trip while exporting.
CHUNK = 2000

# A function applied to a column's raw value on export (a choice label, a JSON member).
Converter = Callable[[Any], object]


class _ColumnsAsDeclared(ModelDeclarativeMetaclass):
    """A resource's columns are the ``Field``s it declares, in the order declared: ``Meta.fields``
    is derived from them unless a resource states it (django-import-export would otherwise add
    every field of the model), so the column list is written once."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "fields"):
            meta.fields = tuple(key for key, value in attrs.items() if isinstance(value, Field))
        return super().__new__(mcs, name, bases, attrs)


class ExportResource(resources.ModelResource, metaclass=_ColumnsAsDeclared):
    """A subject's columns. Subclasses declare every column as a ``Field(attribute=…,
    column_name=_(…))``, in column order; ``convert`` maps a field name to a function applied to its raw value (a
    choice label, a JSON member). Which rows a user may export is the model's QuerySet's rule
    (``exportable_by``, organizations.scoping), applied by whoever hands the rows in."""

    convert: dict[str, Converter] = {}

    def keys(self, selected_fields: Sequence[str] | None = None) -> list[str]:
        return [self.get_field_name(f) for f in self.get_export_fields(selected_fields)]

    def headers(self, selected_fields: Sequence[str] | None = None) -> list[str]:
        # django-import-export has no type information: it returns the column names.
        return cast("list[str]", self.get_export_headers(selected_fields))

    def rows(
        self, source: Iterable[Any] | None = None, selected_fields: Sequence[str] | None = None
    ) -> Iterator[list[object]]:
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

    def export(self, queryset: QuerySet[Any] | None = None, **kwargs: Any) -> tablib.Dataset:
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
    """Columns of computed rows (progress, projections), with the same writers; as declared, in
    order."""

    convert: dict[str, Converter] = {}

    keys = ExportResource.keys
    headers = ExportResource.headers

    def rows(
        self, source: Iterable[Any], selected_fields: Sequence[str] | None = None
    ) -> Iterator[list[object]]:
        return ExportResource.rows(self, list(source), selected_fields)


def header_aliases(
    resource_class: type[ExportResource] | type[ObjectResource],
) -> dict[str, set[str]]:
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


def choice_label(choices: Iterable[tuple[Any, Any]]) -> Converter:
    labels = dict(choices)
    return lambda value: force_str(labels.get(value, value)) if value is not None else None
