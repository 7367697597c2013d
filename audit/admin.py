"""The audit log in the admin: read-only for everyone, superusers included; an administrator sees the
entries of the municipalities where their role grants ``audit.view_auditentry``; entries that belong
to no municipality (user accounts, shared lists) only superusers see. Export writes what the list
shows (same filters and search) through the one set of writers (``core.writers``): CSV for Danish
Excel by default (``?format=csv-comma``, ``xlsx`` and ``json`` too). "Recent login failures" lists
failed and refused logins, scoped by ``AuditEntry.objects.login_failures_visible_to``."""

import json
from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import writers
from core.admin_mixins import ReadOnlyAdminMixin, filtered_list_view
from core.resources import CHUNK
from organizations import login
from organizations.admin_scoping import MunicipalityScopedAdmin

from .models import Action, AuditEntry

# The failures page: how far back, and how many user names and single attempts it lists.
RECENT_FAILURES = timedelta(days=14)
FAILURES_SHOWN = 100

EXPORT_KEYS = [
    "time",
    "actor",
    "address",
    "municipality",
    "action",
    "model_label",
    "object_id",
    "object_repr",
    "changes",
]


def export_headers() -> list[str]:
    return [
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


def export_rows(entries):
    """Plain values: the time is a date and time (typed in XLSX), the rest text."""
    for entry in entries:
        yield [
            entry.time,
            entry.actor_display,
            entry.ip_address or "",
            entry.municipality.name if entry.municipality else "",
            entry.get_action_display(),
            entry.model_label,
            entry.object_id,
            entry.object_repr,
            json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
        ]


def export_response(entries, fmt: str, scope: str):
    """The entries as a download; the file is named for the municipality when they all belong to
    one (an administrator's), otherwise for every municipality."""
    slugs = set(entries.values_list("municipality__slug", flat=True).distinct()[:2])
    place = slugs.pop() if len(slugs) == 1 and None not in slugs else "alle-kommuner"
    body = writers.render(
        fmt,
        title=gettext("Audit log"),
        keys=EXPORT_KEYS,
        headers=export_headers(),
        rows=export_rows(entries.iterator(chunk_size=CHUNK)),
    )
    name = writers.file_name(fmt, place=place, subject="revisionslog", scope=scope)
    return writers.attachment(body, fmt, name)


SHOWN_FIELDS = [
    "time",
    "actor_name",
    "ip_address",
    "municipality",
    "action",
    "kind_column",
    "object_id",
    "object_repr",
    "changes_table",
]


class KindFilter(admin.SimpleListFilter):
    """The kinds of record in the log, by their names in words; the address keeps
    ``?model_label=``, which the export reads too."""

    title = _("kind of record")
    parameter_name = "model_label"

    def lookups(self, request, model_admin):
        labels = model_admin.get_queryset(request).order_by().values_list("model_label", flat=True)
        kinds = {label: AuditEntry(model_label=label).kind for label in labels.distinct()}
        return sorted(kinds.items(), key=lambda pair: pair[1].lower())

    def queryset(self, request, queryset):
        return queryset.filter(model_label=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = [
        "time",
        "actor_column",
        "action",
        "kind_column",
        "object_repr",
        "municipality",
        "changed_fields",
    ]
    list_filter = ["action", KindFilter, "municipality", "time"]
    search_fields = ["object_repr", "actor_name", "object_id"]
    list_select_related = ["municipality"]
    date_hierarchy = "time"
    actions = ["export_selected"]
    # Every field shown is read-only (``list()``: the two options have different types).
    fields = list(SHOWN_FIELDS)
    readonly_fields = SHOWN_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("municipality")

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ["action", KindFilter, "time"]

    # Display -------------------------------------------------------------------------------------
    @admin.display(description=_("actor"), ordering="actor_name")
    def actor_column(self, entry):
        return entry.actor_display

    @admin.display(description=_("kind of record"), ordering="model_label")
    def kind_column(self, entry):
        return entry.kind

    @admin.display(description=_("changed fields"))
    def changed_fields(self, entry):
        return ", ".join(sorted(entry.field_name(name) for name in entry.changes or {}))

    @admin.display(description=_("changes"))
    def changes_table(self, entry):
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td><code>{}</code></td><td><code>{}</code></td></tr>",
            (
                (
                    entry.field_name(name),
                    json.dumps(old, ensure_ascii=False),
                    json.dumps(new, ensure_ascii=False),
                )
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
            path(
                "login-failures/",
                self.admin_site.admin_view(self.login_failures_view),
                name="{}_{}_login_failures".format(*info),
            ),
        ] + super().get_urls()

    # Recent login failures -------------------------------------------------------------------------
    def login_failures_view(self, request):
        """Failed and refused logins of the last days, per user name and one by one: all of them
        for a superuser, those for the accounts of an administrator's members for an administrator
        (``login_failures_visible_to``); whether a user name is paused now."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        since = timezone.now() - RECENT_FAILURES
        entries = AuditEntry.objects.login_failures_visible_to(request.user).filter(time__gte=since)
        names = list(
            entries.values("object_repr")
            .annotate(
                failed=Count("pk", filter=Q(action=Action.LOGIN_FAILED)),
                blocked=Count("pk", filter=Q(action=Action.LOGIN_BLOCKED)),
                addresses=Count("ip_address", distinct=True),
                last=Max("time"),
            )
            .order_by("-last")[:FAILURES_SHOWN]
        )
        for row in names:
            wait = login.LOGIN_ACCOUNT.wait(row["object_repr"])
            row["paused_minutes"] = login.minutes(wait) if wait else 0
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Recent login failures"),
            "days": RECENT_FAILURES.days,
            "names": names,
            "latest": entries.order_by("-time", "-id")[:FAILURES_SHOWN],
            "shown": FAILURES_SHOWN,
        }
        return TemplateResponse(request, "admin/audit/auditentry/login_failures.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["login_failures_url"] = reverse("admin:audit_auditentry_login_failures")
        query = request.GET.urlencode()
        extra_context["export_url"] = reverse("admin:audit_auditentry_export") + (
            f"?{query}" if query else ""
        )
        return super().changelist_view(request, extra_context)

    @filtered_list_view
    def export_view(self, request):
        """The list as shown (filters, search), in ``?format=`` (CSV for Danish Excel by default)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        # The format chooses the file, not the rows: the changelist must not read it as a filter.
        request.GET = request.GET.copy()
        fmt = request.GET.pop("format", ["csv"])[-1]
        if fmt not in writers.FORMATS:
            fmt = "csv"
        filtered = any(key not in ("o", "p", "all") for key in request.GET)
        changelist = self.get_changelist_instance(request)
        entries = changelist.get_queryset(request).select_related("municipality")
        return export_response(entries, fmt, writers.FILTERED if filtered else writers.FULL)

    @admin.action(description=_("Export the selected entries as CSV"), permissions=["view"])
    def export_selected(self, request, queryset):
        return export_response(queryset.select_related("municipality"), "csv", writers.SELECTED)
