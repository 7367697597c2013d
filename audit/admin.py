"""The audit log in the admin: read-only for everyone, superusers included; an administrator sees the
entries of the municipalities where their role grants ``audit.view_auditentry``; entries that belong
to no municipality (user accounts, shared lists) only superusers see. Export writes what the list
shows (same filters and search) as CSV."""

import csv
import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organizations.admin_scoping import MunicipalityScopedAdmin

from .models import AuditEntry

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def export_rows(entries):
    yield [
        gettext("time"),
        gettext("actor"),
        gettext("address"),
        gettext("municipality"),
        gettext("action"),
        gettext("kind of record"),
        gettext("record id"),
        gettext("record"),
        gettext("changes"),
    ]
    for entry in entries:
        yield [
            timezone.localtime(entry.time).isoformat(timespec="seconds"),
            entry.actor_display,
            entry.ip_address or "",
            entry.municipality.name if entry.municipality else "",
            entry.get_action_display(),
            entry.model_label,
            entry.object_id,
            entry.object_repr,
            json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
        ]


def csv_response(entries, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    for row in export_rows(entries):
        writer.writerow([neutralise(cell) for cell in row])
    return response


@admin.register(AuditEntry)
class AuditEntryAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = [
        "time",
        "actor_column",
        "action",
        "model_label",
        "object_repr",
        "municipality",
        "changed_fields",
    ]
    list_filter = ["action", "model_label", "municipality", "time"]
    search_fields = ["object_repr", "actor_name", "object_id"]
    list_select_related = ["municipality"]
    date_hierarchy = "time"
    actions = ["export_selected"]
    fields = [
        "time",
        "actor_name",
        "ip_address",
        "municipality",
        "action",
        "model_label",
        "object_id",
        "object_repr",
        "changes_table",
    ]
    readonly_fields = fields

    # Read-only for everyone ---------------------------------------------------------------------
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("municipality")

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ["action", "model_label", "time"]

    # Display -------------------------------------------------------------------------------------
    @admin.display(description=_("actor"), ordering="actor_name")
    def actor_column(self, entry):
        return entry.actor_display

    @admin.display(description=_("changed fields"))
    def changed_fields(self, entry):
        return ", ".join(sorted(entry.changes or {}))

    @admin.display(description=_("changes"))
    def changes_table(self, entry):
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (name, json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False))
                for name, (old, new) in sorted((entry.changes or {}).items())
            ),
        )
        return format_html(
            "<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("field"),
            gettext("old value"),
            gettext("new value"),
            rows,
        )

    # Export --------------------------------------------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        query = request.GET.urlencode()
        extra_context["export_url"] = reverse("admin:audit_auditentry_export") + (
            f"?{query}" if query else ""
        )
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        """The list as shown (filters, search), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        entries = changelist.get_queryset(request).select_related("municipality")
        return csv_response(entries, f"audit-{timezone.localdate():%Y-%m-%d}.csv")

    @admin.action(description=_("Export the selected entries as CSV"), permissions=["view"])
    def export_selected(self, request, queryset):
        return csv_response(
            queryset.select_related("municipality"),
            f"audit-{timezone.localdate():%Y-%m-%d}.csv",
        )
