import pytest


@pytest.fixture
def seeded(seed_demos, allerod, norddjurs):
    """Every seed document, plus the demo's status history and calibrated staffing for Allerød
    (the personas' Allerød and Norddjurs are the seeded ones)."""
    return allerod
