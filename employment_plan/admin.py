"""Admin for employment plans, scoped to the user's municipalities. Measurements are written through
the services (so the percent/date checks and the baseline rule apply here too); a plan offers
"enter one period's values"; measurements are imported from their changelist (core.admin_import)."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin.options import BaseModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, Field
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_import import ImportAdminMixin
from core.admin_mixins import LabelledTabularInline
from organizations import access
from organizations.admin_scoping import MunicipalityScopedAdmin, ScopedExportMixin, writable
from organizations.admin_writes import VersionedAdminMixin
from organizations.models import PROVENANCE, Municipality
from organizations.scoping import is_scoped

from . import importing, models, services
from .forms import (
    MeasurementAdminForm,
    MeasurementInlineForm,
    PeriodValuesForm,
)
from .resources import IndicatorResource, MeasurementResource

if TYPE_CHECKING:
    # Mixed into ModelAdmins and inlines: to the type checker it is their common base.
    RelatedScopeBase = BaseModelAdmin[Any]
else:
    RelatedScopeBase = object


class RelatedScope(RelatedScopeBase):
    """Danish number input (12,5) and display; and limits drop-downs of plans and their children
    (focus areas, indicators) to the municipalities where the user may write — inlines too."""

    formfield_overrides: ClassVar[Mapping[type[Field], Mapping[str, Any]]] = {
        DecimalField: {"localize": True}
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Municipality and self.model is models.ComparisonMeasurement:
            # Comparison municipalities are other municipalities, by definition.
            return BaseModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        if is_scoped(related):
            kwargs.setdefault("queryset", writable(self, request, related))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedRelationsMixin(VersionedAdminMixin, RelatedScope, MunicipalityScopedAdmin):
    """Scoped, and saving through the entity's services with the version check."""


class ScopedInline(RelatedScope, LabelledTabularInline):
    """An inline inside an already scoped parent: only the drop-downs need limiting."""

    extra = 0


class PlanFactInline(ScopedInline):
    model = models.PlanFact
    fields = ["position", "key", "label", "value", "unit", "date", "period_text"]


class FocusAreaInline(ScopedInline):
    model = models.FocusArea
    fields = ["number", "title"]
    show_change_link = True


class InitiativeInline(ScopedInline):
    model = models.Initiative
    fields = ["position", "kind", "title", "status"]


# A measurement as a person enters it, on the indicator's page and on its own.
MEASUREMENT_ENTRY = [*models.Measurement.STATED_FIELDS, "entered_by"]


class MeasurementInline(ScopedInline):
    model = models.Measurement
    form = MeasurementInlineForm
    fields = list(MEASUREMENT_ENTRY)
    readonly_fields = ["entered_by"]
    ordering = ["date", "id"]


class ComparisonInline(ScopedInline):
    model = models.ComparisonMeasurement
    fields = ["municipality", "date", "period_label", "value"]


