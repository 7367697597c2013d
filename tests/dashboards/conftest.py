"""Data for the dashboard tests: a committee, a report with n recommendations and their status
history, and an employment plan whose indicators some recommendations are measured by."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from employment_plan.models import Measurement
from organizations.models import BodyKind
from recommendations.models import (
    CouncilDecision,
    DecisionKind,
    Recommendation,
    Status,
    StatusUpdate,
    UpdateOrigin,
    natural_sort_key,
)
from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory
from tests.factories import (
    BodyFactory,
    MunicipalityFactory,
    ReportFactory,
    ThemeFactory,
    status,
)

STATUS_KEYS = ["ikke-paabegyndt", "i-gang", "forsinket", "gennemfoert", "besluttet"]


@pytest.fixture(autouse=True)
def _empty_chart_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reset_municipality_codes():
    """MunicipalityFactory numbers codes 800 + n and the database allows up to 999: without a
    reset, every test that creates a persona pushes later tests in the suite closer to the limit."""
    yield
    MunicipalityFactory.reset_sequence()


def build(municipality, n: int, *, body=None, label: str = "") -> dict:
    """A report with ``n`` recommendations (statuses cycling, two updates each: 200 and 10 days
    ago), some overdue, some stale; a plan with n // 5 + 1 indicators with three measurements each;
    every fifth recommendation measured by an indicator; one council decision of the committee."""
    today = timezone.localdate()
    body = body or BodyFactory(
        municipality=municipality, kind=BodyKind.COMMITTEE, name=f"Udvalget {label}{n}"
    )
    report = ReportFactory.create(
        municipality=municipality, issuing_body=body, title=f"Rapport {label}{n}"
    )
    theme = ThemeFactory.create(report=report)
    statuses = {key: status(key) for key in STATUS_KEYS}
    plan = PlanFactory(municipality=municipality, title=f"Plan {label}{n}")
    area = FocusAreaFactory(plan=plan)
    indicators = [
        IndicatorFactory.create(
            focus_area=area, plan=plan, code=f"{i + 1}.{n}", title=f"Indikator {i}"
        )
        for i in range(n // 5 + 1)
    ]
    Measurement.objects.bulk_create(
        Measurement(
            indicator=indicator,
            date=datetime.date(2026, month, 1),
            value=Decimal(20 - month),
        )
        for indicator in indicators
        for month in (1, 2, 3)
    )
    old = timezone.now() - datetime.timedelta(days=200)
    recs = Recommendation.objects.bulk_create(
        Recommendation(
            report=report,
            theme=theme,
            number=str(i + 1),
            sort_key=natural_sort_key(str(i + 1)),
            title=f"Anbefaling {label}{i + 1}",
            status=statuses[STATUS_KEYS[i % len(STATUS_KEYS)]],
            progress=Decimal(i % 100),
            follow_up_date=today - datetime.timedelta(days=30) if i % 3 == 0 else None,
            last_updated_at=old if i % 2 else timezone.now(),
            baseline_indicator=indicators[(i // 5) % len(indicators)] if i % 5 == 0 else None,
        )
        for i in range(n)
    )
    StatusUpdate.objects.bulk_create(
        StatusUpdate(
            recommendation=rec,
            effective_on=today - datetime.timedelta(days=days),
            new_status=statuses["ikke-paabegyndt"] if days == 200 else rec.status,
            progress=Decimal(0) if days == 200 else rec.progress,
            note=f"Notat {rec.number}",
            origin=UpdateOrigin.FORM,
        )
        for rec in recs
        for days in (200, 10)
    )
    decision = CouncilDecision.objects.create(
        municipality=municipality,
        body=body,
        meeting_date=today - datetime.timedelta(days=60),
        decision=DecisionKind.NOTED,
        item_number=n,
    )
    decision.recommendations.add(*recs[:3])
    return {"body": body, "report": report, "plan": plan, "recs": recs, "indicators": indicators}


def status_named(key) -> Status:
    return Status.objects.get(key=key)
