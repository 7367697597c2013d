"""Admin for reports, themes, facts, council decisions, the status history and the status list."""

from django.contrib import admin

from core.admin_mixins import ReadOnlyAdminMixin
from organizations.admin_scoping import MunicipalityScopedAdmin, ScopedExportMixin, SharedListAdmin
from organizations.admin_writes import VersionedAdminMixin
from organizations.models import PROVENANCE

from .. import models, services
from ..resources import CouncilDecisionResource, StatusUpdateResource


@admin.register(models.Report)
class ReportAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.REPORT
    # One count (of the filtered rows) instead of two: the unfiltered total is a second
    # COUNT(*) over every row of the municipality.
    show_full_result_count = False
    # A report is a long title; 25 to a page reads well and keeps the page as light as a small
    # municipality's (bench: admin reports 11 → 24 ms at 100 rows a page).
    list_per_page = 25
    list_display = ["title", "issuing_body", "municipality", "published_on", "period_text"]
    list_filter = ["issuing_body__kind"]
    search_fields = ["title", "case_number"]
    list_select_related = ["issuing_body", "municipality"]
    readonly_fields = PROVENANCE


@admin.register(models.Theme)
class ThemeAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.THEME
    list_display = ["number", "title", "report"]
    list_select_related = ["report"]
    readonly_fields = PROVENANCE


@admin.register(models.ReportFact)
class ReportFactAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.REPORT_FACT
    list_display = ["label", "value_number", "value_date", "unit", "report"]
    list_select_related = ["report"]


@admin.register(models.CouncilDecision)
class CouncilDecisionAdmin(
    VersionedAdminMixin, ScopedExportMixin, MunicipalityScopedAdmin, admin.ModelAdmin
):
    write_services = services.COUNCIL_DECISION
    resource_classes = [CouncilDecisionResource]
    list_display = ["meeting_date", "body", "item_number", "item_title", "case_number", "decision"]
    list_filter = ["decision", "body"]
    search_fields = ["item_title", "case_number", "text"]
    list_select_related = ["body"]
    filter_horizontal = ["recommendations"]
    readonly_fields = PROVENANCE

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "recommendations":
            kwargs["queryset"] = self.writable(request, models.Recommendation)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(models.StatusUpdate)
class StatusUpdateAdmin(
    ReadOnlyAdminMixin, ScopedExportMixin, MunicipalityScopedAdmin, admin.ModelAdmin
):
    """The history is read-only: it is written by the status service and never edited."""

    # One count (of the filtered rows) instead of two: the unfiltered total is a second COUNT(*)
    # over every row of the municipality (24,000 status updates at 100×).
    show_full_result_count = False
    resource_classes = [StatusUpdateResource]

    list_display = [
        "effective_on",
        "recommendation",
        "old_status",
        "new_status",
        "progress",
        "author",
        "origin",
    ]
    # A date filter without queries instead of a date hierarchy: the hierarchy reads the distinct
    # years of every status update of the municipality on each request.
    list_filter = ["origin", "new_status", ("effective_on", admin.DateFieldListFilter)]
    list_select_related = [
        "recommendation",
        "old_status",
        "new_status",
        "author",
        "recommendation__report",
    ]


@admin.register(models.Status)
class StatusAdmin(VersionedAdminMixin, SharedListAdmin, admin.ModelAdmin):
    """The status list is shared by every municipality: only superusers configure it."""

    write_services = services.STATUS

    list_display = [
        "name",
        "name_en",
        "colour",
        "closes",
        "default_progress",
        "requires_reason",
        "position",
    ]
    # No list_editable: a changelist row carries no version, so its save could not be checked.


@admin.register(models.Addressee)
class AddresseeAdmin(VersionedAdminMixin, admin.ModelAdmin):
    write_services = services.ADDRESSEE
    search_fields = ["name"]
