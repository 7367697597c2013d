"""Reads for the dashboards. Each function takes a fixed number of queries whatever the number of
reports, recommendations, indicators or status updates; anything derived (freshness, indicator
status, what changed) is then computed in Python."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from employment_plan import progress
from employment_plan.models import EmploymentPlan, Indicator, Measurement
from employment_plan.selectors import evaluate, thresholds
from organizations.charts import cache_key
from organizations.models import (
    INSTITUTION_KINDS,
    Body,
    Municipality,
    OrganisationalUnit,
    UnitKind,
)
from organizations.selectors import unit_tree
from recommendations import selectors as rec_selectors
from recommendations.freshness import freshness, stale_before
from recommendations.models import CouncilDecision, Recommendation, Report, Status, StatusUpdate
from workforce import selectors as workforce_selectors

FRONT_PAGE_ITEMS = 5
# The front page lists the most recent reports and plans; the rest are one click away.
FRONT_PAGE_REPORTS = 10
FRONT_PAGE_PLANS = 10
# Derived figures cached on a data version: they never go stale while the version holds; the
# timeout only bounds what an edit the version cannot see (a unit renamed) leaves in the cache.
CACHE_SECONDS = 60 * 10
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
    report_total: int = 0


def _recommendation_totals(user, municipality, recommendations, today) -> dict:
    """The counts the front page shows (by status, overdue, stale, reports), aggregated in SQL
    over every readable recommendation and cached on the recommendations' data version and the
    day: they change only when a recommendation, a status or a report does."""
    key = cache_key(
        "dashboards:recommendation-totals",
        (
            municipality.pk,
            user.is_authenticated or municipality.is_published,
            today,
            stale_before(today),
            recommendation_version(),
        ),
    )
    found = cache.get(key)
    if found is None:
        found = {
            "by_status": list(
                recommendations.order_by().values_list("status_id").annotate(n=Count("pk"))
            ),
            "numbers": recommendations.aggregate(
                overdue=Count("pk", filter=overdue_q(today)),
                stale=Count("pk", filter=stale_q(today)),
                flagged=Count("pk", filter=overdue_q(today) | stale_q(today)),
                count=Count("pk"),
                latest=Max("last_updated_at"),
            ),
            "reports": Report.objects.filter(
                pk__in=rec_selectors.report_ids_for_municipality(user, municipality)
            ).count(),
        }
        cache.set(key, found, CACHE_SECONDS)
    return found


def front_page(user, municipality: Municipality, today: datetime.date | None = None) -> FrontPage:
    today = today or timezone.localdate()
    # Only the most recent reports are read (with their bars); the totals are counted in SQL over
    # all of them, so the page costs the same with 4 reports or 400 (docs/national-scale.md).
    report_ids = rec_selectors.report_ids_for_municipality(user, municipality)
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
        report.status_counts = counts.get(report.pk, [])
    statuses = {s.pk: s for s in Status.objects.all()}
    recommendations = Recommendation.objects.filter(report__in=report_ids)
    totals = _recommendation_totals(user, municipality, recommendations, today)
    status_totals = sorted(
        ((statuses[pk], n) for pk, n in totals["by_status"] if pk in statuses),
        key=lambda row: (row[0].position, row[0].name),
    )
    numbers = totals["numbers"]
    report_total = totals["reports"]
    flagged = list(
        rec_selectors.recommendation_list(
            rec_selectors.needs_update(recommendations, today)
        ).order_by("last_updated_at", "pk")[:FRONT_PAGE_ITEMS]
    )
    for r in flagged:
        r.freshness = freshness(r, today)

    evaluated = indicator_statuses(municipality, today)
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
        overdue_count=numbers["overdue"],
        stale_count=numbers["stale"],
        needs_update_count=numbers["flagged"],
        needs_update=flagged,
        indicator_summary=evaluated["summary"],
        indicator_count=len(evaluated["statuses"]),
        recommendation_version=(numbers["count"], str(numbers["latest"])),
        indicator_version=evaluated["version"],
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


def _latest(queryset, field: str):
    """The greatest value of an indexed column, read from the index (one aggregate per query: SQLite
    reads a lone MIN/MAX from the index, two in one query scan the table)."""
    return queryset.order_by().aggregate(value=Max(field))["value"]


WRITES_KEY = "dashboards:writes:{}"


def writes(group: str) -> int:
    """A counter of the writes the maxima below cannot see: deletions, and edits of reports,
    recommendations and decisions that move no timestamp (signals, see apps.py). ``group`` is
    "plans" or "recommendations", so a change on one side leaves the other's caches alone."""
    return cache.get(WRITES_KEY.format(group), 0)


def _count_write(group: str) -> None:
    key = WRITES_KEY.format(group)
    if not cache.add(key, 1, None):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, None)


