"""Reads for the employment-plan pages, each with a fixed number of queries whatever the row count;
progress is then computed in Python by the pure engine."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import models, progress, wording

if TYPE_CHECKING:
    from organizations.models import Municipality


def thresholds() -> progress.Thresholds:
    """``EMPLOYMENT_PLAN_THRESHOLDS = {"at_risk": 10, "off_track": 25}`` in settings overrides."""
    configured = getattr(settings, "EMPLOYMENT_PLAN_THRESHOLDS", None) or {}
    default = progress.DEFAULT_THRESHOLDS
    return progress.Thresholds(
        at_risk=Decimal(str(configured.get("at_risk", default.at_risk))),
        off_track=Decimal(str(configured.get("off_track", default.off_track))),
    )


def points_of(measurements: Iterable[models.Measurement]) -> list[progress.Point]:
    return [progress.Point(m.date, m.value, m.provisional, m.pk) for m in measurements]


def evaluate(indicator: models.Indicator, as_of: datetime.date | None = None) -> progress.Progress:
    """Progress of an indicator whose measurements are prefetched (no query when they are)."""
    return progress.evaluate(
        indicator.spec(),
        points_of(indicator.measurements.all()),
        as_of or timezone.localdate(),
        thresholds(),
    )


def plans_for(municipality: Municipality, counts: bool = True) -> QuerySet[models.EmploymentPlan]:
    """The municipality's plans, newest first; with ``counts``, each with its number of focus
    areas and indicators (restrict the queryset to the shown plans before reading it)."""
    plans = models.EmploymentPlan.objects.filter(municipality=municipality)
    if counts:
        plans = plans.annotate(
            focus_area_count=Count("focus_areas", distinct=True),
            indicator_count=Count("indicators", distinct=True),
        )
    return plans.order_by("-period_start", "title", "pk")


def _measurements() -> QuerySet[models.Measurement]:
    return models.Measurement.objects.order_by("date", "id").only(
        "id", "indicator_id", "date", "value", "provisional", "updated_at"
    )


def plan_barometer(
    *, municipality: Municipality, plan_id: int, as_of: datetime.date | None = None
) -> models.EmploymentPlan:
    """The plan with its facts, focus areas, initiatives, indicators and measurements (six queries),
    each indicator carrying ``result`` (progress) and the plan ``status_counts``."""
    indicators = models.Indicator.objects.order_by("position", "code").prefetch_related(
        Prefetch("measurements", queryset=_measurements())
    )
    plan: models.EmploymentPlan = get_object_or_404(
        models.EmploymentPlan.objects.filter(municipality=municipality).prefetch_related(
            Prefetch("facts", queryset=models.PlanFact.objects.order_by("position")),
            Prefetch(
                "focus_areas",
                queryset=models.FocusArea.objects.order_by("number").prefetch_related(
                    Prefetch("indicators", queryset=indicators),
                    Prefetch(
                        "initiatives",
                        queryset=models.Initiative.objects.order_by("kind", "position"),
                    ),
                ),
            ),
        ),
        pk=plan_id,
    )
    as_of = as_of or timezone.localdate()
    results = []
    for area in plan.focus_areas.all():
        area.existing_initiatives = [i for i in area.initiatives.all() if i.kind == "existing"]
        area.new_initiatives = [i for i in area.initiatives.all() if i.kind == "new"]
        for indicator in area.indicators.all():
            indicator.plan = plan  # the engine reads the plan's start: no query per indicator
            indicator.result = evaluate(indicator, as_of)
            results.append(indicator.result)
    # For the page, attached to the fetched row (not fields of the model: hence the ignores).
    plan.status_counts = wording.summarise(results)  # type: ignore[attr-defined]
    plan.as_of = as_of  # type: ignore[attr-defined]
    return plan


def indicator_detail(
    *, municipality: Municipality, pk: int, as_of: datetime.date | None = None
) -> models.Indicator:
    """One indicator of the municipality (404 otherwise) with measurements and comparisons."""
    indicator: models.Indicator = get_object_or_404(
        models.Indicator.objects.filter(plan__municipality=municipality)
        .select_related("plan", "focus_area", "responsible_unit", "source")
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=models.Measurement.objects.order_by("date", "id").select_related(
                    "entered_by"
                ),
            ),
            Prefetch(
                "comparisons",
                queryset=models.ComparisonMeasurement.objects.order_by(
                    "municipality__name", "date"
                ).select_related("municipality"),
            ),
        ),
        pk=pk,
    )
    # For the page (not fields: hence the ignores).
    indicator.result = evaluate(indicator, as_of)  # type: ignore[attr-defined]
    indicator.as_of = as_of or timezone.localdate()  # type: ignore[attr-defined]
    return indicator
