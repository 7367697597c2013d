"""Reads for the dashboards. Each function takes a fixed number of queries whatever the number of
reports, recommendations, indicators or status updates; anything derived (freshness, indicator
status, what changed) is then computed in Python."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from employment_plan import progress
from employment_plan.models import Indicator, Measurement
from employment_plan.selectors import evaluate
from organizations.models import Body, Municipality, OrganisationalUnit, UnitKind
from organizations.selectors import unit_tree
from recommendations import selectors as rec_selectors
from recommendations.freshness import freshness, stale_before
from recommendations.models import CouncilDecision, Recommendation, Report, Status, StatusUpdate
from workforce import selectors as workforce_selectors

FRONT_PAGE_ITEMS = 5
DEFAULT_PREVIOUS_DAYS = 90


def overdue_q(today: datetime.date) -> Q:
    """Open and past the follow-up date (or, with only a year, past that year)."""
    return Q(status__closes=False) & (
        Q(follow_up_date__lt=today) | Q(follow_up_date__isnull=True, follow_up_year__lt=today.year)
    )


def stale_q(today: datetime.date) -> Q:
    return Q(status__closes=False, last_updated_at__lt=stale_before(today))


def municipality_recommendations(user, municipality) -> QuerySet[Recommendation]:
    """Every recommendation readable under the municipality's address (the same reports as the
    report pages: its own, and the cross-municipal ones for logged-in or published readers)."""
    reports = rec_selectors.reports_for_municipality(user, municipality)
    return Recommendation.objects.filter(report__in=reports.values("pk"))


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
    recommendation_version: tuple = ()
    indicator_version: tuple = ()
    plans: list = field(default_factory=list)
    tree: list = field(default_factory=list)


def front_page(user, municipality: Municipality, today: datetime.date | None = None) -> FrontPage:
    today = today or timezone.localdate()
    reports = list(rec_selectors.reports_for_municipality(user, municipality))
    counts = rec_selectors.status_counts(r.pk for r in reports)
    totals: dict[int, list] = {}
    for report in reports:
        report.status_counts = counts.get(report.pk, [])
        for status, n in report.status_counts:
            totals.setdefault(status.pk, [status, 0])[1] += n
    status_totals = sorted(
        ((s, n) for s, n in totals.values()), key=lambda row: (row[0].position, row[0].name)
    )

    recommendations = Recommendation.objects.filter(report__in=[r.pk for r in reports])
    numbers = recommendations.aggregate(
        overdue=Count("pk", filter=overdue_q(today)),
        stale=Count("pk", filter=stale_q(today)),
        flagged=Count("pk", filter=overdue_q(today) | stale_q(today)),
        count=Count("pk"),
        latest=Max("last_updated_at"),
    )
    flagged = list(
        rec_selectors.recommendation_list(
            rec_selectors.needs_update(recommendations, today)
        ).order_by("last_updated_at", "pk")[:FRONT_PAGE_ITEMS]
    )
    for r in flagged:
        r.freshness = freshness(r, today)

    indicators = indicators_with_progress(municipality, today)
    plans = sorted({i.plan for i in indicators}, key=lambda p: (p.period_start, p.title))
    units = OrganisationalUnit.objects.filter(municipality=municipality)
    return FrontPage(
        reports=reports,
        status_totals=status_totals,
        recommendation_count=sum(n for _s, n in status_totals),
        overdue_count=numbers["overdue"],
        stale_count=numbers["stale"],
        needs_update_count=numbers["flagged"],
        needs_update=flagged,
        indicator_summary=progress.summarise(i.result for i in indicators),
        indicator_count=len(indicators),
        recommendation_version=(numbers["count"], str(numbers["latest"])),
        indicator_version=indicator_version(indicators),
        plans=plans,
        tree=unit_tree(units),
    )


# Indicators ---------------------------------------------------------------------------------------
def _measurements():
    return Measurement.objects.order_by("date", "id").only(
        "id", "indicator_id", "date", "value", "provisional"
    )


def indicator_queryset(municipality) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(plan__municipality=municipality)
        .select_related("plan", "focus_area", "responsible_unit")
        .prefetch_related(Prefetch("measurements", queryset=_measurements()))
        .order_by("plan__period_start", "plan__title", "focus_area__number", "position", "code")
    )


def indicator_version(indicators) -> tuple:
    """Changes whenever an indicator or a measurement is added, removed or edited."""
    return (
        len(indicators),
        max((str(i.updated_at) for i in indicators), default=""),
        sum(len(i.measurements.all()) for i in indicators),
        max((m.pk for i in indicators for m in i.measurements.all()), default=0),
    )


def indicators_with_progress(
    municipality, as_of: datetime.date | None = None, queryset: QuerySet[Indicator] | None = None
) -> list[Indicator]:
    """The municipality's indicators, each with ``result`` from the progress engine (two queries)."""
    queryset = queryset if queryset is not None else indicator_queryset(municipality)
    indicators = list(queryset)
    for indicator in indicators:
        indicator.result = evaluate(indicator, as_of)
    return indicators