@admin.register(models.EmploymentPlan)
class EmploymentPlanAdmin(ScopedRelationsMixin, admin.ModelAdmin):
    write_services = services.EMPLOYMENT_PLAN
    list_display = ["title", "municipality", "period_start", "period_end", "adopted_on"]
    list_filter = ["municipality"]
    search_fields = ["title"]
    list_select_related = ["municipality"]
    readonly_fields = PROVENANCE
    filter_horizontal = ["comparison_municipalities"]
    inlines = [FocusAreaInline, PlanFactInline]
    change_form_template = "employment_plan/admin/plan_change_form.html"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "comparison_municipalities":
            kwargs["queryset"] = Municipality.objects.all()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/enter-values/",
                self.admin_site.admin_view(self.enter_values_view),
                name="{}_{}_enter_values".format(*info),
            ),
        ] + super().get_urls()

    def _plan_for(self, request, object_id, perm):
        if not str(object_id).isdigit():
            raise Http404  # "abc", "-1", "1.5": no plan's address
        plan = (
            models.EmploymentPlan.objects.filter(pk=object_id)
            .select_related("municipality")
            .first()
        )
        if plan is None or not access.is_member(request.user, plan.municipality):
            raise Http404
        if not access.has_perm_in(request.user, perm, plan.municipality):
            raise PermissionDenied
        return plan

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_enter_values"] = access.has_perm_in(
                request.user, "employment_plan.add_measurement", obj.municipality
            )
            context["can_import"] = access.has_perm_in(
                request.user, importing.SUBJECT.permission, obj.municipality
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _context(self, request, plan, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "plan": plan,
            "original": plan,
            "title": title,
            "has_view_permission": True,
        }

    def enter_values_view(self, request, object_id):
        plan = self._plan_for(request, object_id, "employment_plan.add_measurement")
        indicators = plan.indicators.select_related("plan").order_by("position", "code")
        form = PeriodValuesForm(request.POST or None, indicators=indicators)
        if request.method == "POST" and form.is_valid():
            values = form.values()
            if not values:
                form.add_error(None, _("Enter at least one value."))
            else:
                try:
                    created = services.measurements_record_period(
                        plan=plan,
                        date=form.cleaned_data["date"],
                        values=values,
                        period_label=form.cleaned_data["period_label"],
                        source=form.cleaned_data["source"],
                        acting_user=request.user,
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
                else:
                    self.message_user(
                        request,
                        _("%(count)s measurements saved.") % {"count": len(created)},
                        messages.SUCCESS,
                    )
                    return redirect(
                        reverse("admin:employment_plan_employmentplan_change", args=[plan.pk])
                    )
        context = self._context(
            request, plan, _("Enter one period's values: %(plan)s") % {"plan": plan}
        )
        context["form"] = form
        return TemplateResponse(request, "employment_plan/admin/enter_values.html", context)


@admin.register(models.FocusArea)
class FocusAreaAdmin(ScopedRelationsMixin, admin.ModelAdmin):
    write_services = services.FOCUS_AREA
    list_display = ["__str__", "plan"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    readonly_fields = PROVENANCE
    inlines = [InitiativeInline]


@admin.register(models.Initiative)
class InitiativeAdmin(ScopedRelationsMixin, admin.ModelAdmin):
    write_services = services.INITIATIVE
    list_display = ["title", "kind", "status", "focus_area"]
    list_filter = ["kind", "status", "focus_area__plan"]
    search_fields = ["title"]
    list_select_related = ["focus_area", "focus_area__plan"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(PROVENANCE)
        if obj is not None and not access.has_perm_in(
            request.user, "employment_plan.add_initiative", obj.focus_area.plan.municipality
        ):
            # HR officers keep the status up to date; what the plan says is not theirs to edit.
            fields += ["focus_area", "position", "kind", "title"]
        return fields


@admin.register(models.Indicator)
class IndicatorAdmin(ScopedExportMixin, ScopedRelationsMixin, admin.ModelAdmin):
    # One count (of the filtered rows) instead of two: the unfiltered total is a second
    # COUNT(*) over every row of the municipality.
    show_full_result_count = False
    resource_classes = [IndicatorResource]
    write_services = services.INDICATOR
    list_display = [
        "code",
        "title",
        "plan",
        "unit",
        "target_kind",
        "target_absolute",
        "awaiting_baseline",
    ]
    list_filter = ["plan", "target_kind", "unit", "awaiting_baseline"]
    search_fields = ["code", "title"]
    list_select_related = ["plan"]
    readonly_fields = ["target_absolute", *PROVENANCE]
    inlines = [MeasurementInline, ComparisonInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "plan",
                    "focus_area",
                    "code",
                    "position",
                    "title",
                    "unit",
                    "direction",
                    "version_seen",
                ]
            },
        ),
        (
            gettext_lazy("Baseline"),
            {
                "fields": [
                    "baseline_value",
                    "baseline_date",
                    "baseline_label",
                    "awaiting_baseline",
                    "baseline_period",
                ]
            },
        ),
        (
            gettext_lazy("Target"),
            {
                "fields": [
                    "target_kind",
                    "target_value",
                    "target_operator",
                    "target_absolute",
                    "target_date",
                    "target_text",
                ]
            },
        ),
        (
            gettext_lazy("Follow-up"),
            {"fields": ["data_source", "responsible_unit", "responsible_text", "inconsistency"]},
        ),
        (gettext_lazy("Source"), {"fields": list(PROVENANCE)}),
    ]

    # Measurements have rules of their own (percent range, plan period, the baseline).
    def save_child(self, child, *, acting_user, path):
        if not isinstance(child, models.Measurement):
            return super().save_child(child, acting_user=acting_user, path=path)
        save = services.measurement_create if child.pk is None else services.measurement_update
        return save(measurement=child, acting_user=acting_user)

    def delete_child(self, child, *, acting_user, path):
        if not isinstance(child, models.Measurement):
            return super().delete_child(child, acting_user=acting_user, path=path)
        return services.measurement_delete(measurement=child, acting_user=acting_user)


@admin.register(models.Measurement)
class MeasurementAdmin(ImportAdminMixin, ScopedExportMixin, ScopedRelationsMixin, admin.ModelAdmin):
    import_subject = importing.SUBJECT
    # One count (of the filtered rows) instead of two: the unfiltered total is a second
    # COUNT(*) over every row of the municipality (a million measurements at 100×).
    show_full_result_count = False
    resource_classes = [MeasurementResource]
    form = MeasurementAdminForm
    write_services = services.MEASUREMENT
    list_display = ["indicator", "date", "value", "provisional", "entered_by", "created_at"]
    # A date filter without queries instead of a date hierarchy: the hierarchy reads the distinct
    # years of every measurement of the municipality (a million at 100×) on each request.
    list_filter = ["provisional", "indicator__plan", ("date", admin.DateFieldListFilter)]
    search_fields = ["indicator__code", "indicator__title"]
    list_select_related = ["indicator", "entered_by"]
    # By indicator (id) and date, as the index measurement_indicator_date is laid out; the model's
    # ordering follows the indicator to its plan and municipality and sorts every row.
    ordering = ["indicator_id", "date", "id"]
    fields = ["indicator", *MEASUREMENT_ENTRY, "version_seen", *PROVENANCE]
    readonly_fields = ["entered_by", *PROVENANCE]


@admin.register(models.ComparisonMeasurement)
class ComparisonMeasurementAdmin(ScopedRelationsMixin, admin.ModelAdmin):
    write_services = services.COMPARISON_MEASUREMENT
    list_display = ["indicator", "municipality", "date", "value"]
    list_select_related = ["indicator", "municipality"]
    readonly_fields = PROVENANCE


@admin.register(models.PlanFact)
class PlanFactAdmin(ScopedRelationsMixin, admin.ModelAdmin):
    write_services = services.PLAN_FACT
    list_display = ["label", "value", "unit", "period_text", "plan"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    readonly_fields = PROVENANCE
