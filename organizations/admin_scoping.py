"""Admin that shows and changes only the rows of the municipalities where the user holds a role
granting the permission in question. Every domain app's ModelAdmin builds on this."""

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from import_export.admin import ExportMixin

from core.writers import ADMIN_FORMATS

from . import access
from .models import Municipality


class MunicipalityScopedAdmin:
    """Mixin for ModelAdmin. ``municipality_path`` is the lookup from the model to its municipality."""

    municipality_path = "municipality"

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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids_view = access.municipality_ids_for(request.user, self._perm("view"))
        ids_change = access.municipality_ids_for(request.user, self._perm("change"))
        if ids_view is None or ids_change is None:
            return queryset
        ids = ids_view | ids_change
        if getattr(self, "scope_by_subquery", False) and "__" in self.municipality_path:
            # ``indicator__in (SELECT …)`` instead of joins: the database can then walk an index
            # on the first hop in the changelist's order and stop at the page, instead of sorting
            # every row of the municipality (a million measurements at 100×).
            first, rest = self.municipality_path.split("__", 1)
            related = self.model._meta.get_field(first).related_model
            scope = related._default_manager.filter(**{f"{rest}__in": ids}).values("pk")
            return queryset.filter(**{f"{first}__in": scope})
        return queryset.filter(**{f"{self.municipality_path}__in": ids})

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

    def _writable_ids(self, request) -> set[int] | None:
        add = access.municipality_ids_for(request.user, self._perm("add"))
        change = access.municipality_ids_for(request.user, self._perm("change"))
        if add is None or change is None:
            return None
        return add | change

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only the municipalities (and their units, bodies …) the user may write to.
        allowed = self._writable_ids(request)
        if allowed is not None:
            related = db_field.related_model
            if related is Municipality:
                kwargs["queryset"] = Municipality.objects.filter(pk__in=allowed)
            elif any(f.name == "municipality" for f in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(municipality__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        action = "change" if change else "add"
        if not self._allowed(request, obj, action):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class SharedListAdmin:
    """Mixin for lists every municipality shares (statuses, KL's pipeline model …): anyone with the
    view permission may read them; only superusers add, change or delete, since a change would reach
    every municipality."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ScopedExportMixin(ExportMixin):
    """The admin's export button (django-import-export) with the project's resources and writers:
    only for the roles that may export (analyst, HR officer, administrator), only rows of the
    municipalities where the user has such a role, as the changelist's filters select them."""

    export_formats = ADMIN_FORMATS

    def has_export_permission(self, request):
        ids = access.export_municipality_ids(request.user)
        return ids is None or bool(ids)

    def get_export_queryset(self, request):
        queryset = super().get_export_queryset(request)
        resource = self.get_export_resource_classes(request)[0]()
        return resource.scoped(queryset, access.export_municipality_ids(request.user))
