"""Employment plans: focus areas with initiatives, measurable indicators with baselines and targets,
and the measurements (own and comparison municipalities') that progress is judged on.

Invariants that fit in one row are database constraints; those that span tables (a focus area of the
same plan, percent values within 0–100) are checked in ``clean()`` and in the services.
"""

import dataclasses
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.cells import Digits
from core.fields import choices_check, created_timestamp, updated_timestamp
from core.text import format_date, format_number
from organizations.models import (
    Municipality,
    OrganisationalUnit,
    Sourced,
    Versioned,
    inconsistency_field,
    person_field,
)
from organizations.scoping import ScopedQuerySet

from . import progress


class PlanScopedQuerySet(ScopedQuerySet):
    municipality_path = "plan__municipality"


class FocusAreaScopedQuerySet(ScopedQuerySet):
    municipality_path = "focus_area__plan__municipality"


class IndicatorScopedQuerySet(ScopedQuerySet):
    # (A comparison measurement's own ``municipality`` is the one compared with, not the owner.)
    municipality_path = "indicator__plan__municipality"


class MeasurementQuerySet(IndicatorScopedQuerySet):
    scope_by_subquery = True


VALUE_DIGITS: Digits = {"max_digits": 18, "decimal_places": 4}


class Unit(models.TextChoices):
    PERCENT = progress.PERCENT, _("%")
    PERSONS = "persons", _("persons")
    FTE = "fte", _("full-time persons")
    COMPANIES = "companies", _("companies")
    DKK = "dkk", _("kr.")
    COUNT = "count", _("count")


class Direction(models.TextChoices):
    LOWER = progress.LOWER, _("lower is better")
    HIGHER = progress.HIGHER, _("higher is better")


class TargetKind(models.TextChoices):
    ABSOLUTE = progress.ABSOLUTE, _("absolute level")
    RELATIVE = progress.RELATIVE, _("relative change from the baseline (%)")
    PERCENTAGE_POINTS = progress.PERCENTAGE_POINTS, _("change in percentage points")
    ALL_OR_NOTHING = progress.ALL_OR_NOTHING, _("all or nothing")
    FREQUENCY = progress.FREQUENCY, _("recurring frequency")
    DELIVERABLE = progress.DELIVERABLE, _("one-off deliverable by a date")


class TargetOperator(models.TextChoices):
    AT_LEAST = ">=", _("at least")
    AT_MOST = "<=", _("at most")


class InitiativeKind(models.TextChoices):
    EXISTING = "existing", _("We already do this")
    NEW = "new", _("We will also do this")


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class EmploymentPlan(Sourced, Versioned):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="employment_plans",
    )
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    comparison_municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("comparison municipalities"),
        blank=True,
        related_name="+",
        help_text=_("Municipalities the plan compares its results with."),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("employment plan")
        verbose_name_plural = _("employment plans")
        ordering = ["municipality__name", "-period_start", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "title"], name="employment_plan_title_unique"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="employment_plan_period_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


class PlanFact(Sourced, Versioned):
    """A context number the plan states (unemployment rate, survey answers …); shown, not tracked."""

    plan = models.ForeignKey(
        EmploymentPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="facts"
    )
    key = models.SlugField(_("key"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=400)
    value = models.DecimalField(_("value"), null=True, blank=True, **VALUE_DIGITS)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    period_text = models.CharField(_("period"), max_length=200, blank=True)
    inconsistency = inconsistency_field()

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan fact")
        verbose_name_plural = _("plan facts")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="plan_fact_key_unique"),
        ]

    def __str__(self):
        return self.label


