"""The admin for workforce data, scoped to the user's municipalities. Scenarios (with their rates
and assumed effects) are edited here; staffing is imported from a spreadsheet through a preview."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.tabular import TableError, read_table, upload_error
from organizations.admin_scoping import MunicipalityScopedAdmin, ScopedExportMixin, SharedListAdmin
from organizations.admin_writes import VersionedAdminMixin
from organizations.models import Municipality, OrganisationalUnit
from recommendations.models import Recommendation

from . import importing, services
from .forms import StaffingImportForm
from .models import (
    DemandDriver,
    InstitutionSize,
    PipelineModel,
    PipelineSeries,
    ReferenceShortage,
    Scenario,
    ScenarioEffect,
    ScenarioRate,
    StaffingNorm,
    StaffingSnapshot,
    WorkforceFact,
)
from .resources import StaffingSnapshotResource


class ScenarioRateInline(admin.TabularInline):
    model = ScenarioRate
    extra = 0
    fields = ["profession", "unit", "leaver_rate", "hires_per_year"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            # Only one's own institutions: another municipality's are not this user's business.
            kwargs["queryset"] = OrganisationalUnit.objects.editable_by(
                request.user, "workforce.change_scenario"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScenarioEffectInline(admin.StackedInline):
    model = ScenarioEffect
    extra = 0
    fields = [
        "profession",
        "from_year",
        "leaver_rate_change_pp",
        "hires_change",
        "text",
        "recommendations",
    ]
    filter_horizontal = ["recommendations"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "recommendations":
            # A scenario may assume the effect of any recommendation the user may read.
            kwargs["queryset"] = Recommendation.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Scenario)
class ScenarioAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.SCENARIO
    list_display = ["name", "municipality", "start_year", "horizon", "is_baseline", "is_demo"]
    list_filter = ["is_baseline", "is_demo"]
    inlines = [ScenarioRateInline, ScenarioEffectInline]
    fieldsets = [
        (None, {"fields": ["municipality", "name", "description", "is_baseline", "is_demo"]}),
        (_("Time"), {"fields": ["start_year", "horizon"]}),
        (_("Retirement"), {"fields": ["retirement_method", "retirement_age", "exit_rates"]}),
        (
            _("Leavers and hiring"),
            {
                "fields": [
                    "default_leaver_rate",
                    "hiring_mode",
                    "pipeline",
                    "pipeline_share",
                    "entry_band",
                ]
            },
        ),
        (_("Demand"), {"fields": ["demand_method", "demand_growth"]}),
    ]


@admin.register(StaffingSnapshot)
class StaffingSnapshotAdmin(
    VersionedAdminMixin, ScopedExportMixin, MunicipalityScopedAdmin, admin.ModelAdmin
):
    write_services = services.STAFFING_SNAPSHOT
    resource_classes = [StaffingSnapshotResource]
    list_display = ["unit", "profession", "date", "headcount", "fte", "vacancies", "is_demo"]
    list_filter = ["profession", "date", "is_demo"]
    list_select_related = ["unit", "profession"]
    search_fields = ["unit__name"]
    change_list_template = "admin/workforce/staffingsnapshot_change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="workforce_staffingsnapshot_import",
            )
        ] + super().get_urls()

    def _import_municipalities(self, request):
        return Municipality.objects.editable_by(request.user, importing.IMPORT_PERM)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self._import_municipalities(request).exists():
            extra_context["import_url"] = reverse("admin:workforce_staffingsnapshot_import")
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload → preview (aggregated) → confirm → every snapshot written, or none."""
        allowed = self._import_municipalities(request)
        if not allowed.exists():
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import staffing"),
            "opts": self.opts,
            "aggregated_columns": importing.AGGREGATED,
            "staff_list_columns": importing.STAFF_LIST,
        }
        if request.method == "POST" and "confirm" in request.POST:
            municipality = allowed.filter(pk=request.POST.get("municipality")).first()
            if municipality is None:
                raise PermissionDenied
            try:
                rows = importing.unsign(request.POST.get("payload", ""), municipality)
            except importing.PayloadError:
                self.message_user(
                    request,
                    _("The preview expired or was altered; upload the file again."),
                    messages.ERROR,
                )
                return redirect("admin:workforce_staffingsnapshot_import")
            counts = services.staffing_import_apply(rows=rows, acting_user=request.user)
            self.message_user(
                request,
                _(
                    "Staffing imported: %(created)d snapshots created, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % counts,
                messages.SUCCESS,
            )
            return redirect("admin:workforce_staffingsnapshot_changelist")
        form = StaffingImportForm(
            request.POST or None, request.FILES or None, municipalities=allowed
        )
        if request.method == "POST" and form.is_valid():
            municipality = form.cleaned_data["municipality"]
            try:
                header, table_rows = read_table(form.cleaned_data["file"])
                result = importing.preview(
                    header, table_rows, municipality=municipality, date=form.cleaned_data["date"]
                )
            except TableError as exc:
                form.add_error("file", upload_error(exc, "staffing"))
            else:
                context.update(preview=result, municipality=municipality)
                if result.ok:
                    context["payload"] = importing.sign(result, municipality)
        context["form"] = form
        return TemplateResponse(request, "admin/workforce/import_staffing.html", context)


@admin.register(InstitutionSize)
class InstitutionSizeAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.INSTITUTION_SIZE
    list_display = ["unit", "year", "measure", "value", "is_demo"]
    list_select_related = ["unit"]


@admin.register(DemandDriver)
class DemandDriverAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.DEMAND_DRIVER
    list_display = ["key", "label", "municipality", "year", "value", "is_demo"]
    list_filter = ["key"]


@admin.register(StaffingNorm)
class StaffingNormAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.STAFFING_NORM
    list_display = ["unit_kind", "profession", "driver_key", "staff_per_unit", "municipality"]


@admin.register(WorkforceFact)
class WorkforceFactAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.WORKFORCE_FACT
    list_display = ["label", "value", "unit", "year", "municipality", "source"]
    readonly_fields = ["source", "source_section"]


@admin.register(ReferenceShortage)
class ReferenceShortageAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.REFERENCE_SHORTAGE
    list_display = ["label", "year", "value_min", "value_max", "unit", "per", "municipality"]
    readonly_fields = ["source", "source_section"]


class PipelineSeriesInline(admin.TabularInline):
    model = PipelineSeries
    extra = 0
    fields = ["kind", "year", "value", "approximate", "note"]


@admin.register(PipelineModel)
class PipelineModelAdmin(VersionedAdminMixin, SharedListAdmin, admin.ModelAdmin):
    """KL's graduate pipeline is shared by every municipality: only superusers change it."""

    write_services = services.PIPELINE_MODEL

    list_display = ["title", "region", "profession", "completion_rate", "constant_inflow"]
    inlines = [PipelineSeriesInline]
