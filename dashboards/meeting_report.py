"""The meeting report: a body's view of the municipality's recommendations on a day, what changed
since its previous meeting, what is overdue, and the linked indicators."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from employment_plan.models import Indicator
from employment_plan.selectors import thresholds
from organizations.generation import cached_for_municipality
from organizations.models import Body, Municipality
from recommendations import selectors as rec_selectors
from recommendations.models import CouncilDecision, Recommendation, Report, Status, StatusUpdate

from .indicators import indicator_queryset, indicators_with_progress

DEFAULT_PREVIOUS_DAYS = 90


def previous_meeting(body: Body, day: datetime.date) -> datetime.date:
    """The body's last meeting before ``day`` with a recorded decision, else 90 days before."""
    found = CouncilDecision.objects.filter(body=body, meeting_date__lt=day).aggregate(
        last=Max("meeting_date")
    )["last"]
    return found or day - datetime.timedelta(days=DEFAULT_PREVIOUS_DAYS)


@dataclass
class Line:
    """One recommendation in the meeting report, as it stood on the report date."""

    recommendation: Recommendation
    now: StatusUpdate | None
    before: StatusUpdate | None
    overdue: bool

    @property
    def changed(self) -> bool:
        return self.now is not None and (self.before is None or self.before.pk != self.now.pk)

    @property
    def status(self) -> Status | None:
        return self.now.new_status if self.now else None

    @property
    def reason(self) -> str:
        """Why it is late, dropped …: the note of the update in force when its status requires a
        reason (the status service refuses such a change without one)."""
        status = self.status
        return self.now.note if self.now and status and status.requires_reason else ""


@dataclass
class MeetingReport:
    municipality: Municipality
    body: Body
    day: datetime.date
    previous: datetime.date
    previous_is_default: bool
    sections: list[tuple[Report, list[Line]]]
    changed: list[Line]
    overdue: list[Line]
    status_totals: list[tuple[Status | None, int]]
    indicators: list[Indicator]
    line_count: int
    # Without the annex the lists hold the first SUMMARY_ITEMS; the counts are of all of them.
    changed_count: int = 0
    overdue_count: int = 0
    indicator_count: int = 0
    is_summary: bool = False


SUMMARY_ITEMS = 25


def _heading(
    municipality: Municipality, body: Body, day: datetime.date, previous: datetime.date | None
) -> dict[str, Any]:
    """What every meeting report opens with; without a ``previous`` date, the body's last meeting."""
    return {
        "municipality": municipality,
        "body": body,
        "day": day,
        "previous": previous_meeting(body, day) if previous is None else previous,
        "previous_is_default": previous is None,
    }


def _in_status_order(
    totals: list[tuple[Status | None, int]],
) -> list[tuple[Status | None, int]]:
    """Totals by status in the statuses' own order, the recommendations without one last."""
    return sorted(totals, key=lambda row: (row[0] is None, row[0].position if row[0] else 0))


def _attach_linked(indicators: list[Indicator], recommendations: Iterable[Recommendation]) -> None:
    """Give each indicator the recommendations that take it as their baseline (for the template)."""
    linked: dict[int, list[Recommendation]] = {}
    for r in recommendations:
        if r.baseline_indicator_id:
            linked.setdefault(r.baseline_indicator_id, []).append(r)
    for indicator in indicators:
        indicator.linked_recommendations = linked.get(indicator.pk, [])  # type: ignore[attr-defined]  # for the template


def _in_force(day: datetime.date, field: str):
    """A subquery: ``field`` of the recommendation's status update in force at the end of ``day``."""
    return Subquery(
        StatusUpdate.objects.filter(recommendation=OuterRef("pk"), effective_on__lte=day)
        .order_by("-effective_on", "-created_at", "-id")
        .values(field)[:1]
    )


