"""Reads for pages, the admin and exports; each returns in a fixed number of queries."""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from organizations import access

from .freshness import stale_before
from .models import CouncilDecision, Recommendation, Report, StatusUpdate

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from organizations.models import User


def recommendation_list(queryset: QuerySet[Recommendation] | None = None) -> QuerySet:
    """Recommendations with what a list shows: status, theme, report, unit — no per-row queries."""
    queryset = queryset if queryset is not None else Recommendation.objects.all()
    return queryset.select_related(
        "status", "theme", "report", "report__municipality", "parent", "responsible_unit"
    ).order_by("report", "theme__number", "sort_key")


def recommendation_detail(
    pk: int, queryset: QuerySet[Recommendation] | None = None
) -> Recommendation:
    """One recommendation with everything its page shows, from ``queryset`` (default: all)."""
    queryset = queryset if queryset is not None else Recommendation.objects.all()
    return (
        queryset.select_related(
            "status",
            "theme",
            "report",
            "report__municipality",
            "report__issuing_body",
            "parent",
            "responsible_unit",
            "contact",
            "source",
            "baseline_indicator",
        )
        .prefetch_related(
            "target_professions",
            "addressees",
            "budget_lines",
            # The public sees a person's role, not the name (organizations.access.person_label).
            "contact__memberships",
            Prefetch("children", queryset=recommendation_list(Recommendation.objects.all())),
            Prefetch("related", queryset=Recommendation.objects.select_related("report", "status")),
            Prefetch(
                "cited_by", queryset=Recommendation.objects.select_related("report", "status")
            ),
            Prefetch(
                "updates",
                queryset=StatusUpdate.objects.select_related("old_status", "new_status", "author")
                .prefetch_related("author__memberships")
                .order_by("-effective_on", "-created_at", "-id"),
            ),
            Prefetch(
                "decisions",
                queryset=CouncilDecision.objects.select_related("body").order_by("-meeting_date"),
            ),
        )
        .get(pk=pk)
    )


def timeline(recommendation: Recommendation) -> list[tuple[datetime.date, str, object]]:
    """Status updates and council decisions in one list, newest first (uses prefetched rows)."""
    entries = [(u.effective_on, "update", u) for u in recommendation.updates.all()]
    entries += [(d.meeting_date, "decision", d) for d in recommendation.decisions.all()]
    return sorted(entries, key=lambda e: (e[0], e[1] == "update"), reverse=True)


def statuses_as_of(
    queryset: QuerySet[Recommendation], day: datetime.date
) -> dict[int, StatusUpdate]:
    """For each recommendation, the update in force at the end of ``day`` (two queries in all)."""
    latest = (
        StatusUpdate.objects.filter(recommendation=OuterRef("pk"), effective_on__lte=day)
        .order_by("-effective_on", "-created_at", "-id")
        .values("id")[:1]
    )
    ids = queryset.annotate(update_id=Subquery(latest)).values_list("update_id", flat=True)
    updates = StatusUpdate.objects.filter(id__in=[i for i in ids if i]).select_related("new_status")
    return {u.recommendation_id: u for u in updates}


def status_as_of(recommendation: Recommendation, day: datetime.date) -> StatusUpdate | None:
    return statuses_as_of(Recommendation.objects.filter(pk=recommendation.pk), day).get(
        recommendation.pk
    )


def status_changes(queryset: QuerySet[StatusUpdate] | None = None) -> QuerySet[StatusUpdate]:
    """The history entries in which the status changed — not a recommendation's first status, nor
    an update that kept the status ("no change", a new progress) — with what a line about one
    shows (the recommendation, its report, the old and the new status), per recommendation and
    oldest first. ``queryset`` narrows the history (default: all of it)."""
    queryset = queryset if queryset is not None else StatusUpdate.objects.all()
    return (
        queryset.filter(old_status__isnull=False)
        .exclude(new_status=F("old_status"))
        .select_related("recommendation__report", "old_status", "new_status")
        .order_by(
            "recommendation__report_id",
            "recommendation__sort_key",
            "recommendation_id",
            "effective_on",
            "created_at",
            "id",
        )
    )


def needs_update(
    queryset: QuerySet[Recommendation], today: datetime.date | None = None
) -> QuerySet[Recommendation]:
    """Open recommendations not updated within the interval, or past their follow-up date."""
    today = today or timezone.localdate()
    overdue = Q(follow_up_date__lt=today) | Q(
        follow_up_date__isnull=True, follow_up_year__lt=today.year
    )
    return queryset.filter(status__closes=False).filter(
        Q(last_updated_at__lt=stale_before(today)) | overdue
    )


# Pages for council members ------------------------------------------------------------------------
from django.db.models import Count  # noqa: E402

from organizations.models import Municipality  # noqa: E402

from .models import Status  # noqa: E402


def reports_for_municipality(
    user: "User | AnonymousUser", municipality: Municipality
) -> QuerySet[Report]:
    """The reports readable under a municipality's address (``Report.objects.visible_to``), with what
    the pages show of them: issuer, municipality, source and the number of recommendations."""
    reports: QuerySet[Report] = (
        Report.objects.visible_to(user, municipality)
        .select_related("issuing_body", "municipality", "source")
        .annotate(recommendation_count=Count("recommendations"))
    )
    return reports


def report_for_municipality(
    user: "User | AnonymousUser", municipality: Municipality, pk: int
) -> Report | None:
    """One report readable under the municipality's address, or None (the caller answers 404)."""
    return reports_for_municipality(user, municipality).filter(pk=pk).first()


def status_counts(report_ids: Iterable[int]) -> dict[int, list[tuple[Status, int]]]:
    """For each report, (status, number of recommendations) in status order: two queries in all,
    whatever the number of reports and recommendations."""
    statuses = {s.pk: s for s in Status.objects.all()}
    rows = (
        Recommendation.objects.filter(report_id__in=list(report_ids))
        .order_by()
        .values_list("report_id", "status_id")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[int, int]] = {}
    for report_id, status_id, n in rows:
        counts.setdefault(report_id, {})[status_id] = n
    ordered = list(statuses.values())
    return {
        report_id: [(s, by_status[s.pk]) for s in ordered if s.pk in by_status]
        for report_id, by_status in counts.items()
    }


def recommendation_for_municipality(
    user: "User | AnonymousUser", municipality: Municipality, pk: int
) -> Recommendation | None:
    """A recommendation (with everything its page shows) readable under the municipality's address,
    or None."""
    try:
        return recommendation_detail(pk, Recommendation.objects.visible_to(user, municipality))
    except Recommendation.DoesNotExist:
        return None


def cross_reference_targets(
    user: "User | AnonymousUser",
    municipality: Municipality,
    recommendations: Iterable[Recommendation],
) -> dict[int, str | None]:
    """For cross-referenced recommendations, the municipality slug to open each under (None: the
    visitor may not read it). One query at most, for references into other municipalities."""
    targets: dict[int, str | None] = {}
    elsewhere: dict[int, list[int]] = {}
    for r in recommendations:
        municipality_id = r.report.municipality_id
        if municipality_id is None or municipality_id == municipality.pk:
            targets[r.pk] = municipality.slug
        else:
            elsewhere.setdefault(municipality_id, []).append(r.pk)
    if elsewhere:
        for other in Municipality.objects.filter(pk__in=elsewhere):
            slug = other.slug if access.can_read(user, other) else None
            for pk in elsewhere[other.pk]:
                targets[pk] = slug
    return targets
