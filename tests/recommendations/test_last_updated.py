"""“Last updated” is the date of the latest status history entry (or content change), not the moment
a backdated entry was saved (issue #15: the demo said “0 days” of entries from months ago)."""

import datetime

from django.urls import reverse
from django.utils import formats, timezone, translation

from recommendations import services
from recommendations.models import Recommendation
from tests.factories import RecommendationFactory, status

ALLEROD_KEY = "allerod-2023-opgaveudvalg"


def test_the_demo_shows_the_date_of_its_last_history_entry(
    seed_recommendations_demo, login, council_member
):
    two = Recommendation.objects.get(report__key=ALLEROD_KEY, number="2")
    last = two.updates.order_by("-effective_on", "-created_at", "-id")[0]
    days = (timezone.localdate() - last.effective_on).days
    assert last.note.startswith("[Demo]") and days > 0
    html = login(council_member).get(reverse("recommendation-detail", args=["allerod", two.pk]))
    with translation.override("da"):
        shown = formats.date_format(last.effective_on, "DATE_FORMAT")
    assert f"Senest opdateret {shown}" in html.text
    assert f"Dage siden opdatering: {days}<" in html.text


def test_a_backdated_change_counts_from_its_date_and_never_moves_it_back(db, allerod, hr_officer):
    # Last touched 100 days ago, as seeded rows are on the date of their source.
    rec = RecommendationFactory.create(
        report__municipality=allerod, last_updated_at=timezone.now() - datetime.timedelta(days=100)
    )
    today = timezone.localdate()
    month_ago = today - datetime.timedelta(days=30)
    services.recommendation_change_status(
        recommendation=rec, status=status("besluttet"), effective_on=month_ago, acting_user=None
    )
    assert timezone.localtime(rec.last_updated_at).date() == month_ago
    services.recommendation_change_status(
        recommendation=rec,
        status=status("i-gang"),
        effective_on=today - datetime.timedelta(days=60),
        acting_user=None,
    )
    assert timezone.localtime(rec.last_updated_at).date() == month_ago
    services.recommendation_change_status(
        recommendation=rec, status=status("forsinket"), note="Afventer budget", acting_user=None
    )
    assert timezone.localtime(rec.last_updated_at).date() == today