def cached_meeting_summary(
    municipality: Municipality,
    body: Body,
    day: datetime.date,
    previous: datetime.date | None = None,
) -> MeetingReport:
    """``meeting_summary``, cached on the municipality's data generation: council members open the
    same report before a meeting, and it is computed again only when something it shows may have
    changed (docs/national-scale.md)."""
    return cached_for_municipality(
        "dashboards:meeting-summary",
        municipality,
        (body.pk, day, previous, timezone.localdate(), repr(thresholds())),
        lambda: meeting_summary(municipality, body, day, previous),
    )


def meeting_summary(
    municipality: Municipality,
    body: Body,
    day: datetime.date,
    previous: datetime.date | None = None,
    limit: int = SUMMARY_ITEMS,
) -> MeetingReport:
    """The meeting report without the annex: the totals by status on ``day`` and the numbers
    changed and overdue are counted in SQL; of the changes (newest first), the overdue items
    (longest overdue first) and the linked indicators only the first ``limit`` are loaded. The
    cost stays nearly flat however many recommendations the municipality has; the full lists are
    in ``meeting_report`` (the annex)."""
    heading = _heading(municipality, body, day, previous)
    previous = heading["previous"]
    queryset = Recommendation.objects.filter(report__municipality=municipality)
    statuses = {s.pk: s for s in Status.objects.all()}
    # Changed: an update took effect after ``previous`` and by ``day`` (then the update in force
    # on ``day`` differs from the one in force on ``previous``, and only then).
    window = Exists(
        StatusUpdate.objects.filter(
            recommendation=OuterRef("pk"), effective_on__gt=previous, effective_on__lte=day
        )
    )
    due = Q(follow_up_date__lt=day) | Q(follow_up_date__isnull=True, follow_up_year__lt=day.year)
    # One pass: per status in force on ``day``, how many, how many past due, how many changed.
    counted = (
        queryset.annotate(at_day=_in_force(day, "new_status_id"))
        .order_by()
        .values_list("at_day")
        .annotate(n=Count("pk"), due=Count("pk", filter=due), changed=Count("pk", filter=window))
    )
    totals, changed_count, overdue_count = [], 0, 0
    for pk, n, past_due, changed in counted:
        status = statuses.get(pk)
        totals.append((status, n))
        changed_count += changed
        if status is not None and not status.closes:
            overdue_count += past_due
    status_totals = _in_status_order(totals)
    open_ids = [pk for pk, status in statuses.items() if not status.closes]
    changed_qs = queryset.filter(window).annotate(changed_on=_in_force(day, "effective_on"))
    overdue_qs = (
        queryset.filter(due)
        .annotate(at_day=_in_force(day, "new_status_id"))
        .filter(at_day__in=open_ids)
    )
    # Subqueries rather than lists of ids, so the number of queries is the same whether or not
    # anything changed or is overdue.
    changed_first = changed_qs.order_by("-changed_on", "pk").values("pk")[:limit]
    overdue_first = overdue_qs.order_by(
        F("follow_up_date").asc(nulls_last=True), "follow_up_year", "pk"
    ).values("pk")[:limit]
    changed_ids = [row["pk"] for row in changed_first]
    overdue_ids = [row["pk"] for row in overdue_first]
    # What the lines show of the updates in force on both dates, read with the rows (≤ 2 × limit).
    fields = {"id": "id", "status": "new_status_id", "progress": "progress"}
    shown = queryset.filter(Q(pk__in=changed_first) | Q(pk__in=overdue_first)).annotate(
        **{f"now_{k}": _in_force(day, v) for k, v in fields.items()},
        now_on=_in_force(day, "effective_on"),
        now_note=_in_force(day, "note"),
        **{f"before_{k}": _in_force(previous, v) for k, v in fields.items()},
    )
    found = {r.pk: r for r in rec_selectors.recommendation_list(shown)}

    def update(r, when):
        pk = getattr(r, f"{when}_id")
        if pk is None:
            return None
        return StatusUpdate(
            pk=pk,
            recommendation=r,
            new_status=statuses[getattr(r, f"{when}_status")],
            progress=getattr(r, f"{when}_progress"),
            # An unsaved row for the page only; the earlier state's date is not shown (None).
            effective_on=getattr(r, "now_on", None) if when == "now" else None,  # type: ignore[misc]
            note=r.now_note if when == "now" else "",
        )

    def line(pk):
        r = found[pk]
        return Line(
            recommendation=r,
            now=update(r, "now"),
            before=update(r, "before"),
            overdue=pk in overdue_ids,
        )

    linked = queryset.filter(baseline_indicator__isnull=False)
    indicator_ids = Indicator.objects.filter(pk__in=linked.values("baseline_indicator_id"))
    first_indicators = indicator_queryset(municipality).filter(pk__in=indicator_ids.values("pk"))
    indicators = indicators_with_progress(municipality, day, first_indicators[:limit])
    _attach_linked(
        indicators,
        linked.filter(
            baseline_indicator__in=first_indicators.prefetch_related(None)
            .select_related(None)
            .values("pk")[:limit]
        )
        .only("pk", "number", "baseline_indicator_id")
        .order_by("report", "sort_key"),
    )

    return MeetingReport(
        **heading,
        sections=[],
        changed=[line(pk) for pk in changed_ids if pk in found],
        overdue=[line(pk) for pk in overdue_ids if pk in found],
        status_totals=status_totals,
        indicators=indicators,
        line_count=sum(n for _s, n in status_totals),
        changed_count=changed_count,
        overdue_count=overdue_count,
        indicator_count=indicator_ids.count(),
        is_summary=True,
    )


