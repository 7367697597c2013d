"""The indicators a dashboard shows, each evaluated by the progress engine, and their statuses
cached on the data version."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from core.charts import cache_key
from employment_plan import progress
from employment_plan.models import Indicator, Measurement
from employment_plan.selectors import evaluate, thresholds

from .versions import CACHE_SECONDS, measurement_version


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
