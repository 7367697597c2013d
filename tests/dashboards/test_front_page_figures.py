"""The front page's figures a council member can trust: the municipality's own recommendations
counted apart from KL's and KKR's shared ones, and the date the figures were last changed."""

import re

import pytest
from django.urls import reverse

from recommendations.models import Recommendation


def _card(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    return html[start : html.index("</section>", start)]


def _total(card: str) -> int:
    found = re.search(r"<tfoot>.*?<td[^>]*>(\d+)</td>", card, flags=re.S)
    assert found, card
    return int(found.group(1))


@pytest.mark.django_db
def test_front_page_counts_own_recommendations_apart_from_shared(seed_data, login, council_member):
    own = Recommendation.objects.filter(report__municipality__code=201).count()
    shared = Recommendation.objects.filter(report__municipality__isnull=True).count()
    assert own and shared  # the seeds: Allerød's committee and minutes; KL's 38 and KKR's

    html = (
        login(council_member).get(reverse("municipality-detail", args=["allerod"])).content.decode()
    )
    assert _total(_card(html, "card-status")) == own
    assert _total(_card(html, "card-shared")) == shared

    # The counts link to a list that shows as many rows.
    listed = login(council_member).get(
        reverse("dashboard-recommendations", args=["allerod"]), {"shared": "false"}
    )
    assert listed.context["page_obj"].paginator.count == own
