import io

import pytest
from django.core.management import call_command


@pytest.fixture
def seeded(allerod, norddjurs):
    """Every seed document, plus the demo's status history and calibrated staffing for Allerød."""
    out = io.StringIO()
    call_command("load_seed_data", stdout=out)
    call_command("create_recommendations_demo", "--force", stdout=out)
    call_command("create_workforce_demo", "--force", stdout=out)
    allerod.refresh_from_db()
    return allerod
