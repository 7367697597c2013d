"""The data versions the dashboards' caches are keyed on: a cached figure is reused while the
version holds, so it never outlives a change it depends on."""

from django.core.cache import cache
from django.db.models import Max

from employment_plan.models import Indicator, Measurement
from recommendations.models import CouncilDecision, Recommendation, Report, StatusUpdate

# Derived figures cached on a data version: they never go stale while the version holds; the
# timeout only bounds what an edit the version cannot see (a unit renamed) leaves in the cache.
CACHE_SECONDS = 60 * 10


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
