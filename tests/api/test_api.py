"""The read-only API: key authentication, only the token owner's municipalities, no export for
council members, pagination and the lists' filters, in a fixed number of queries."""

import pytest
from django.urls import reverse
from knox.crypto import hash_token

from api.models import ApiKey
from recommendations import services
from recommendations.models import Recommendation
from tests.factories import RecommendationFactory, ReportFactory, api_key, status

# PostgreSQL: the API's querysets, filters and pagination.
pytestmark = pytest.mark.postgres


@pytest.fixture
def seeded(seed_data):
    """load_seed_data's result (built once per session; a fresh copy for each test)."""


def api(client, user, url, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Token {api_key(user)}")


def all_pages(client, user, url, **params):
    rows, page = [], api(client, user, url, **params).json()
    rows += page["results"]
    while page["next"]:
        page = client.get(page["next"], HTTP_AUTHORIZATION=f"Token {api_key(user)}").json()
        rows += page["results"]
    return rows


@pytest.mark.django_db
def test_analyst_sees_own_and_cross_municipal_recommendations_only(seeded, client, analyst):
    rows = all_pages(client, analyst, reverse("api-recommendation-list"))
    reports = {r["report"] for r in rows}
    assert "allerod-2023-opgaveudvalg" in reports and "kl-2018-flere-haender" in reports
    assert "norddjurs-2023-udvalg" not in reports
    assert {r["municipality"] for r in rows} == {201, None}


@pytest.mark.django_db
def test_outsider_token_sees_norddjurs_not_allerod(seeded, client, outsider):
    rows = all_pages(client, outsider, reverse("api-recommendation-list"))
    assert {r["municipality"] for r in rows} == {707, None}
    allerod_rec = Recommendation.objects.filter(report__municipality__code=201).first()
    assert allerod_rec is not None
    response = api(client, outsider, reverse("api-recommendation-detail", args=[allerod_rec.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_council_members_token_cannot_export(seeded, client, council_member):
    response = api(client, council_member, reverse("api-recommendation-list"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_anonymous_and_wrong_token_are_refused(seeded, client):
    assert client.get(reverse("api-recommendation-list")).status_code in (401, 403)
    response = client.get(reverse("api-measurement-list"), HTTP_AUTHORIZATION="Token nonsense")
    assert response.status_code == 401


@pytest.mark.django_db
def test_filters_are_the_lists_filters(seeded, client, analyst, hr_officer):
    rec = Recommendation.objects.get(report__key="allerod-2023-opgaveudvalg", number="3")
    services.recommendation_change_status(
        recommendation=rec, status=status("i-gang"), progress=40, acting_user=hr_officer
    )
    rows = api(client, analyst, reverse("api-recommendation-list"), status="i-gang").json()
    assert [r["number"] for r in rows["results"]] == ["3"]
    assert rows["results"][0]["progress"] == "40.00"
    updates = api(client, analyst, reverse("api-status-update-list"), status="i-gang").json()
    assert updates["count"] == 1 and updates["results"][0]["author"] == hr_officer.username


@pytest.mark.django_db
def test_budget_total_and_professions(seeded, client, outsider):
    rows = all_pages(client, outsider, reverse("api-recommendation-list"), municipality=707)
    by_number = {r["number"]: r for r in rows}
    assert by_number["7"]["budget_total_kr"] == "3600000.00"
    assert "sosu-assistent" in by_number["7"]["target_professions"]


@pytest.mark.django_db
def test_indicators_carry_their_computed_status(seeded, client, analyst):
    rows = all_pages(client, analyst, reverse("api-indicator-list"), plan="Beskæftigelsesplan 2026")
    by_code = {r["code"]: r for r in rows}
    assert by_code["2.1"]["status"] == "awaiting_baseline"
    assert by_code["2.1"]["target_kind"] == "relative"
    decisions = all_pages(client, analyst, reverse("api-decision-list"))
    assert {d["case_number"] for d in decisions} >= {"13/4229"}


@pytest.mark.django_db
def test_pages_of_100_in_a_fixed_number_of_queries(
    client, analyst, allerod, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = ReportFactory(municipality=allerod)
    for n in range(10):
        RecommendationFactory(report=report, number=str(n + 1))
    url = reverse("api-recommendation-list")
    api(client, analyst, url)  # warm up: the token row exists now
    with CaptureQueriesContext(connection) as small:
        assert api(client, analyst, url).json()["count"] == 10
    for n in range(10, 150):
        RecommendationFactory(report=report, number=str(n + 1))
    with django_assert_max_num_queries(len(small)):
        page = api(client, analyst, url).json()
    assert page["count"] == 150 and len(page["results"]) == 100 and page["next"]


@pytest.mark.django_db
def test_analyst_creates_and_replaces_a_token(client, analyst, login):
    client = login(analyst)
    first = client.post(reverse("api-token")).context["new_key"]
    assert ApiKey.objects.get(user=analyst).digest == hash_token(first)
    # Replacing a key: revoke the old one, create a new one.
    client.post(reverse("api-token"), {"revoke": ApiKey.objects.get(user=analyst).pk})
    second = client.post(reverse("api-token")).context["new_key"]
    assert second != first and ApiKey.objects.filter(user=analyst).count() == 1
    assert (
        client.get(
            reverse("api-recommendation-list"), HTTP_AUTHORIZATION=f"Token {first}"
        ).status_code
        == 401
    )


@pytest.mark.django_db
def test_council_member_gets_no_token(login, council_member):
    assert login(council_member).post(reverse("api-token")).status_code == 403
    assert not ApiKey.objects.exists()
