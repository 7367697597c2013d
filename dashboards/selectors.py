"""The front page: the municipality's reports with their status bars, the totals, what needs an
update, the indicators' summary and the plans. A fixed number of queries whatever the number of
reports, recommendations or indicators; the totals are cached on the municipality's data
generation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from employment_plan.models import EmploymentPlan
from organizations.generation import cached_for_municipality, municipality_generation
from organizations.models import INSTITUTION_KINDS, Municipality, OrganisationalUnit
from organizations.selectors import unit_tree
from recommendations import selectors as rec_selectors
from recommendations.freshness import freshness, stale_before
from recommendations.models import (
    Recommendation,
    Report,
    ReportQuerySet,
    ReportScopedQuerySet,
    Status,
    StatusUpdate,
)

from .indicators import indicator_statuses

FRONT_PAGE_ITEMS = 5
# The front page lists the most recent reports and plans; the rest are one click away.
FRONT_PAGE_REPORTS = 10
FRONT_PAGE_PLANS = 10


def overdue_q(today: datetime.date) -> Q:
    """Open and past the follow-up date (or, with only a year, past that year)."""
    return Q(status__closes=False) & (
        Q(follow_up_date__lt=today) | Q(follow_up_date__isnull=True, follow_up_year__lt=today.year)
    )


def stale_q(today: datetime.date) -> Q:
    return Q(status__closes=False, last_updated_at__lt=stale_before(today))


def municipality_recommendations(user, municipality) -> ReportScopedQuerySet:
    """Every recommendation readable under the municipality's address (the same reports as the
    report pages: its own, and the cross-municipal ones for logged-in or published readers)."""
    return Recommendation.objects.visible_to(user, municipality)


# Front page ---------------------------------------------------------------------------------------
@dataclass
class FrontPage:
    reports: list[Report]
    status_totals: list[tuple[Status, int]]
    recommendation_count: int
    overdue_count: int
    stale_count: int
    needs_update_count: int
    needs_update: list[Recommendation]
    indicator_summary: list[tuple[str, str, int]]
    indicator_count: int
    plans: list = field(default_factory=list)
    tree: list = field(default_factory=list)
    report_total: int = 0
    # KL's and KKR's cross-municipal recommendations, counted apart from the municipality's own.
    shared_status_totals: list[tuple[Status, int]] = field(default_factory=list)
    shared_count: int = 0
    # The dates of the newest data behind the figures (the "data as of" line, ``data_as_of``).
    latest_status_update: datetime.date | None = None
    latest_measurement: datetime.date | None = None


def _recommendation_totals(user, municipality, recommendations, today, generation) -> dict:
    """The counts the front page shows (by status, overdue, stale, reports), aggregated in SQL
    and cached on the municipality's data generation and the day: they change only when something
    of the municipality (or shared with it) does. By status, overdue and stale count the
    municipality's own recommendations; the shared ones (KL, KKR) are counted by status apart."""
    own = recommendations.shared(False)

    def by_status(queryset):
        return list(queryset.order_by().values_list("status_id").annotate(n=Count("pk")))

    def compute():
        return {
            "by_status": by_status(own),
            "shared_by_status": by_status(recommendations.shared()),
            "numbers": own.aggregate(
                overdue=Count("pk", filter=overdue_q(today)),
                stale=Count("pk", filter=stale_q(today)),
                flagged=Count("pk", filter=overdue_q(today) | stale_q(today)),
            ),
            "reports": Report.objects.visible_to(user, municipality).count(),
            "latest_status_update": StatusUpdate.objects.visible_to(user, municipality)
            .filter(effective_on__lte=today)
            .aggregate(latest=Max("effective_on"))["latest"],
        }

    return cached_for_municipality(
        "dashboards:recommendation-totals-own",
        municipality,
        (ReportQuerySet.shows_cross_municipal(user, municipality), today, stale_before(today)),
        compute,
        generation=generation,
    )


