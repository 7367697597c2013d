"""The admin for workforce data, scoped to the user's municipalities. Scenarios (with their rates
and assumed effects) are edited here; staffing is imported from a spreadsheet through a preview."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_import import ImportAdminMixin
from core.admin_mixins import LabelledTabularInline
from organizations.admin_scoping import MunicipalityScopedAdmin, ScopedExportMixin, SharedListAdmin
from organizations.admin_writes import VersionedAdminMixin
from organizations.models import PROVENANCE, OrganisationalUnit
from recommendations.models import Recommendation

from . import importing, models, services
from .resources import StaffingSnapshotResource


class ScenarioRateInline(LabelledTabularInline):
    model = models.ScenarioRate
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
    model = models.ScenarioEffect
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


@admin.register(models.Scenario)
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


@admin.register(models.StaffingSnapshot)
class StaffingSnapshotAdmin(
    ImportAdminMixin,
    VersionedAdminMixin,
    ScopedExportMixin,
    MunicipalityScopedAdmin,
    admin.ModelAdmin,
):
    write_services = services.STAFFING_SNAPSHOT
    resource_classes = [StaffingSnapshotResource]
    list_display = ["unit", "profession", "date", "headcount", "fte", "vacancies", "is_demo"]
    list_filter = ["profession", "date", "is_demo"]
    list_select_related = ["unit", "profession"]
    search_fields = ["unit__name"]
    import_subject = importing.SUBJECT


@admin.register(models.InstitutionSize)
class InstitutionSizeAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.INSTITUTION_SIZE
    list_display = ["unit", "year", "measure", "value", "is_demo"]
    list_select_related = ["unit"]


@admin.register(models.DemandDriver)
class DemandDriverAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.DEMAND_DRIVER
    list_display = ["key", "label", "municipality", "year", "value", "is_demo"]
    list_filter = ["key"]


@admin.register(models.StaffingNorm)
class StaffingNormAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.STAFFING_NORM
    list_display = ["unit_kind", "profession", "driver_key", "staff_per_unit", "municipality"]


@admin.register(models.WorkforceFact)
class WorkforceFactAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.WORKFORCE_FACT
    list_display = ["label", "value", "unit", "year", "municipality", "source"]
    readonly_fields = PROVENANCE


@admin.register(models.ReferenceShortage)
class ReferenceShortageAdmin(VersionedAdminMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    write_services = services.REFERENCE_SHORTAGE
    list_display = ["label", "year", "value_min", "value_max", "unit", "per", "municipality"]
    readonly_fields = PROVENANCE


class PipelineSeriesInline(LabelledTabularInline):
    model = models.PipelineSeries
    extra = 0
    fields = ["kind", "year", "value", "approximate", "note"]


@admin.register(models.PipelineModel)
class PipelineModelAdmin(VersionedAdminMixin, SharedListAdmin, admin.ModelAdmin):
    """KL's graduate pipeline is shared by every municipality: only superusers change it."""

    write_services = services.PIPELINE_MODEL

    list_display = [
        "title",
        "region",
        "profession",
        "completion_rate",
        "completion_rate_first_year",
        "completion_rate_last_year",
        "constant_inflow",
    ]
    inlines = [PipelineSeriesInline]
