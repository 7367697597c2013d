import datetime

import pytest

from followup import services
from followup.models import FollowUpRound
from organizations.models import BodyKind, Role
from tests.employment_plan.factories import IndicatorFactory, PlanFactory
from tests.factories import BodyFactory, RecommendationFactory, ReportFactory, UnitFactory, member

MEETING = datetime.date(2027, 3, 12)
DEADLINE = datetime.date(2027, 3, 1)


@pytest.fixture
def committee(allerod):
    return BodyFactory(municipality=allerod, name="Beskæftigelsesudvalget", kind=BodyKind.COMMITTEE)


@pytest.fixture
def owners(allerod):
    return {
        "olga": member("olga", allerod, Role.HR_OFFICER),
        "otto": member("otto", allerod, Role.HR_OFFICER),
    }


@pytest.fixture
def scope(allerod, committee, owners):
    """Two recommendations of the committee's report (one owned through its unit's contact), one
    measured by an indicator, a closed one, and one of another body's report."""
    unit = UnitFactory(municipality=allerod, name="HR og Løn", contact=owners["otto"])
    report = ReportFactory(municipality=allerod, issuing_body=committee, title="Rekruttering")
    plan = PlanFactory(municipality=allerod)
    indicator = IndicatorFactory(focus_area__plan=plan, title="Ledige i job")
    first = RecommendationFactory(
        report=report, contact=owners["olga"], baseline_indicator=indicator
    )
    second = RecommendationFactory(report=report, responsible_unit=unit)
    from tests.factories import status

    RecommendationFactory(report=report, status=status("gennemfoert"), contact=owners["olga"])
    RecommendationFactory(report=ReportFactory(municipality=allerod), contact=owners["olga"])
    return {"first": first, "second": second, "indicator": indicator, "unit": unit}


def new_round(allerod, committee, acting_user, **kwargs) -> FollowUpRound:
    round = FollowUpRound(
        municipality=allerod,
        body=committee,
        title=kwargs.pop("title", "Status til Beskæftigelsesudvalget, møde 12. marts 2027"),
        meeting_date=kwargs.pop("meeting_date", MEETING),
        deadline=kwargs.pop("deadline", DEADLINE),
        **kwargs,
    )
    return services.round_create(round=round, acting_user=acting_user)
