import io

import pytest
from django.core.management import call_command

from recommendations.models import Recommendation, StatusUpdate, UpdateOrigin


@pytest.mark.django_db
def test_demo_history_is_marked_and_added_once(seed_data, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=io.StringIO())
    call_command("create_recommendations_demo", stdout=io.StringIO())
    demo = StatusUpdate.objects.filter(origin=UpdateOrigin.DEMO)
    assert demo.count() >= 10
    assert all(u.note.startswith("[Demo]") for u in demo)
    six = Recommendation.objects.get(report__key="allerod-2023-opgaveudvalg", number="6")
    # 6a investigating (10), 6b 60, 6c opted out keeps 0 → (10 + 60 + 0) / 3
    assert str(six.progress) == "23.33"
    before = StatusUpdate.objects.count()
    call_command("create_recommendations_demo", stdout=io.StringIO())
    assert StatusUpdate.objects.count() == before
