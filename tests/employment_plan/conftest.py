import datetime
from decimal import Decimal

import pytest

from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory


@pytest.fixture
def plan(allerod):
    return PlanFactory(municipality=allerod, title="Beskæftigelsesplan 2026")


@pytest.fixture
def area(plan):
    return FocusAreaFactory(plan=plan, number=1, title="Forebyggelse af sygefravær")


@pytest.fixture
def relative_indicator(area):
    """“−10 % from the level in 2025”, persons, waiting for its 2025 baseline."""
    return IndicatorFactory(
        focus_area=area,
        code="2.1",
        target_kind="relative",
        target_value=Decimal(-10),
        awaiting_baseline=True,
        baseline_period="2025",
    )


@pytest.fixture
def percent_indicator(area):
    return IndicatorFactory(
        focus_area=area,
        code="1.2",
        unit="percent",
        direction="higher",
        target_value=Decimal(80),
        target_operator=">=",
    )


@pytest.fixture
def companies_indicator(area):
    return IndicatorFactory(
        focus_area=area,
        code="5.1",
        unit="companies",
        direction="higher",
        target_value=Decimal(10),
        target_operator=">=",
        baseline_value=Decimal(0),
        baseline_date=datetime.date(2026, 1, 1),
    )
