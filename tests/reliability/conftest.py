"""The employment-plan fixtures the reliability tests share with tests/employment_plan/ (a conftest is
only seen by its own folder, so they are re-exported here rather than copied), and the fuzz tests'
logged-in clients."""

import pytest

from tests.employment_plan.conftest import (  # noqa: F401
    area,
    companies_indicator,
    percent_indicator,
    plan,
    relative_indicator,
)


# Logged in once per test: Hypothesis runs a test's body once per example with the same
# function-scoped fixtures, and each example's writes (the session's too) are rolled back
# (junk.rolled_back), so every example is sent by the same signed-in browser.
@pytest.fixture
def hr_client(login, hr_officer):
    return login(hr_officer)


@pytest.fixture
def admin_client(login, administrator):
    return login(administrator)