def front_page(user, municipality: Municipality, today: datetime.date | None = None) -> FrontPage:
    today = today or timezone.localdate()
    generation = municipality_generation(municipality)
    # Only the most recent reports are read (with their bars); the totals are counted in SQL over
    # all of them, so the page costs the same with 4 reports or 400 (docs/national-scale.md).
    report_ids = Report.objects.visible_to(user, municipality).order_by().values("pk")
    newest = F("published_on").desc(nulls_last=True), "title", "pk"
    recent_ids = list(
        Report.objects.filter(pk__in=report_ids)
        .order_by(*newest)
        .values_list("pk", flat=True)[:FRONT_PAGE_REPORTS]
    )
    reports = list(
        rec_selectors.reports_for_municipality(user, municipality)
        .filter(pk__in=recent_ids)
        .order_by(*newest)
    )
    counts = rec_selectors.status_counts(recent_ids)
    for report in reports:
        report.status_counts = counts.get(report.pk, [])  # type: ignore[attr-defined]  # for the template
    statuses = {s.pk: s for s in Status.objects.all()}
    recommendations = municipality_recommendations(user, municipality)
    totals = _recommendation_totals(user, municipality, recommendations, today, generation)

    def in_status_order(rows):
        return sorted(
            ((statuses[pk], n) for pk, n in rows if pk in statuses),
            key=lambda row: (row[0].position, row[0].name),
        )

    status_totals = in_status_order(totals["by_status"])
    shared_status_totals = in_status_order(totals["shared_by_status"])
    numbers = totals["numbers"]
    report_total = totals["reports"]
    flagged = list(
        rec_selectors.recommendation_list(
            rec_selectors.needs_update(recommendations.shared(False), today)
        ).order_by("last_updated_at", "pk")[:FRONT_PAGE_ITEMS]
    )
    for r in flagged:
        r.freshness = freshness(r, today)

    evaluated = indicator_statuses(municipality, today, generation=generation)
    plans = list(
        EmploymentPlan.objects.filter(pk__in=evaluated["plan_ids"]).order_by(
            "-period_start", "-title"
        )[:FRONT_PAGE_PLANS]
    )[::-1]
    # Institutions are listed (paginated) on the institutions page, not in the tree.
    units = OrganisationalUnit.objects.filter(municipality=municipality).exclude(
        kind__in=INSTITUTION_KINDS
    )
    return FrontPage(
        reports=reports,
        report_total=report_total,
        status_totals=status_totals,
        recommendation_count=sum(n for _s, n in status_totals),
        shared_status_totals=shared_status_totals,
        shared_count=sum(n for _s, n in shared_status_totals),
        latest_status_update=totals["latest_status_update"],
        latest_measurement=evaluated["latest_measurement"],
        overdue_count=numbers["overdue"],
        stale_count=numbers["stale"],
        needs_update_count=numbers["flagged"],
        needs_update=flagged,
        indicator_summary=evaluated["summary"],
        indicator_count=len(evaluated["statuses"]),
        plans=plans,
        tree=unit_tree(units),
    )


@dataclass
class DataAsOf:
    """When the front page's figures were last changed: the newest of the dates below, and each
    date with what it dates (status updates, measurements, staffing), for the "data as of" line."""

    latest: datetime.date | None
    parts: list[tuple[str, datetime.date]]


def data_as_of(page: FrontPage, outlook=None) -> DataAsOf:
    """The dates of the newest status update, measurement and staffing snapshot behind what the
    front page shows (``outlook``: the workforce card's ``workforce.selectors.Outlook``)."""
    parts = [
        (_("latest status update"), page.latest_status_update),
        (_("latest measurement"), page.latest_measurement),
        (_("staffing"), getattr(outlook, "staffing_as_of", None)),
    ]
    dated = [(label, date) for label, date in parts if date is not None]
    return DataAsOf(latest=max((d for _l, d in dated), default=None), parts=dated)