def note_plan_write(**_kwargs) -> None:
    _count_write("plans")


def note_recommendation_write(**_kwargs) -> None:
    _count_write("recommendations")


def measurement_version() -> tuple:
    """Changes whenever an indicator or a measurement anywhere is added, edited or removed. Global
    on purpose: the highest id and the latest ``updated_at`` come from indexes, so reading the
    version costs the same whatever a municipality holds (a count, or one municipality's maximum,
    would read its rows: 90 ms at national scale on every dashboard request)."""
    return (
        _latest(Measurement.objects, "pk"),
        str(_latest(Measurement.objects, "updated_at")),
        _latest(Indicator.objects, "pk"),
        str(_latest(Indicator.objects, "updated_at")),
        writes("plans"),
    )


def indicator_statuses(municipality, as_of: datetime.date | None = None) -> dict:
    """Every indicator's status from the progress engine, the summary by status and the plans,
    cached on the data version, the date and the thresholds: the engine runs over all of a
    municipality's measurements only when something changed (or on a new day)."""
    as_of = as_of or timezone.localdate()
    version = measurement_version()
    key = cache_key(
        "dashboards:indicator-statuses",
        (municipality.pk, as_of.isoformat(), version, repr(thresholds())),
    )
    found = cache.get(key)
    if found is None:
        indicators = indicators_with_progress(municipality, as_of)
        found = {
            "statuses": {i.pk: i.result.status for i in indicators},
            "summary": progress.summarise(i.result for i in indicators),
            "plan_ids": sorted({i.plan_id for i in indicators}),
            "version": ("indicators", municipality.pk, *version),
        }
        cache.set(key, found, CACHE_SECONDS)
    return found


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
    # Without the annex the lists hold the first SUMMARY_ITEMS; the counts are of all of them.
    changed_count: int = 0
    overdue_count: int = 0
    indicator_count: int = 0
    is_summary: bool = False


SUMMARY_ITEMS = 25


def _in_force(day: datetime.date, field: str):
    """A subquery: ``field`` of the recommendation's status update in force at the end of ``day``."""
    return Subquery(
        StatusUpdate.objects.filter(recommendation=OuterRef("pk"), effective_on__lte=day)
        .order_by("-effective_on", "-created_at", "-id")
        .values(field)[:1]
    )


def recommendation_version() -> tuple:
    """Changes whenever a report, a recommendation, a status change or a council decision anywhere
    is added, edited or removed (global and read from indexes, like ``measurement_version``)."""
    return (
        _latest(Recommendation.objects, "pk"),
        str(_latest(Recommendation.objects, "last_updated_at")),
        _latest(StatusUpdate.objects, "pk"),
        _latest(CouncilDecision.objects, "pk"),
        _latest(Report.objects, "pk"),
        writes("recommendations"),
    )


def cached_meeting_summary(
    municipality: Municipality,
    body: Body,
    day: datetime.date,
    previous: datetime.date | None = None,
) -> MeetingReport:
    """``meeting_summary``, cached on the data version of recommendations, status changes,
    decisions and measurements: council members open the same report before a meeting, and it is
    computed again only when something it shows may have changed (docs/national-scale.md)."""
    version = (recommendation_version(), measurement_version(), repr(thresholds()))
    key = cache_key(
        "dashboards:meeting-summary",
        (municipality.pk, body.pk, day, previous, timezone.localdate(), version),
    )
    found = cache.get(key)
    if found is None:
        found = meeting_summary(municipality, body, day, previous)
        cache.set(key, found, CACHE_SECONDS)
    return found


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
    previous_is_default = previous is None
    if previous is None:
        previous = previous_meeting(body, day)
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
    status_totals = sorted(
        totals, key=lambda row: (row[0] is None, row[0].position if row[0] else 0)
    )
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
            effective_on=getattr(r, "now_on", None) if when == "now" else None,
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
    by_indicator: dict[int, list[Recommendation]] = {}
    for r in (
        linked.filter(
            baseline_indicator__in=first_indicators.prefetch_related(None)
            .select_related(None)
            .values("pk")[:limit]
        )
        .only("pk", "number", "baseline_indicator_id")
        .order_by("report", "sort_key")
    ):
        by_indicator.setdefault(r.baseline_indicator_id, []).append(r)
    for indicator in indicators:
        indicator.linked_recommendations = by_indicator.get(indicator.pk, [])

    return MeetingReport(
        municipality=municipality,
        body=body,
        day=day,
        previous=previous,
        previous_is_default=previous_is_default,
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
        changed_count=sum(1 for line in lines if line.changed),
        overdue_count=sum(1 for line in lines if line.overdue),
        indicator_count=len(indicators),
    )


