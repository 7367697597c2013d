import datetime

import pytest


@pytest.fixture
def seeded(seed_demos, allerod, norddjurs):
    """Every seed document, plus the demo's status history and calibrated staffing for Allerød
    (the personas' Allerød and Norddjurs are the seeded ones), and a follow-up round of its city
    council being prepared (the seed has none), so every export subject has rows."""
    from followup.models import FollowUpRound
    from followup.services import round_create
    from organizations.models import Body

    round_create(
        round=FollowUpRound(
            municipality=allerod,
            body=Body.objects.get(municipality=allerod, name="Byrådet"),
            title="Status til Byrådet",
            meeting_date=datetime.date(2027, 3, 12),
            deadline=datetime.date(2027, 3, 1),
        ),
        acting_user=None,
    )
    return allerod
