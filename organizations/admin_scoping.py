"""Admin that shows and changes only the rows of the municipalities where the user holds a role
granting the permission in question. Every domain app's ModelAdmin builds on this."""

from typing import cast

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from import_export.admin import ExportMixin
from import_export.forms import SelectableFieldsExportForm

from core import writers
from core.admin_mixins import filtered_list_view
from core.writers import ADMIN_FORMATS

from . import access, scoping
from .admin_history import AuditHistoryAdmin
from .models import Municipality


def writable(model_admin, request, model):
    """``model``'s rows a record of ``model_admin`` (an admin or an inline) may link to: those of
    the municipalities where the user may add or change such records."""
    opts = model_admin.opts
    perms = [f"{opts.app_label}.{get_permission_codename(a, opts)}" for a in ("add", "change")]
    return scoping.scoped(model).editable_by(request.user, *perms)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-field filter offering only the plans, reports, themes, bodies, municipalities …
    of the municipalities whose rows the changelist shows (the same rule as the list: the admin's
    view or change permission). ``MunicipalityScopedAdmin`` gives it to every such filter."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        allowed = scoping.scoped(field.related_model).editable_by(
            request.user, model_admin._perm("view"), model_admin._perm("change")
        )
        return field.get_choices(
            include_blank=False,
            ordering=ordering,
            limit_choices_to=Q(pk__in=allowed.order_by().values("pk")),
        )


class MunicipalityScopedAdmin(AuditHistoryAdmin):
    """Mixin for ModelAdmin. The model's QuerySet (``organizations.scoping.ScopedQuerySet``) says how a
    row belongs to a municipality; the lists, drop-downs and exports call its rules."""

    @property
    def municipality_path(self) -> str:
        return scoping.municipality_path(self.model)

    def _perm(self, action: str) -> str:
        opts = self.opts
        return f"{opts.app_label}.{get_permission_codename(action, opts)}"

    def _municipality_of(self, obj):
        current = obj
        for part in self.municipality_path.split("__"):
            current = getattr(current, part, None)
            if current is None:
                return None
        return current

    def _allowed(self, request, obj, action: str) -> bool:
        return access.has_perm_in(request.user, self._perm(action), self._municipality_of(obj))

    def get_list_filter(self, request):
        """The declared filters, each on a municipality's rows (``"plan"``, ``"indicator__plan"``,
        ``"municipality"`` …) offering only those of the user's municipalities: the sidebar never
        names another municipality's plan or report."""
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry):
        if isinstance(entry, str):
            related = get_fields_from_path(self.model, entry)[-1].related_model
            if isinstance(related, type) and scoping.is_scoped(related):
                return (entry, ScopedRelatedFilter)
        return entry

    def get_queryset(self, request):
        # A scoped model's manager gives a ScopedQuerySet (scoping.scoped() insists), which the
        # admin's types cannot know.
        rows = cast(scoping.ScopedQuerySet, super().get_queryset(request))
        return rows.editable_by(request.user, self._perm("view"), self._perm("change"))

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return (
            obj is None
            or self._allowed(request, obj, "view")
            or self._allowed(request, obj, "change")
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self._allowed(request, obj, "change")

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or self._allowed(request, obj, "delete")

    def writable(self, request, model):
        return writable(self, request, model)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the municipalities (and their units, bodies, reports …) the user may write to.
        if scoping.is_scoped(db_field.related_model):
            kwargs.setdefault("queryset", self.writable(request, db_field.related_model))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        action = "change" if change else "add"
        if not self._allowed(request, obj, action):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class SharedListAdmin(AuditHistoryAdmin):
    """Mixin for lists every municipality shares (statuses, KL's pipeline model …): anyone with the
    view permission may read them; only superusers add, change or delete, since a change would reach
    every municipality."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ColumnNamesExportForm(SelectableFieldsExportForm):
    """The export page's choice of columns, each under the column's translated name (what the
    file's header will say), not django-import-export's title-cased attribute name beside it
    ("Headcount (Antal ansatte)")."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field is not None else field_name


class ScopedExportMixin(ExportMixin):
    """The admin's export button (django-import-export) with the project's resources and writers:
    only for the roles that may export (analyst, HR officer, administrator), only rows of the
    municipalities where the user has such a role, as the changelist's filters select them."""

    export_formats = ADMIN_FORMATS
    export_form_class = ColumnNamesExportForm

    def has_export_permission(self, request):
        ids = access.export_municipality_ids(request.user)
        return ids is None or bool(ids)

    def get_export_queryset(self, request):
        # The changelist's rows (already scoped by get_queryset), of those the ones one may export.
        return super().get_export_queryset(request).exportable_by(request.user)

    # What only orders or pages the changelist; anything else in the address narrows the rows.
    NOT_FILTERS = frozenset({"o", "p", "_to_field", "_popup", "all"})

    @filtered_list_view
    def export_action(self, request):
        return super().export_action(request)

    def get_export_filename(self, request, queryset, file_format):
        """The product's one file-name scheme (``core.writers.file_name``): the municipality, the
        subject, every row or the filtered ones, the CSV variant and the day, so the two CSVs and a
        filtered and a full export never share a name."""
        ids = access.export_municipality_ids(request.user)
        place = "alle-kommuner"
        if ids is not None and len(ids) == 1:
            place = Municipality.objects.get(pk=next(iter(ids))).slug
        narrowed = any(key not in self.NOT_FILTERS for key in request.GET)
        return writers.file_name(
            file_format.key,
            place=place,
            subject=writers.name_part(str(self.model._meta.verbose_name_plural)),
            scope=writers.FILTERED if narrowed else writers.FULL,
        )