def bodies_for(municipality) -> QuerySet[Body]:
    return Body.objects.filter(municipality=municipality).order_by("name")


@dataclass(slots=True)
class UnitRef:
    """What the institutions list shows of a unit (cached with the projection)."""

    pk: int
    name: str
    kind: str
    municipality: Municipality


@dataclass(slots=True)
class InstitutionRow:
    unit: UnitRef
    kind: str
    area: str
    profession: str
    staff_now: float
    supply: float
    demand: float
    shortage: float
    profession_ref: object = None

    @property
    def words(self) -> str:
        return workforce_selectors.shortage_words(self.shortage, self.profession_ref)


@dataclass
class InstitutionTable:
    scenario: object
    year: int
    is_demo: bool
    rows: LazyRows


def _institution_rows(scenario):
    """(year, is_demo, rows) of the baseline projection's horizon year, as plain values."""
    inputs = workforce_selectors.projection_inputs(scenario)
    result = workforce_selectors.run(inputs)
    if result is None:
        return None
    frame = result.frame
    year = int(frame["year"].max())
    first = frame[frame["year"] == frame["year"].min()]
    start = {(r.institution, str(r.profession)): r.supply_start for r in first.itertuples()}
    rows = []
    for r in frame[frame["year"] == year].itertuples():
        unit = inputs.units.get(r.institution)
        if unit is None:
            continue
        key = str(r.profession)
        rows.append(
            (
                unit.pk,
                unit.name,
                unit.kind,
                unit.parent.name if unit.parent_id and unit.parent else "",
                key,
                workforce_selectors.rounded(start.get((r.institution, key), 0.0)),
                workforce_selectors.rounded(r.supply),
                workforce_selectors.rounded(r.demand),
                workforce_selectors.rounded(r.shortage),
            )
        )
    # Cached in the table's order (institution, then profession name): a request then filters
    # without sorting 15,000 rows.
    names = {key: p.name for key, p in workforce_selectors.professions_by_key().items()}
    rows.sort(key=lambda v: (v[1], names.get(v[4], v[4])))
    return year, inputs.is_demo, rows


def institution_table(municipality, unit_ids=None, profession_keys=None) -> InstitutionTable | None:
    """Each institution × profession of the baseline scenario in its horizon year: staff now,
    projected supply, demand and shortage. The projection is cached on its data version
    (workforce.selectors.cached), so a page costs the same queries and nearly the same time
    whatever the number of institutions."""
    scenario = workforce_selectors.scenario_for(municipality, None)
    if scenario is None:
        return None
    found = workforce_selectors.cached(
        "institution-rows-sorted", scenario, lambda: _institution_rows(scenario)
    )
    if found is None:
        return None
    year, is_demo, values = found
    professions = workforce_selectors.professions_by_key()
    kinds = {k: str(v) for k, v in UnitKind.choices}
    names = {key: p.name for key, p in professions.items()}
    # Filter the plain tuples (cached in order); the row objects are built when read (``LazyRows``), so the
    # HTML page builds only the 25 rows it shows out of 15,000 at 100×.
    values = [
        v
        for v in values
        if (unit_ids is None or v[0] in unit_ids)
        and (not profession_keys or v[4] in profession_keys)
    ]

    def make(v):
        pk, name, kind, area, key, staff_now, supply, demand, shortage = v
        profession = professions.get(key)
        return InstitutionRow(
            unit=UnitRef(pk, name, kind, municipality),
            kind=kinds.get(kind, kind),
            area=area,
            profession=names.get(key, key),
            staff_now=staff_now,
            supply=supply,
            demand=demand,
            shortage=shortage,
            profession_ref=profession,
        )

    return InstitutionTable(
        scenario=scenario, year=year, is_demo=is_demo, rows=LazyRows(values, make, kinds, names)
    )


class LazyRows:
    """The institution rows as plain tuples, turned into ``InstitutionRow`` when read: a list-like
    a paginator slices and an export iterates. ``keep``/``sort_by`` work on the tuples."""

    def __init__(self, values, make, kinds, names):
        self.values, self.make, self.kinds, self.names = values, make, kinds, names

    def __len__(self):
        return len(self.values)

    def __bool__(self):
        return bool(self.values)

    def __iter__(self):
        return (self.make(v) for v in self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.make(v) for v in self.values[index]]
        return self.make(self.values[index])

    def count(self):
        return len(self.values)

    def shortage_only(self, limit: float = 0.5) -> None:
        self.values = [v for v in self.values if v[8] >= limit]

    def sort_by(self, order: str) -> None:
        if order == "shortage":
            self.values.sort(key=lambda v: -v[8])
        elif order == "kind":
            self.values.sort(
                key=lambda v: (self.kinds.get(v[2], v[2]), v[1], self.names.get(v[4], v[4]))
            )
