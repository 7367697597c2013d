"""The indicators a dashboard shows, each evaluated by the progress engine, and their statuses
cached on the municipality's data generation."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from employment_plan import wording
from employment_plan.models import Indicator, Measurement
from employment_plan.selectors import evaluate, thresholds
from organizations.generation import cached_for_municipality, municipality_generation


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


def indicator_statuses(
    municipality, as_of: datetime.date | None = None, *, generation=None
) -> dict:
    """Every indicator's status from the progress engine, the summary by status and the plans,
    cached on the municipality's data generation, the date and the thresholds: the engine runs
    over all of a municipality's measurements only when something changed (or on a new day)."""
    as_of = as_of or timezone.localdate()
    if generation is None:
        generation = municipality_generation(municipality)

    def compute():
        indicators = indicators_with_progress(municipality, as_of)
        return {
            # ``result`` is attached by indicators_with_progress (not a field: hence the ignores).
            "statuses": {i.pk: i.result.status for i in indicators},  # type: ignore[attr-defined]
            "summary": wording.summarise(i.result for i in indicators),  # type: ignore[attr-defined]
            "plan_ids": sorted({i.plan_id for i in indicators}),
            # The newest measurement the statuses are computed from (the front page's "data as of").
            "latest_measurement": max(
                (m.date for i in indicators for m in i.measurements.all() if m.date <= as_of),
                default=None,
            ),
        }

    return cached_for_municipality(
        "dashboards:indicator-statuses-dated",
        municipality,
        (as_of.isoformat(), repr(thresholds())),
        compute,
        generation=generation,
    )


def indicators_with_progress(
    municipality, as_of: datetime.date | None = None, queryset: QuerySet[Indicator] | None = None
) -> list[Indicator]:
    """The municipality's indicators, each with ``result`` from the progress engine (two queries)."""
    queryset = queryset if queryset is not None else indicator_queryset(municipality)
    indicators = list(queryset)
    for indicator in indicators:
        indicator.result = evaluate(indicator, as_of)  # type: ignore[attr-defined]  # for the pages
    return indicators
