"""Committee reports, their themes and numbered recommendations, the status history that staff keep
up to date, and council decisions."""

import datetime
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import format_date, format_number
from organizations import access
from organizations.models import (
    Body,
    Municipality,
    OrganisationalUnit,
    Profession,
    Sourced,
    Versioned,
    inconsistency_field,
    person_field,
)
from organizations.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from organizations.models import User

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class ReportQuerySet(ScopedQuerySet):
    # A report without a municipality is cross-municipal (KL, KKR): every municipality follows it.
    cross_municipal = True

    def visible_to(
        self, user: "User | AnonymousUser", municipality: Municipality | None = None
    ) -> Self:
        """The reports a reader may see (the pages, the lists and their exports, the export page).

        Under a municipality's address: its own reports, and the cross-municipal ones for a
        logged-in visitor or when the municipality is published (an anonymous visitor of a
        published municipality reads them as part of its pages); nothing when the visitor may not
        read the municipality at all. Without an address: the reports of every municipality the
        user may read (their own, the published ones), and the cross-municipal ones for a
        logged-in user."""
        if municipality is not None:
            if not access.can_read(user, municipality):
                return self.none()
            condition = Q(municipality=municipality)
        elif access.municipality_ids_for(user) is None:
            return self.all()
        else:
            condition = Q(municipality__in=access.readable_municipalities(user))
        if self.shows_cross_municipal(user, municipality):
            condition |= Q(municipality__isnull=True)
        return self.filter(condition)

    @staticmethod
    def shows_cross_municipal(
        user: "User | AnonymousUser", municipality: Municipality | None = None
    ) -> bool:
        """Whether ``visible_to`` includes the cross-municipal reports (a cache key needs to know)."""
        published = municipality is not None and municipality.is_published
        return user.is_authenticated or published

    def shared(self, is_shared: bool = True) -> Self:
        """The cross-municipal reports (KL, KKR: no municipality of their own), or with
        ``is_shared=False`` the reports of a municipality. The one rule for "shared": the front
        page counts a municipality's own recommendations apart from the shared ones with it."""
        return self.filter(municipality__isnull=is_shared)


class ReportScopedQuerySet(ScopedQuerySet):
    """Rows that belong to a report (themes, facts, recommendations, their history): a reader sees
    them where they see the report, as a subquery on the report's id (no joins)."""

    report_path = "report"
    municipality_path = "report__municipality"
    cross_municipal = True

    def visible_to(
        self, user: "User | AnonymousUser", municipality: Municipality | None = None
    ) -> Self:
        """The rows of the reports ``Report.objects.visible_to(user, municipality)`` gives."""
        reports = Report.objects.visible_to(user, municipality).order_by().values("pk")
        return self.filter(**{f"{self.report_path}__in": reports})

    def shared(self, is_shared: bool = True) -> Self:
        """The rows of the cross-municipal reports (``Report.objects.shared``), or with
        ``is_shared=False`` those of a municipality's own reports."""
        reports = Report.objects.shared(is_shared).order_by().values("pk")
        return self.filter(**{f"{self.report_path}__in": reports})


class StatusUpdateQuerySet(ReportScopedQuerySet):
    report_path = "recommendation__report"
    municipality_path = "recommendation__report__municipality"