# Meeting report -----------------------------------------------------------------------------------
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
    previous_is_default = previous is None
    if previous is None:
        previous = previous_meeting(body, day)
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
    status_totals = sorted(
        ((s, n) for s, n in totals.values()),
        key=lambda row: (row[0] is None, row[0].position if row[0] else 0),
    )

    indicator_ids = {r.baseline_indicator_id for r in recommendations if r.baseline_indicator_id}
    indicators = indicators_with_progress(
        municipality, day, indicator_queryset(municipality).filter(pk__in=indicator_ids)
    )
    linked: dict[int, list[Recommendation]] = {}
    for r in recommendations:
        if r.baseline_indicator_id:
            linked.setdefault(r.baseline_indicator_id, []).append(r)
    for indicator in indicators:
        indicator.linked_recommendations = linked.get(indicator.pk, [])

    return MeetingReport(
        municipality=municipality,
        body=body,
        day=day,
        previous=previous,
        previous_is_default=previous_is_default,
        sections=[(report, by_report[report.pk]) for report in reports if report.pk in by_report],
        changed=[line for line in lines if line.changed],
        overdue=[line for line in lines if line.overdue],
        status_totals=status_totals,
        indicators=indicators,
        line_count=len(lines),
    )


def bodies_for(municipality) -> QuerySet[Body]:
    return Body.objects.filter(municipality=municipality).order_by("name")


@dataclass
class InstitutionRow:
    unit: OrganisationalUnit
    kind: str
    area: str
    profession: str
    staff_now: float
    supply: float
    demand: float
    shortage: float
    words: str


@dataclass
class InstitutionTable:
    scenario: object
    year: int
    is_demo: bool
    rows: list[InstitutionRow]


def institution_table(municipality, unit_ids=None, profession_keys=None) -> InstitutionTable | None:
    """Each institution × profession of the baseline scenario in its horizon year: staff now,
    projected supply, demand and shortage. The projection runs in fixed queries."""
    scenario = workforce_selectors.scenario_for(municipality, None)
    if scenario is None:
        return None
    inputs = workforce_selectors.projection_inputs(scenario)
    result = workforce_selectors.run(inputs)
    if result is None:
        return None
    frame = result.frame
    year = int(frame["year"].max())
    first = frame[frame["year"] == frame["year"].min()]
    start = {(r.institution, str(r.profession)): r.supply_start for r in first.itertuples()}
    professions = workforce_selectors.professions_by_key()
    kinds = dict(UnitKind.choices)
    rows = []
    for r in frame[frame["year"] == year].itertuples():
        unit = inputs.units.get(r.institution)
        key = str(r.profession)
        if unit is None or (unit_ids is not None and unit.pk not in unit_ids):
            continue
        if profession_keys and key not in profession_keys:
            continue
        profession = professions.get(key)
        rows.append(
            InstitutionRow(
                unit=unit,
                kind=str(kinds.get(unit.kind, unit.kind)),
                area=unit.parent.name if unit.parent_id and unit.parent else "",
                profession=profession.name if profession else key,
                staff_now=workforce_selectors.rounded(start.get((r.institution, key), 0.0)),
                supply=workforce_selectors.rounded(r.supply),
                demand=workforce_selectors.rounded(r.demand),
                shortage=workforce_selectors.rounded(r.shortage),
                words=workforce_selectors.shortage_words(r.shortage, profession),
            )
        )
    rows.sort(key=lambda row: (row.unit.name, row.profession))
    return InstitutionTable(scenario=scenario, year=year, is_demo=inputs.is_demo, rows=rows)
