"""Staffing per institution and profession, the demand side (institution sizes, demand drivers,
staffing norms), projection scenarios with their assumptions and assumed effects of recommendations,
and the published facts, reference shortages and graduate pipelines the seed data holds.

Staff are never stored one by one: an anonymised staff list is aggregated on import
(workforce/importing.py)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.fields import demo_flag
from core.text import format_date, format_number
from organizations.models import (
    INSTITUTION_KINDS,
    Municipality,
    OrganisationalUnit,
    Profession,
    Sourced,
    UnitKind,
    Versioned,
    inconsistency_field,
)
from organizations.scoping import ScopedQuerySet
from recommendations.models import Recommendation

from .projection import BANDS


class UnitScopedQuerySet(ScopedQuerySet):
    municipality_path = "unit__municipality"


RATE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]
NON_NEGATIVE = [MinValueValidator(Decimal(0))]
# The years a yearly series (an institution's size, a demand driver) may hold a value for.
SERIES_YEARS = [MinValueValidator(1990), MaxValueValidator(2100)]


def _check_institution(unit, field="unit"):
    if unit is not None and unit.kind not in INSTITUTION_KINDS:
        raise ValidationError({field: _("Choose an institution (daycare, care home, school …).")})


class SizeMeasure(models.TextChoices):
    PLACES = "places", _("Places")
    CHILDREN = "children", _("Children enrolled")
    CITIZENS = "citizens", _("Citizens served")
    PUPILS = "pupils", _("Pupils")


class InstitutionSize(Versioned):
    """What an institution serves in a year: care-home places, children enrolled, citizens …"""

    unit = models.ForeignKey(
        OrganisationalUnit,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="sizes",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=SERIES_YEARS)
    measure = models.CharField(_("measure"), max_length=20, choices=SizeMeasure.choices)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=1)
    is_demo = demo_flag()

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution size")
        verbose_name_plural = _("institution sizes")
        ordering = ["unit__name", "year", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "measure"], name="institution_size_unique"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="institution_size_non_negative"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}: {format_number(self.value)} {self.get_measure_display()}"

    def clean(self):
        super().clean()
        _check_institution(getattr(self, "unit", None))


class StaffingSnapshot(Versioned):
    """Staff of one profession in one institution on one date, with the past 12 months' flows."""

    unit = models.ForeignKey(
        OrganisationalUnit,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="staffing",
    )
    profession = models.ForeignKey(
        Profession, verbose_name=_("profession"), on_delete=models.PROTECT, related_name="staffing"
    )
    date = models.DateField(_("date"))
    headcount = models.PositiveIntegerField(_("headcount"))
    fte = models.DecimalField(_("FTE"), max_digits=9, decimal_places=2, validators=NON_NEGATIVE)
    vacancies = models.DecimalField(
        _("vacancies"), max_digits=8, decimal_places=2, default=0, validators=NON_NEGATIVE
    )
    age_bands = models.JSONField(
        _("headcount by age band"),
        default=dict,
        blank=True,
        help_text=_('Five-year bands, e.g. {"25-29": 4, "60-64": 2}.'),
    )
    leavers_retirement = models.PositiveIntegerField(
        _("leavers for retirement, past 12 months"), default=0
    )
    leavers_other = models.PositiveIntegerField(_("other leavers, past 12 months"), default=0)
    hires = models.PositiveIntegerField(_("hires, past 12 months"), default=0)
    is_demo = demo_flag()
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staffing snapshot")
        verbose_name_plural = _("staffing snapshots")
        ordering = ["unit__name", "profession__name", "-date"]
        permissions = [("import_staffing", _("Can import staffing from a spreadsheet"))]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "profession", "date"], name="staffing_snapshot_unique"
            ),
            models.CheckConstraint(condition=Q(fte__gte=0), name="staffing_fte_non_negative"),
            models.CheckConstraint(
                condition=Q(vacancies__gte=0), name="staffing_vacancies_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.profession} – {format_date(self.date)}"

    def clean(self):
        super().clean()
        _check_institution(getattr(self, "unit", None))
        bands = self.age_bands or {}
        if not isinstance(bands, dict):
            raise ValidationError({"age_bands": _("Age bands must be a mapping band → count.")})
        unknown = sorted(set(bands) - set(BANDS))
        if unknown:
            raise ValidationError(
                {"age_bands": _("Unknown age band(s): %(bands)s.") % {"bands": ", ".join(unknown)}}
            )
        if any(not isinstance(v, int | float) or v < 0 for v in bands.values()):
            raise ValidationError({"age_bands": _("Age band counts must be numbers ≥ 0.")})
        if self.headcount is not None and sum(bands.values()) > self.headcount:
            raise ValidationError(
                {"age_bands": _("The age bands add up to more than the headcount.")}
            )

    @property
    def turnover_excluding_retirement(self):
        return self.leavers_other / self.headcount if self.headcount else None


class DemandDriver(Sourced, Versioned):
    """A yearly series per municipality that drives demand, e.g. children 0–6 or citizens 75+."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE
    )
    key = models.SlugField(_("driver"), max_length=60)
    label = models.CharField(_("label"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), validators=SERIES_YEARS)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=1)
    is_demo = demo_flag()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand driver")
        verbose_name_plural = _("demand drivers")
        ordering = ["municipality__name", "key", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key", "year"], name="demand_driver_unique"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="demand_driver_non_negative"),
        ]

    def __str__(self):
        return f"{self.label or self.key} {self.year}: {format_number(self.value)}"


class StaffingNorm(Versioned):
    """Staff of a profession per unit of a driver in a kind of institution (e.g. per child)."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE
    )
    unit_kind = models.CharField(_("kind of institution"), max_length=30, choices=UnitKind.choices)
    profession = models.ForeignKey(
        Profession, verbose_name=_("profession"), on_delete=models.PROTECT
    )
    driver_key = models.SlugField(_("driver"), max_length=60)
    staff_per_unit = models.DecimalField(
        _("staff per unit of driver"), max_digits=10, decimal_places=4, validators=NON_NEGATIVE
    )
    is_demo = demo_flag()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staffing norm")
        verbose_name_plural = _("staffing norms")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit_kind", "profession"], name="staffing_norm_unique"
            ),
            models.CheckConstraint(
                condition=Q(staff_per_unit__gte=0), name="staffing_norm_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.get_unit_kind_display()} – {self.profession}: {format_number(self.staff_per_unit)}"


class PipelineModel(Sourced, Versioned):
    """A graduate-pipeline model such as KL's pedagogue projection (weights, completion, inflow)."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    region = models.CharField(_("region"), max_length=100, blank=True)
    profession = models.ForeignKey(
        Profession, verbose_name=_("profession"), on_delete=models.PROTECT
    )
    weights = models.JSONField(
        _("weights by years before"), help_text=_('e.g. {"5": 0.2, "4": 0.6, "3": 0.2}')
    )
    # Either a rate the source states, or the years whose stored completion rates (series
    # "completion_rate") it averages — KL: 2012–2014. The mean is computed at full precision when
    # the pipeline is used (selectors.completion_rate), never stored rounded.
    completion_rate = models.DecimalField(
        _("completion rate"),
        max_digits=6,
        decimal_places=4,
        validators=RATE,
        null=True,
        blank=True,
        help_text=_("A rate the source states; leave empty to average the yearly rates below."),
    )
    completion_rate_first_year = models.PositiveSmallIntegerField(
        _("average completion rates from"), null=True, blank=True
    )
    completion_rate_last_year = models.PositiveSmallIntegerField(
        _("average completion rates to"), null=True, blank=True
    )
    completion_rate_note = models.TextField(_("note on the completion rate"), blank=True)
    constant_inflow = models.DecimalField(
        _("constant yearly inflow"), max_digits=10, decimal_places=1, default=0
    )
    future_intake = models.DecimalField(
        _("intake assumed for later years"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    assumptions = models.JSONField(_("assumptions"), default=list, blank=True)

    class Meta:
        verbose_name = _("graduate pipeline")
        verbose_name_plural = _("graduate pipelines")
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_rate__gte=0) & Q(completion_rate__lte=1),
                name="pipeline_completion_rate_0_1",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        completion_rate__isnull=False,
                        completion_rate_first_year__isnull=True,
                        completion_rate_last_year__isnull=True,
                    )
                    | Q(
                        completion_rate__isnull=True,
                        completion_rate_first_year__isnull=False,
                        completion_rate_last_year__gte=F("completion_rate_first_year"),
                    )
                ),
                name="pipeline_completion_rate_or_years",
                violation_error_message=_(
                    "Give either a completion rate or the years whose rates are averaged."
                ),
            ),
        ]

    def __str__(self):
        return self.title


class SeriesKind(models.TextChoices):
    INTAKE = "intake", _("Intake")
    COMPLETIONS = "completions", _("Completions")
    COMPLETION_RATE = "completion_rate", _("Completion rate")
    SUPPLY = "supply", _("Supply")
    DEMAND = "demand", _("Demand")


class PipelineSeries(Sourced):
    pipeline = models.ForeignKey(
        PipelineModel, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="series"
    )
    kind = models.CharField(_("series"), max_length=20, choices=SeriesKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    approximate = models.BooleanField(_("approximate"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("pipeline series value")
        verbose_name_plural = _("pipeline series values")
        ordering = ["pipeline", "kind", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "kind", "year"], name="pipeline_series_unique"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="pipeline_series_non_negative"),
        ]

    def __str__(self):
        return f"{self.pipeline} {self.get_kind_display()} {self.year}: {format_number(self.value)}"


class RetirementMethod(models.TextChoices):
    AGE = "age", _("Retirement age")
    RATES = "rates", _("Age-specific exit rates")


class HiringMode(models.TextChoices):
    REPLACE = "replace", _("Every open position is filled")
    FIXED = "fixed", _("Limited: hires per year per profession")
    PIPELINE = "pipeline", _("Limited: a share of a graduate pipeline")


class DemandMethod(models.TextChoices):
    GROWTH = "growth", _("Yearly growth rate")
    DRIVER = "driver", _("Demand driver (e.g. children 0–6, citizens 75+)")


class Scenario(Versioned):
    """The named assumptions of one projection."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("base year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The year whose end-of-year staffing is the starting stock."),
    )
    horizon = models.PositiveSmallIntegerField(
        _("horizon (years)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    retirement_method = models.CharField(
        _("retirement method"),
        max_length=10,
        choices=RetirementMethod.choices,
        default=RetirementMethod.AGE,
    )
    retirement_age = models.DecimalField(
        _("retirement age"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(64),
        validators=[MinValueValidator(50), MaxValueValidator(75)],
    )
    exit_rates = models.JSONField(
        _("exit rates by age band"),
        default=dict,
        blank=True,
        help_text=_('For the exit-rate method, e.g. {"60-64": 0.2, "65-69": 0.6, "70+": 1}.'),
    )
    default_leaver_rate = models.DecimalField(
        _("leaver rate excluding retirement (default)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1"),
        validators=RATE,
    )
    hiring_mode = models.CharField(
        _("hiring"), max_length=10, choices=HiringMode.choices, default=HiringMode.REPLACE
    )
    pipeline = models.ForeignKey(
        PipelineModel,
        verbose_name=_("graduate pipeline"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    pipeline_share = models.DecimalField(
        _("share of the pipeline's graduates hired"),
        max_digits=7,
        decimal_places=5,
        null=True,
        blank=True,
        validators=RATE,
    )
    demand_method = models.CharField(
        _("demand"), max_length=10, choices=DemandMethod.choices, default=DemandMethod.GROWTH
    )
    demand_growth = models.DecimalField(
        _("yearly demand growth"),
        max_digits=6,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(Decimal("-0.5")), MaxValueValidator(Decimal("0.5"))],
    )
    entry_band = models.CharField(
        _("age band of new hires"),
        max_length=5,
        choices=[(b, b) for b in BANDS],
        default="25-29",
    )
    is_baseline = models.BooleanField(_("baseline"), default=False)
    is_demo = demo_flag()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["municipality__name", "-is_baseline", "name"]
        permissions = [("export_projection", _("Can export workforce projections"))]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="scenario_name_unique"),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(is_baseline=True),
                name="one_baseline_scenario_per_municipality",
            ),
            models.CheckConstraint(
                condition=Q(default_leaver_rate__gte=0) & Q(default_leaver_rate__lte=1),
                name="scenario_leaver_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(horizon__gte=1) & Q(horizon__lte=40), name="scenario_horizon_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        rates = self.exit_rates or {}
        if not isinstance(rates, dict) or any(
            band not in BANDS or not isinstance(v, int | float) or not 0 <= v <= 1
            for band, v in rates.items()
        ):
            raise ValidationError(
                {"exit_rates": _("Exit rates must map age bands to numbers between 0 and 1.")}
            )
        if self.retirement_method == RetirementMethod.RATES and not rates:
            raise ValidationError({"exit_rates": _("The exit-rate method needs exit rates.")})
        if self.hiring_mode == HiringMode.PIPELINE and (
            self.pipeline_id is None or self.pipeline_share is None
        ):
            raise ValidationError(
                {"pipeline": _("Hiring from a pipeline needs a pipeline and a share.")}
            )

    @property
    def end_year(self) -> int:
        return self.start_year + self.horizon


class ScenarioRate(models.Model):
    """A profession's yearly leaver rate (excluding retirement) and hiring capacity in a scenario,
    optionally for one institution."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="rates"
    )
    profession = models.ForeignKey(
        Profession, verbose_name=_("profession"), on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        OrganisationalUnit,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: the rate applies to every institution."),
    )
    leaver_rate = models.DecimalField(
        _("leaver rate excluding retirement"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=RATE,
    )
    hires_per_year = models.DecimalField(
        _("hires per year (capacity)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )

    class Meta:
        verbose_name = _("scenario rate")
        verbose_name_plural = _("scenario rates")
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "profession", "unit"], name="scenario_rate_unique"
            ),
            models.UniqueConstraint(
                fields=["scenario", "profession"],
                condition=Q(unit__isnull=True),
                name="scenario_rate_unique_general",
            ),
            models.CheckConstraint(
                condition=Q(leaver_rate__isnull=True)
                | (Q(leaver_rate__gte=0) & Q(leaver_rate__lte=1)),
                name="scenario_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(hires_per_year__isnull=True) | Q(hires_per_year__gte=0),
                name="scenario_hires_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.scenario} – {self.profession}"


class ScenarioEffect(models.Model):
    """An assumed effect of recommendations, e.g. "onboarding lowers the SOSU leaver rate by 3
    percentage points from 2025"."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="effects"
    )
    profession = models.ForeignKey(
        Profession, verbose_name=_("profession"), on_delete=models.PROTECT
    )
    from_year = models.PositiveSmallIntegerField(_("from year"))
    leaver_rate_change_pp = models.DecimalField(
        _("change in leaver rate (percentage points)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
    )
    hires_change = models.DecimalField(
        _("change in hires per year"), max_digits=9, decimal_places=2, default=0
    )
    text = models.CharField(_("description"), max_length=300)
    recommendations = models.ManyToManyField(
        Recommendation, verbose_name=_("recommendations"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assumed effect")
        verbose_name_plural = _("assumed effects")
        ordering = ["scenario", "from_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leaver_rate_change_pp__gte=-100) & Q(leaver_rate_change_pp__lte=100),
                name="scenario_effect_pp_range",
            ),
        ]

    def __str__(self):
        return self.text


class WorkforceFact(Sourced, Versioned):
    """A number a source document states about the workforce (Allerød 2023, KKR/KL …)."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for a regional or national fact."),
    )
    key = models.SlugField(_("key"), max_length=100)
    label = models.CharField(_("label"), max_length=300)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    approximate = models.BooleanField(_("approximate"), default=False)
    note = models.TextField(_("note"), blank=True)
    inconsistency = inconsistency_field()
    professions = models.ManyToManyField(Profession, verbose_name=_("professions"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("workforce fact")
        verbose_name_plural = _("workforce facts")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"],
                condition=Q(municipality__isnull=False),
                name="workforce_fact_unique",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(municipality__isnull=True),
                name="workforce_fact_unique_cross_municipal",
            ),
        ]

    def __str__(self):
        return self.label


class ReferenceShortage(Sourced, Versioned):
    """A published projected shortage, e.g. Allerød: 35 SOSU staff and 53 pedagogues in 2032."""

    class Per(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        DAYCARE = "daycare_institution", _("daycare institution")
        CARE_HOME = "care_home", _("care home")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT
    )
    key = models.SlugField(_("key"), max_length=100)
    label = models.CharField(_("label"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    value_min = models.DecimalField(_("from"), max_digits=10, decimal_places=1)
    value_max = models.DecimalField(_("to"), max_digits=10, decimal_places=1)
    unit = models.CharField(_("unit"), max_length=20)
    per = models.CharField(_("per"), max_length=30, choices=Per.choices)
    basis = models.TextField(_("basis"), blank=True)
    uncertainty = models.CharField(_("uncertainty"), max_length=300, blank=True)
    inconsistency = inconsistency_field()
    professions = models.ManyToManyField(Profession, verbose_name=_("professions"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("published shortage")
        verbose_name_plural = _("published shortages")
        ordering = ["municipality__name", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"], name="reference_shortage_unique"
            ),
            models.CheckConstraint(
                condition=Q(value_min__lte=models.F("value_max")),
                name="reference_shortage_range",
            ),
        ]

    def __str__(self):
        return self.label
