from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import access, services
from .admin_history import AuditHistoryAdmin
from .admin_scoping import MunicipalityScopedAdmin
from .admin_writes import VersionedAdminMixin
from .models import (
    PROVENANCE,
    Body,
    Membership,
    Municipality,
    OrganisationalUnit,
    Profession,
    SourceDocument,
    User,
)


class SuperuserCreatesMixin:
    """Only a superuser adds or deletes these rows (municipalities, accounts); others may edit."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(SuperuserCreatesMixin, VersionedAdminMixin, AuditHistoryAdmin, DjangoUserAdmin):
    """Accounts are managed by superusers; municipality administrators manage memberships."""

    write_services = services.USER

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Municipality)
class MunicipalityAdmin(
    SuperuserCreatesMixin, VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin
):
    write_services = services.MUNICIPALITY
    list_display = ["name", "code", "is_published"]
    search_fields = ["name", "code"]
    readonly_fields = PROVENANCE

    def _municipality_of(self, obj):
        return obj

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Name and official code are facts, not something a municipality edits about itself.
            fields += ["name", "code", "slug"]
        return fields


@admin.register(OrganisationalUnit)
class OrganisationalUnitAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.UNIT
    list_display = ["name", "kind", "parent", "municipality"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name"]
    list_select_related = ["parent", "municipality"]
    readonly_fields = PROVENANCE


@admin.register(Profession)
class ProfessionAdmin(VersionedAdminMixin, AuditHistoryAdmin, admin.ModelAdmin):
    write_services = services.PROFESSION
    list_display = ["name", "name_plural", "key"]
    search_fields = ["name"]
    readonly_fields = PROVENANCE


@admin.register(Body)
class BodyAdmin(VersionedAdminMixin, AuditHistoryAdmin, admin.ModelAdmin):
    write_services = services.BODY
    list_display = ["name", "kind", "municipality"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["municipality"]
    readonly_fields = PROVENANCE

    def get_queryset(self, request):
        # Cross-municipal bodies (KKR, KL) are public facts; municipal ones are scoped.
        queryset = super().get_queryset(request)
        ids = access.municipality_ids_for(request.user)
        if ids is None:
            return queryset
        return queryset.filter(municipality__isnull=True) | queryset.filter(municipality__in=ids)


@admin.register(SourceDocument)
class SourceDocumentAdmin(VersionedAdminMixin, AuditHistoryAdmin, admin.ModelAdmin):
    write_services = services.SOURCE_DOCUMENT
    list_display = ["title", "publisher", "published_on", "file_name"]
    search_fields = ["title", "key"]


@admin.register(Membership)
class MembershipAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.MEMBERSHIP
    list_display = ["user", "municipality", "role", "created_at"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "municipality"]

    def get_readonly_fields(self, request, obj=None):
        # A membership's person and place are fixed; to move someone, remove and grant anew.
        return ["user", "municipality"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            # Offer only people already in one's own municipalities, or in none yet: the names of
            # other municipalities' staff are not this administrator's business.
            ids = access.municipality_ids_for(request.user, self._perm("change")) or set()
            kwargs["queryset"] = (
                User.objects.filter(memberships__municipality__in=ids)
                | User.objects.filter(memberships__isnull=True)
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("municipality", "user"):
            self.delete_model(request, membership)


admin.site.site_url = "/"
# Lazy, so each request shows it in its own language; django-stubs declares the attribute as str.
admin.site.empty_value_display = _("(none)")  # type: ignore[assignment]
