"""The front page's figures a council member can trust: the municipality's own recommendations
counted apart from KL's and KKR's shared ones, and the date the figures were last changed."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from employment_plan.services import measurement_record
from recommendations.models import Recommendation
from workforce.models import StaffingSnapshot

from .conftest import build


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


DANISH_MONTHS = (
    "januar februar marts april maj juni juli august september oktober november december"
)


def _danish(day) -> str:
    return f"{day.day}. {DANISH_MONTHS.split()[day.month - 1]} {day.year}"


def _as_of_line(html: str) -> str:
    start = html.index('id="data-as-of"')
    return re.sub(r"\s+", " ", html[html.index(">", start) + 1 : html.index("</p>", start)])


@pytest.mark.django_db
def test_front_page_says_when_its_figures_were_last_changed(
    login, council_member, administrator, allerod
):
    data = build(allerod, 3)  # status updates 200 and 10 days ago, measurements 1 Jan–1 Mar 2026
    updated = timezone.localdate() - datetime.timedelta(days=10)
    client = login(council_member)
    url = reverse("municipality-detail", args=["allerod"])

    line = _as_of_line(client.get(url).content.decode())
    newest = max(updated, datetime.date(2026, 3, 1))
    assert line.startswith(f"Data pr. {_danish(newest)}")
    assert _danish(updated) in line and "1. marts 2026" in line

    # A newer measurement moves the line.
    measured = timezone.localdate() - datetime.timedelta(days=2)
    measurement_record(
        indicator=data["indicators"][0], date=measured, value=Decimal(7), acting_user=administrator
    )
    line = _as_of_line(client.get(url).content.decode())
    assert line.startswith(f"Data pr. {_danish(measured)}")


@pytest.mark.django_db
def test_front_page_dates_the_staffing_it_projects(seed_workforce_demo, login, council_member):
    html = (
        login(council_member).get(reverse("municipality-detail", args=["allerod"])).content.decode()
    )
    newest = (
        StaffingSnapshot.objects.filter(unit__municipality__code=201)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    assert newest is not None
    assert f"bemanding {_danish(newest)}" in _as_of_line(html)