class FocusArea(Sourced, Versioned):
    plan = models.ForeignKey(
        EmploymentPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="focus_areas",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    objective = models.TextField(_("objective"), blank=True)

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="focus_area_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="focus_area_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Initiative(Sourced, Versioned):
    focus_area = models.ForeignKey(
        FocusArea,
        verbose_name=_("focus area"),
        on_delete=models.CASCADE,
        related_name="initiatives",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=InitiativeKind.choices)
    title = models.TextField(_("title"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.PLANNED,
    )

    objects = FocusAreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["focus_area", "kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["focus_area", "title"], name="initiative_title_unique_per_focus_area"
            ),
            choices_check("kind", InitiativeKind),
            choices_check("status", InitiativeStatus),
        ]

    def __str__(self):
        return self.title


class Indicator(Sourced, Versioned):
    """A measurable indicator with its baseline and one target, as the document states them.

    A relative or percentage-point target keeps its stated definition (``target_kind`` and
    ``target_value``); ``target_absolute`` is derived from it once the baseline is known.
    """

    plan = models.ForeignKey(
        EmploymentPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    focus_area = models.ForeignKey(
        FocusArea,
        verbose_name=_("focus area"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("Unique within the plan, e.g. “2.1”.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.TextField(_("title"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)

    baseline_value = models.DecimalField(_("baseline value"), null=True, blank=True, **VALUE_DIGITS)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_label = models.CharField(_("baseline as stated"), max_length=300, blank=True)
    awaiting_baseline = models.BooleanField(
        _("awaiting baseline"),
        default=False,
        help_text=_("The plan names a baseline that has not been measured yet."),
    )
    baseline_period = models.CharField(
        _("baseline period"),
        max_length=20,
        blank=True,
        help_text=_("The period the baseline will come from: “2025” or “2025-12”."),
    )

    target_kind = models.CharField(_("kind of target"), max_length=20, choices=TargetKind.choices)
    target_value = models.DecimalField(
        _("target value"),
        null=True,
        blank=True,
        help_text=_(
            "A level for absolute targets; a change in % (−10) for relative ones; a change in "
            "percentage points for percentage-point targets; days between for a frequency; the "
            "value that means delivered (1, or 100 %) for a deliverable."
        ),
        **VALUE_DIGITS,
    )
    target_absolute = models.DecimalField(
        _("target level"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The level to reach, derived from the target and the baseline."),
        **VALUE_DIGITS,
    )
    target_operator = models.CharField(
        _("target operator"), max_length=2, choices=TargetOperator.choices, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    target_text = models.TextField(_("target as stated"), blank=True)

    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    responsible_unit = models.ForeignKey(
        OrganisationalUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_text = models.CharField(_("responsible (as stated)"), max_length=300, blank=True)
    inconsistency = inconsistency_field(
        _("Where the document contradicts itself: a note and the numbers involved.")
    )
    updated_at = updated_timestamp()

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique_per_plan"),
            choices_check("unit", Unit),
            choices_check("direction", Direction),
            choices_check("target_kind", TargetKind),
            models.CheckConstraint(
                condition=Q(target_operator__in=["", ">=", "<="]),
                name="indicator_target_operator_valid",
            ),
            models.CheckConstraint(
                condition=Q(awaiting_baseline=False) | Q(baseline_value__isnull=True),
                name="indicator_awaiting_baseline_has_no_value",
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_date__isnull=False),
                name="indicator_baseline_value_has_date",
            ),
            models.CheckConstraint(
                condition=Q(target_kind__in=[progress.RELATIVE, progress.PERCENTAGE_POINTS])
                | Q(target_value__isnull=False),
                name="indicator_level_target_has_value",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind=progress.DELIVERABLE) | Q(target_date__isnull=False),
                name="indicator_deliverable_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def plan_start(self):
        """Where the expected path starts when the plan states no baseline (the engine's spec)."""
        return self.plan.period_start if self.plan_id else None

    @property
    def target_is_relative(self) -> bool:
        return self.target_kind in (progress.RELATIVE, progress.PERCENTAGE_POINTS)

    def spec(self) -> progress.IndicatorSpec:
        """The indicator as the pure progress engine sees it: its fields of the spec's names."""
        names = (field.name for field in dataclasses.fields(progress.IndicatorSpec))
        return progress.IndicatorSpec(**{name: getattr(self, name) for name in names})

    def clean(self):
        super().clean()
        errors = {}
        if self.focus_area_id and self.plan_id and self.focus_area.plan_id != self.plan_id:
            errors["focus_area"] = _("The focus area belongs to another plan.")
        if self.awaiting_baseline and self.baseline_value is not None:
            errors["awaiting_baseline"] = _(
                "An indicator cannot both have a baseline and await one."
            )
        if self.baseline_value is not None and self.baseline_date is None:
            errors["baseline_date"] = _("A baseline value needs the date it was measured.")
        if self.target_is_relative and self.baseline_value is None and not self.awaiting_baseline:
            errors["awaiting_baseline"] = _(
                "A relative target needs a baseline, or must be marked as awaiting one."
            )
        if not self.target_is_relative and self.target_value is None:
            errors["target_value"] = _("This kind of target needs a value.")
        if self.target_kind == TargetKind.DELIVERABLE and self.target_date is None:
            errors["target_date"] = _("A deliverable needs the date it is due.")
        if self.baseline_period and progress.period_bounds(self.baseline_period) is None:
            errors["baseline_period"] = _("Write the period as a year (2025) or a month (2025-12).")
        if (
            self.unit == Unit.PERCENT
            and self.baseline_value is not None
            and not Decimal(0) <= self.baseline_value <= Decimal(100)
        ):
            errors["baseline_value"] = _("A percentage lies between 0 and 100.")
        if errors:
            raise ValidationError(errors)
        # Kept in step with the stated target whenever the indicator is validated.
        self.target_absolute = progress.absolute_target(self.spec(), self.baseline_value)


class Measurement(Sourced, Versioned):
    """One value of an indicator at a date. Several on one date are kept; the engine picks one."""

    # What a measurement states, as a person enters it in the admin and the API serves it.
    STATED_FIELDS = ("date", "period_label", "value", "provisional", "data_source", "comment")

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="measurements",
        db_index=False,
    )
    date = models.DateField(_("date"))
    period_label = models.CharField(_("period"), max_length=100, blank=True)
    value = models.DecimalField(_("value"), **VALUE_DIGITS)
    provisional = models.BooleanField(_("provisional"), default=False)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    entered_by = person_field(_("entered by"))
    created_at = created_timestamp()
    updated_at = updated_timestamp()

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "date", "id"]
        permissions = [("import_measurements", _("Can import measurements from a file"))]
        # Serves every lookup by indicator too (its prefix), so the foreign key has no index of
        # its own: one index fewer to keep on each of the thousands of rows an import writes.
        indexes = [models.Index(fields=["indicator", "date"], name="measurement_indicator_date")]

    def __str__(self):
        return f"{self.indicator.code} {format_date(self.date)}: {format_number(self.value)}"

    def clean(self):
        super().clean()
        if (
            self.indicator_id
            and self.value is not None
            and self.indicator.unit == Unit.PERCENT
            and not Decimal(0) <= self.value <= Decimal(100)
        ):
            raise ValidationError({"value": _("A percentage lies between 0 and 100.")})


class ComparisonMeasurement(Sourced, Versioned):
    """The same indicator measured in a municipality the plan compares itself with."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="comparisons",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    period_label = models.CharField(_("period"), max_length=100, blank=True)
    value = models.DecimalField(_("value"), **VALUE_DIGITS)

    objects = IndicatorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("comparison measurement")
        verbose_name_plural = _("comparison measurements")
        ordering = ["indicator", "municipality__name", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality", "date"],
                name="comparison_unique_per_municipality_and_date",
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {format_date(self.date)}: {format_number(self.value)}"
