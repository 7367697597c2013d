import pytest


@pytest.fixture
def seeded(seed_workforce_only):
    """The organisations and workforce seed data (other apps' seeds are not needed here)."""
    return seed_workforce_only