def meeting_report(
    municipality: Municipality,
    body: Body,
    day: datetime.date,
    previous: datetime.date | None = None,
) -> MeetingReport:
    """Every recommendation of the municipality's own reports as of the end of ``day``; what
    changed since ``previous``; overdue items on ``day``; linked indicators evaluated as of ``day``.
    Cross-municipal reports (KKR, KL) are left out: the annex is about the municipality's own
    follow-up."""
    heading = _heading(municipality, body, day, previous)
    previous = heading["previous"]
    reports = list(
        Report.objects.filter(municipality=municipality).order_by("published_on", "title", "pk")
    )
    queryset = Recommendation.objects.filter(report__municipality=municipality)
    recommendations = list(
        rec_selectors.recommendation_list(queryset).select_related("baseline_indicator")
    )
    now = rec_selectors.statuses_as_of(queryset, day)
    before = rec_selectors.statuses_as_of(queryset, previous)
    by_report: dict[int, list[Line]] = {}
    lines = []
    for r in recommendations:
        update = now.get(r.pk)
        due = r.follow_up_due
        line = Line(
            recommendation=r,
            now=update,
            before=before.get(r.pk),
            overdue=bool(update is not None and not update.new_status.closes and due and due < day),
        )
        lines.append(line)
        by_report.setdefault(r.report_id, []).append(line)

    totals: dict[int | None, list] = {}
    for line in lines:
        key = line.status.pk if line.status else None
        totals.setdefault(key, [line.status, 0])[1] += 1
    status_totals = _in_status_order([(s, n) for s, n in totals.values()])

    indicator_ids = {r.baseline_indicator_id for r in recommendations if r.baseline_indicator_id}
    indicators = indicators_with_progress(
        municipality, day, indicator_queryset(municipality).filter(pk__in=indicator_ids)
    )
    _attach_linked(indicators, recommendations)

    return MeetingReport(
        **heading,
        sections=[(report, by_report[report.pk]) for report in reports if report.pk in by_report],
        changed=[line for line in lines if line.changed],
        overdue=[line for line in lines if line.overdue],
        status_totals=status_totals,
        indicators=indicators,
        line_count=len(lines),
        changed_count=sum(1 for line in lines if line.changed),
        overdue_count=sum(1 for line in lines if line.overdue),
        indicator_count=len(indicators),
    )


def bodies_for(municipality) -> QuerySet[Body]:
    return Body.objects.filter(municipality=municipality).order_by("name")
