"""The admin where HR and administrative staff keep recommendations up to date. Every status change,
from the change page's status form or the bulk action, goes through services.recommendation_change_status."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_import import ImportAdminMixin
from core.admin_mixins import LabelledTabularInline
from organizations import access
from organizations.admin_scoping import MunicipalityScopedAdmin, ScopedExportMixin
from organizations.admin_writes import VersionedAdminMixin
from organizations.models import PROVENANCE, Municipality, User

from .. import importing, selectors, services
from ..forms import BulkStatusForm, RecommendationAdminForm, StatusChangeForm
from ..freshness import freshness
from ..models import (
    BudgetLine,
    ProgressMode,
    Recommendation,
    UpdateOrigin,
)
from ..resources import RecommendationResource
from .common import NeedsUpdateFilter, add_errors, messages_of, status_badge


class BudgetLineInline(LabelledTabularInline):
    model = BudgetLine
    extra = 0
    fields = ["position", "amount_kr", "period", "description"]


@admin.register(Recommendation)
class RecommendationAdmin(
    ImportAdminMixin,
    VersionedAdminMixin,
    ScopedExportMixin,
    MunicipalityScopedAdmin,
    admin.ModelAdmin,
):
    write_services = services.RECOMMENDATION
    import_subject = importing.SUBJECT
    # One count (of the filtered rows) instead of two: the unfiltered total is a second
    # COUNT(*) over every row of the municipality.
    show_full_result_count = False
    resource_classes = [RecommendationResource]
    form = RecommendationAdminForm
    list_display = [
        "number",
        "short_title",
        "report",
        "theme",
        "status_display",
        "progress_display",
        "days_since_update",
        "needs_update_display",
    ]
    list_display_links = ["number", "short_title"]
    list_filter = [
        "report",  # report and theme: MunicipalityScopedAdmin offers the user's own only
        "theme",
        "status",
        # Only the units responsible for a recommendation shown (a handful), not every unit of
        # the municipality (6,100 institutions at 100×); the admin queryset is already scoped.
        ("responsible_unit", admin.RelatedOnlyFieldListFilter),
        "target_professions",
        NeedsUpdateFilter,
    ]
    search_fields = ["number", "title", "summary"]
    list_select_related = ["status", "theme", "report", "report__municipality"]
    list_per_page = 100
    actions = ["change_status_action"]
    inlines = [BudgetLineInline]
    filter_horizontal = ["target_professions", "addressees", "related"]
    readonly_fields = [
        "status_display",
        "progress_display",
        "last_updated_at",
        "freshness_display",
        "timeline_display",
        "source",
        "source_section",
    ]
    fieldsets = [
        (
            _("Status"),
            {
                "fields": [
                    "status_display",
                    "progress_display",
                    "progress_mode",
                    "weight",
                    "freshness_display",
                    "version_seen",
                ]
            },
        ),
        (
            None,
            {
                "fields": [
                    "report",
                    "theme",
                    "parent",
                    "number",
                    "title",
                    "summary",
                    "purpose",
                    "goal",
                    "actions",
                    "emphasised_points",
                    "target_professions",
                    "addressees",
                ]
            },
        ),
        (
            _("Responsibility and follow-up"),
            {
                "fields": [
                    "responsible_unit",
                    "responsible_text",
                    "contact",
                    "baseline",
                    "baseline_indicator",
                    "follow_up_date",
                    "follow_up_year",
                    "follow_up_text",
                    "resources_text",
                    "next_step",
                    "related",
                    "note",
                ]
            },
        ),
        (_("History"), {"fields": ["timeline_display"]}),
        (_("Source"), {"fields": PROVENANCE, "classes": ["collapse"]}),
    ]

    # Columns -----------------------------------------------------------------------------------
    @admin.display(description=_("title"))
    def short_title(self, obj):
        return obj.title if len(obj.title) <= 90 else obj.title[:88] + "…"

    @admin.display(description=_("status"), ordering="status__position")
    def status_display(self, obj):
        return status_badge(obj.status)

    @admin.display(description=_("progress (%)"), ordering="progress")
    def progress_display(self, obj):
        suffix = _(" (from sub-items)") if obj.progress_mode == ProgressMode.ROLLUP else ""
        return f"{obj.progress:.0f} %{suffix}"

    @admin.display(description=_("days since update"), ordering="last_updated_at")
    def days_since_update(self, obj):
        return (timezone.localdate() - timezone.localtime(obj.last_updated_at).date()).days

    @admin.display(description=_("needs update"), boolean=True)
    def needs_update_display(self, obj):
        return freshness(obj)["needs_update"]

    @admin.display(description=_("freshness"))
    def freshness_display(self, obj):
        info = freshness(obj)
        text = ngettext(
            "Last updated %(days)d day ago.",
            "Last updated %(days)d days ago.",
            info["days_since_update"],
        ) % {"days": info["days_since_update"]}
        if info["needs_update"]:
            text += " " + str(_("Needs update."))
        return text

    @admin.display(description=_("timeline"))
    def timeline_display(self, obj):
        if obj.pk is None:
            return "-"
        detail = selectors.recommendation_detail(obj.pk)
        return render_to_string(
            "admin/recommendations/timeline.html", {"entries": selectors.timeline(detail)}
        )

    def history_sections(self, request, obj):
        # The HISTORIK page: the status history (seed entries included) above the audit log.
        return [(_("Status history"), self.timeline_display(obj))]

    # Scoping and permissions --------------------------------------------------------------------
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Where a recommendation sits is a fact of its report; only its content is edited here.
            fields += ["report"]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Report, theme, parent and indicator are scoped by their QuerySets (the mixin); the
        # contact is a person in one of the municipalities where the user may write.
        if db_field.name == "contact" and not request.user.is_superuser:
            municipalities = self.writable(request, Municipality)
            kwargs["queryset"] = User.objects.filter(
                memberships__municipality__in=municipalities.values("pk")
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "related":
            # A recommendation may cite any the user may read: their own municipalities', the
            # published ones' and the cross-municipal reports' (KL).
            kwargs["queryset"] = Recommendation.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_status_permission(self, request, obj=None):
        if obj is None:
            return access.has_perm_anywhere(request.user, services.STATUS_PERM)
        return services.can_change_status(request.user, obj)

    # The status form ------------------------------------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/status/",
                self.admin_site.admin_view(self.change_status_view),
                name=f"{info[0]}_{info[1]}_status",
            ),
        ] + super().get_urls()

    def change_status_view(self, request, pk):
        recommendation = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_status_permission(request, recommendation):
            raise PermissionDenied
        rollup = (
            recommendation.progress_mode == ProgressMode.ROLLUP and recommendation.children.exists()
        )
        change_url = reverse("admin:recommendations_recommendation_change", args=[pk])
        if request.method == "POST":
            form = StatusChangeForm(request.POST, rollup=rollup)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.recommendation_change_status(
                        recommendation=recommendation,
                        status=data["status"],
                        progress=None if rollup else data["progress"],
                        note=data["note"],
                        effective_on=data["effective_on"],
                        expected_version=data["version"],
                        origin=UpdateOrigin.FORM,
                        acting_user=request.user,
                    )
                except services.StaleEdit as exc:
                    form.add_error(None, exc)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    self.message_user(
                        request,
                        _("The status of recommendation %(number)s is now “%(status)s”.")
                        % {"number": recommendation.number, "status": data["status"].label},
                        messages.SUCCESS,
                    )
                    return redirect(change_url)
        else:
            form = StatusChangeForm(
                initial={
                    "status": recommendation.status_id,
                    "progress": recommendation.progress,
                    "version": recommendation.version,
                },
                rollup=rollup,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change status of recommendation %(number)s")
            % {"number": recommendation.number},
            "opts": self.opts,
            "original": recommendation,
            "form": form,
            "change_url": change_url,
            "current_status": status_badge(recommendation.status),
        }
        return TemplateResponse(request, "admin/recommendations/change_status.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if str(object_id).isdigit():  # otherwise no recommendation's: the admin says it is gone
            extra_context["status_url"] = reverse(
                "admin:recommendations_recommendation_status", args=[object_id]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # The bulk action --------------------------------------------------------------------------------
    @admin.action(description=_("Change status of the selected recommendations"))
    def change_status_action(self, request, queryset):
        if not self.has_change_status_permission(request):
            raise PermissionDenied
        if "apply" in request.POST:
            form = BulkStatusForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with transaction.atomic():
                        updates = services.recommendations_change_status(
                            recommendations=list(queryset),
                            status=data["status"],
                            note=data["note"],
                            effective_on=data["effective_on"],
                            acting_user=request.user,
                        )
                except PermissionDenied:
                    self.message_user(
                        request,
                        _(
                            "Nothing was changed: you may not change the status of some of the "
                            "selected recommendations."
                        ),
                        messages.ERROR,
                    )
                    return None
                except ValidationError as exc:
                    form_errors = "; ".join(messages_of(exc))
                    self.message_user(
                        request,
                        _("Nothing was changed: %(errors)s") % {"errors": form_errors},
                        messages.ERROR,
                    )
                    return None
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d recommendation now has the status “%(status)s”.",
                        "%(count)d recommendations now have the status “%(status)s”.",
                        len(updates),
                    )
                    % {"count": len(updates), "status": data["status"].label},
                    messages.SUCCESS,
                )
                return None
        else:
            form = BulkStatusForm()
        count = queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "title": ngettext(
                "Change status of %(count)d recommendation",
                "Change status of %(count)d recommendations",
                count,
            )
            % {"count": count},
            "opts": self.opts,
            "form": form,
            "queryset": queryset.select_related("status", "report"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/recommendations/bulk_status.html", context)