class Report(Sourced, Versioned):
    """A committee report (or action plan) that issues numbered recommendations."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    issuing_body = models.ForeignKey(
        Body, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="reports"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        help_text=_("Empty for a cross-municipal report (KKR, KL)."),
    )
    published_on = models.DateField(_("date"), null=True, blank=True)
    period_text = models.CharField(
        _("period"),
        max_length=300,
        blank=True,
        help_text=_("When the document gives no exact date, e.g. “efterår 2023”."),
    )
    case_number = models.CharField(_("case number"), max_length=50, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    note = models.TextField(_("note"), blank=True)
    inconsistency = inconsistency_field()

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-published_on", "title"]

    def __str__(self):
        return self.title


class ReportFact(Sourced, Versioned):
    """A number or date a report states (budget of the committee, meetings held …)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="facts"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=300)
    value_number = models.DecimalField(
        _("value"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    value_date = models.DateField(_("date value"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    approximate = models.BooleanField(_("approximate"), default=False)
    note = models.TextField(_("note"), blank=True)
    inconsistency = inconsistency_field()

    objects = ReportScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report fact")
        verbose_name_plural = _("report facts")
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="fact_position_unique"),
            models.CheckConstraint(
                condition=Q(value_number__isnull=False) | Q(value_date__isnull=False),
                name="fact_has_value",
            ),
        ]

    def __str__(self):
        return self.label


class Theme(Sourced, Versioned):
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="themes"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)

    objects = ReportScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="theme_number_unique"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Addressee(Versioned):
    """Who a recommendation is aimed at: the city council, government and parliament, KL …"""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Status(Versioned):
    """A configurable status. Seeded in Danish; ``name_en`` is shown when English is chosen."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name (Danish)"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1a7f37."))],
        help_text=_("Shown beside the status name, never instead of it."),
    )
    closes = models.BooleanField(
        _("closes the recommendation"),
        default=False,
        help_text=_("A closed recommendation is no longer flagged as needing an update."),
    )
    default_progress = models.PositiveSmallIntegerField(
        _("default progress (%)"),
        validators=[MaxValueValidator(100)],
        null=True,
        blank=True,
        help_text=_(
            "Progress set when this status is chosen without one; empty keeps the progress."
        ),
    )
    requires_reason = models.BooleanField(
        _("requires a reason"),
        default=False,
        help_text=_("A change to this status must say why (e.g. delayed, opted out)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("status")
        verbose_name_plural = _("statuses")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_progress__lte=100), name="status_default_progress_range"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "da").startswith("en"):
            return self.name_en
        return self.name


# Seeded status keys a rule relies on (migration 0002): a recommendation with progress above 0 has
# started, so it is never "not started" (``services.validate_status_change`` refuses it and a
# roll-up moves a parent on to "in progress" when its sub-items make progress).
NOT_STARTED = "ikke-paabegyndt"
IN_PROGRESS = "i-gang"


class ProgressMode(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    ROLLUP = "rollup", _("Weighted mean of sub-items")


class Recommendation(Sourced, Versioned):
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="recommendations"
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sub-item of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    number = models.CharField(_("number"), max_length=10, help_text=_("As printed: “6”, “6a”."))
    sort_key = models.CharField(max_length=40, editable=False, db_index=True)
    title = models.TextField(_("title"))
    summary = models.TextField(_("summary"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    goal = models.TextField(_("goal"), blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    emphasised_points = models.JSONField(_("emphasised points"), default=list, blank=True)
    target_professions = models.ManyToManyField(
        Profession, verbose_name=_("target professions"), blank=True, related_name="+"
    )
    addressees = models.ManyToManyField(
        Addressee, verbose_name=_("addressees"), blank=True, related_name="recommendations"
    )
    responsible_unit = models.ForeignKey(
        OrganisationalUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    responsible_text = models.CharField(_("responsible (as stated)"), max_length=300, blank=True)
    contact = person_field(_("contact person"), related_name="contact_for_recommendations")
    baseline = models.TextField(_("baseline"), blank=True)
    baseline_indicator = models.ForeignKey(
        "employment_plan.Indicator",
        verbose_name=_("indicator that measures it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text=_(
            "An employment-plan indicator whose baseline and target measure this recommendation."
        ),
    )
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_year = models.PositiveSmallIntegerField(
        _("follow-up year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    follow_up_text = models.TextField(
        _("follow-up (as stated)"),
        blank=True,
        help_text=_(
            "The source's wording when it gives no date or year, e.g. that the follow-up is "
            "decided later."
        ),
    )
    resources_text = models.TextField(
        _("resources and finances (as stated)"),
        blank=True,
        help_text=_("What the source says about resources when it gives no amount."),
    )
    next_step = models.TextField(_("next step"), blank=True)
    note = models.TextField(_("note"), blank=True)
    related = models.ManyToManyField(
        "self",
        verbose_name=_("related recommendations"),
        symmetrical=False,
        blank=True,
        related_name="cited_by",
    )
    inconsistency = inconsistency_field()

    # Current state, written only by services.recommendation_change_status / the progress roll-up.
    status = models.ForeignKey(
        Status, verbose_name=_("status"), on_delete=models.PROTECT, related_name="+"
    )
    progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    progress_mode = models.CharField(
        _("progress"), max_length=10, choices=ProgressMode.choices, default=ProgressMode.MANUAL
    )
    weight = models.DecimalField(
        _("weight among sub-items"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    last_updated_at = models.DateTimeField(_("last updated"), default=timezone.now)

    objects = ReportScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["report", "sort_key"]
        # The dashboards' data version reads the latest change from here (docs/national-scale.md).
        indexes = [models.Index(fields=["last_updated_at"], name="recommendation_updated_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "theme", "number"], name="recommendation_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="recommendation_progress_range",
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0), name="recommendation_weight_positive"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="recommendation_not_own_parent"
            ),
        ]
        permissions = [
            ("change_recommendation_status", _("Can change the status of a recommendation")),
            ("import_status_updates", _("Can import status changes from a spreadsheet")),
        ]

    def __str__(self):
        return f"{self.number}. {self.title[:80]}"

    def save(self, *args, **kwargs):
        self.sort_key = natural_sort_key(self.number)
        super().save(*args, **kwargs)

    @property
    def municipality(self):
        return self.report.municipality

    def ancestor_ids(self) -> list[int]:
        """The ids of its parent, the parent's parent and so on, as stored (its own ``parent``
        as set now): a query a level, and safe on a cycle that old data may hold."""
        found: list[int] = []
        parent_id = self.parent_id
        while parent_id is not None and parent_id not in found:
            found.append(parent_id)
            parent_id = (
                type(self)
                ._base_manager.filter(pk=parent_id)
                .values_list("parent_id", flat=True)
                .first()
            )
        return found

    def clean(self):
        super().clean()
        errors = {}
        if self.parent_id and self.parent is not None and self.parent.report_id != self.report_id:
            errors["parent"] = _("A sub-item belongs to the same report as its parent.")
        elif self.pk is not None and self.pk in self.ancestor_ids():
            errors["parent"] = _(
                "A recommendation cannot be placed under itself or one of its own sub-items."
            )
        if (
            self.baseline_indicator_id
            and self.report_id
            and self.baseline_indicator is not None
            and self.baseline_indicator.plan.municipality_id != self.report.municipality_id
        ):
            errors["baseline_indicator"] = _(
                "The indicator belongs to another municipality's employment plan."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def follow_up_due(self):
        """The follow-up date, or the last day of the follow-up year."""
        if self.follow_up_date:
            return self.follow_up_date
        if self.follow_up_year and datetime.MINYEAR <= self.follow_up_year <= datetime.MAXYEAR:
            # (An out-of-range year is refused by the field's validators; a form showing that
            # error must still render.)
            return datetime.date(self.follow_up_year, 12, 31)
        return None


def natural_sort_key(number: str) -> str:
    """“6a” sorts after “6” and before “10”: zero-pad the leading digits."""
    match = re.match(r"(\d+)(.*)", number)
    if match:
        return f"{int(match.group(1)):06d}{match.group(2)}"
    return f"~{number}"


class BudgetLine(Sourced):
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    amount_kr = models.DecimalField(
        _("amount (kr.)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    period = models.CharField(_("period"), max_length=100, blank=True)
    description = models.TextField(_("what it pays for"))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["recommendation", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_kr__gte=0), name="budget_amount_non_negative"
            ),
            models.UniqueConstraint(
                fields=["recommendation", "position"], name="budget_line_position_unique"
            ),
        ]

    def __str__(self):
        return f"{format_number(self.amount_kr)} kr. – {self.description[:60]}"


class UpdateOrigin(models.TextChoices):
    SEED = "seed", _("Seed data")
    FORM = "form", _("Status form")
    BULK = "bulk", _("Bulk change")
    IMPORT = "import", _("Import")
    ROLLUP = "rollup", _("Computed from sub-items")
    DEMO = "demo", _("Demo data")


class StatusUpdate(models.Model):
    """One entry in a recommendation's history. Never edited; the current state is the latest."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    effective_on = models.DateField(_("date"), default=timezone.localdate)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    old_status = models.ForeignKey(
        Status,
        verbose_name=_("old status"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    new_status = models.ForeignKey(
        Status, verbose_name=_("new status"), on_delete=models.PROTECT, related_name="+"
    )
    old_progress = models.DecimalField(
        _("old progress (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    note = models.TextField(_("note"), blank=True)
    author = person_field(_("author"))
    origin = models.CharField(_("origin"), max_length=10, choices=UpdateOrigin.choices)

    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["recommendation", "effective_on", "created_at", "id"]
        indexes = [models.Index(fields=["recommendation", "effective_on", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="status_update_progress_range",
            ),
        ]

    def __str__(self):
        return f"{self.recommendation.number}: {self.new_status} ({format_date(self.effective_on)})"

    @property
    def effective_at(self) -> datetime.datetime:
        """When the change took effect: when it was recorded, or noon of its date when it was
        entered afterwards (a backdated change, the demo's history): the recommendation's "last
        updated" is this moment, not the day someone typed it in."""
        if self.effective_on >= timezone.localtime(self.created_at).date():
            return self.created_at
        return timezone.make_aware(datetime.datetime.combine(self.effective_on, datetime.time(12)))


class DecisionKind(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    POSTPONED = "postponed", _("Postponed")
    NOTED = "noted", _("Noted")


class CouncilDecision(Sourced, Versioned):
    """A decision of a council or committee at a meeting, on one or more recommendations."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    body = models.ForeignKey(
        Body,
        verbose_name=_("council or committee"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    meeting_date = models.DateField(_("meeting date"))
    item_number = models.PositiveSmallIntegerField(_("agenda item"), null=True, blank=True)
    item_title = models.CharField(_("agenda item title"), max_length=300, blank=True)
    case_number = models.CharField(_("case number"), max_length=50, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    text = models.TextField(_("decision text"), blank=True)
    absent = models.CharField(_("absent"), max_length=300, blank=True)
    recommendations = models.ManyToManyField(
        Recommendation, verbose_name=_("recommendations"), blank=True, related_name="decisions"
    )
    employment_plan = models.ForeignKey(
        "employment_plan.EmploymentPlan",
        verbose_name=_("employment plan decided on"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("council decision")
        verbose_name_plural = _("council decisions")
        ordering = ["-meeting_date", "item_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "meeting_date", "item_number"], name="decision_item_unique"
            ),
        ]

    def __str__(self):
        return (
            f"{self.body} {format_date(self.meeting_date)}: {self.item_title or self.case_number}"
        )


class ReminderSent(models.Model):
    """That a contact was sent their digest on a day; at most one per contact and day."""

    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()
    recommendation_count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["contact", "sent_on"], name="one_reminder_per_day"),
        ]

    def __str__(self):
        return f"{self.contact} {format_date(self.sent_on)}"
