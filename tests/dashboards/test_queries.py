"""Every dashboard page takes the same number of queries at small data and at 50 times the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .conftest import build

# PostgreSQL: query counts.
pytestmark = pytest.mark.postgres

SMALL = 4


def measured(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def urls(body):
    day = timezone.localdate().isoformat()
    return [
        reverse("municipality-detail", args=["allerod"]),
        reverse("dashboard-recommendations", args=["allerod"]),
        reverse("dashboard-recommendations", args=["allerod"])
        + "?status=ikke-paabegyndt&status=i-gang&overdue=true&needs_update=true&sort=-updated&q=Anbefaling",
        reverse("dashboard-recommendations", args=["allerod"]) + "?page=2",
        reverse("dashboard-indicators", args=["allerod"]),
        reverse("dashboard-indicators", args=["allerod"]) + "?status=off_track&sort=-code",
        reverse("meeting-report", args=["allerod"]) + f"?body={body.pk}&date={day}",
        reverse("meeting-report", args=["allerod"])
        + f"?body={body.pk}&date={day}&previous={datetime.date(2020, 1, 1).isoformat()}",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_member", "analyst"])
def test_dashboard_pages_take_the_same_queries_at_small_and_50_times_the_data(
    request, login, persona, allerod, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(persona))
    small = build(allerod, SMALL)
    baselines = {url: measured(client, url) for url in urls(small["body"])}

    build(allerod, SMALL * 50, label="large-")
    for url, baseline in baselines.items():
        with django_assert_max_num_queries(baseline):
            response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_anonymous_visitor_of_a_published_municipality_takes_the_same_queries(
    client, allerod, django_assert_max_num_queries
):
    allerod.is_published = True
    allerod.save()
    small = build(allerod, SMALL)
    baselines = {url: measured(client, url) for url in urls(small["body"])}
    build(allerod, SMALL * 50, label="large-")
    for url, baseline in baselines.items():
        with django_assert_max_num_queries(baseline):
            assert client.get(url).status_code == 200, url
