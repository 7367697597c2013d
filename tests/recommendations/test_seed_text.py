"""What the Norddjurs committee's document says about resources without an amount, and about a
follow-up to be decided later, survives the seed load and is on the recommendation's page."""

import pytest
from django.urls import reverse

from recommendations.models import Recommendation


@pytest.mark.django_db
def test_norddjurs_text_without_amount_or_year_is_on_the_page(seed_data, login, outsider):
    recommendation = Recommendation.objects.get(
        report__key="norddjurs-2023-udvalg", title="Ledelsesspænd på Velfærdsområdet"
    )
    assert not recommendation.budget_lines.exists() and recommendation.follow_up_year is None
    html = (
        login(outsider)  # a Norddjurs administrator
        .get(reverse("recommendation-detail", args=["norddjurs", recommendation.pk]))
        .content.decode()
    )
    # Rec. 2's "Ressourcer og økonomi" and "Opfølgning" in the document (001_…txt).
    assert "konsulenttid på Velfærdsområdet til kortlægning og analyse i efteråret 2023" in html
    assert "Fastlægges, når analysens resultater og den efterfølgende politiske" in html
    assert "Kilden angiver ingen økonomi" not in html
