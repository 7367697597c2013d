"""Who sees the dashboards: members read, outsiders get 404, anonymous visitors read a published
municipality and are sent to the login page for an unpublished one, for exports and for the admin."""

import pytest
from django.urls import reverse

from organizations.access import can_export
from organizations.models import Municipality

from .conftest import build

# PostgreSQL: who may read what: the scoping querysets.
pytestmark = pytest.mark.postgres

PAGES = [
    ("municipality-detail", ""),
    ("dashboard-recommendations", ""),
    ("dashboard-indicators", ""),
    ("meeting-report", ""),
]


def page_urls(slug, body=None):
    urls = [reverse(name, args=[slug]) + query for name, query in PAGES]
    if body is not None:
        urls.append(reverse("meeting-report", args=[slug]) + f"?body={body.pk}&date=2024-01-31")
    return urls


def export_urls(slug):
    return [
        reverse("dashboard-recommendations", args=[slug]) + "?format=csv",
        reverse("dashboard-indicators", args=[slug]) + "?format=csv",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_member", "hr_officer", "analyst", "administrator"])
def test_members_read_every_dashboard_page(request, login, persona, allerod):
    data = build(allerod, 3)
    client = login(request.getfixturevalue(persona))
    for url in page_urls("allerod", data["body"]):
        response = client.get(url)
        assert response.status_code == 200, url
        assert (
            "Anbefaling" in response.content.decode()
            or "moederapport" in url
            or ("indikatorer" in url)
        )


@pytest.mark.django_db
def test_outsider_gets_not_found_on_every_page_and_export(login, outsider, allerod):
    data = build(allerod, 3)
    client = login(outsider)
    for url in page_urls("allerod", data["body"]) + export_urls("allerod"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Anbefaling 1" not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login_for_an_unpublished_municipality(client, allerod):
    data = build(allerod, 3)
    for url in page_urls("allerod", data["body"]) + export_urls("allerod"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
def test_anonymous_visitor_reads_a_published_municipality_and_nothing_else(
    client, allerod, norddjurs
):
    data = build(allerod, 3)
    build(norddjurs, 2, label="Norddjurs-only ")
    allerod.is_published = True
    allerod.save()
    for url in page_urls("allerod", data["body"]):
        response = client.get(url)
        assert response.status_code == 200, url
    front = client.get(reverse("municipality-detail", args=["allerod"])).content.decode()
    assert "Rapport 3" in front
    assert "Norddjurs-only" not in front
    # Read-only: no export link, no admin link, and the other municipality stays closed.
    listing = client.get(reverse("dashboard-recommendations", args=["allerod"])).content.decode()
    assert "format=csv" not in listing
    assert reverse("admin:index") not in listing
    for url in page_urls("norddjurs"):
        assert client.get(url).status_code == 302, url


@pytest.mark.django_db
def test_anonymous_visitor_of_a_published_municipality_gets_login_for_exports(client, allerod):
    build(allerod, 3)
    allerod.is_published = True
    allerod.save()
    for url in export_urls("allerod"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
def test_anonymous_visitor_gets_the_login_page_for_admin_and_import_urls(client, allerod):
    data = build(allerod, 2)
    allerod.is_published = True
    allerod.save()
    urls = [
        reverse("admin:index"),
        reverse("admin:organizations_municipality_changelist"),
        reverse("admin:organizations_municipality_change", args=[allerod.pk]),
        reverse("admin:recommendations_recommendation_changelist"),
        reverse("admin:employment_plan_measurement_import"),
        reverse("admin:employment_plan_employmentplan_enter_values", args=[data["plan"].pk]),
    ]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        assert "/login/" in final, url
        assert 'name="password"' in response.content.decode(), url


@pytest.mark.django_db
def test_council_member_may_not_export(login, council_member, allerod):
    build(allerod, 3)
    client = login(council_member)
    assert not can_export(council_member, allerod)
    for url in export_urls("allerod"):
        assert client.get(url).status_code == 403, url
    listing = client.get(reverse("dashboard-recommendations", args=["allerod"])).content.decode()
    assert "format=csv" not in listing


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["analyst", "hr_officer", "administrator"])
def test_analysts_and_staff_may_export(request, login, persona, allerod):
    build(allerod, 3)
    user = request.getfixturevalue(persona)
    client = login(user)
    assert can_export(user, allerod)
    listing = client.get(reverse("dashboard-recommendations", args=["allerod"])).content.decode()
    assert "format=csv" in listing
    for url in export_urls("allerod"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
def test_administrator_publishes_the_municipality_in_the_admin(login, administrator, client):
    allerod = Municipality.objects.get(slug="allerod")
    admin_client = login(administrator)
    url = reverse("admin:organizations_municipality_change", args=[allerod.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"name": allerod.name, "code": allerod.code, "slug": allerod.slug})
    data["is_published"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["adminform"].form.errors
    )
    allerod.refresh_from_db()
    assert allerod.is_published
    admin_client.logout()
    assert client.get(reverse("municipality-detail", args=["allerod"])).status_code == 200
