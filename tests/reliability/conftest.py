"""The employment-plan fixtures the reliability tests share with tests/employment_plan/ (a conftest is
only seen by its own folder, so they are re-exported here rather than copied)."""

from tests.employment_plan.conftest import (  # noqa: F401
    area,
    companies_indicator,
    percent_indicator,
    plan,
    relative_indicator,
)
