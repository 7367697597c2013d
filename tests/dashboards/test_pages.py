"""Every dashboard page has lang, one h1, landmarks, a skip-link target, unique ids, the
accessibility statement in the footer, and no inline scripts or event-handler attributes."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.html import structure

from .conftest import build


def all_pages(body):
    day = timezone.localdate().isoformat()
    return [
        reverse("home"),
        reverse("login"),
        reverse("accessibility-statement"),
        reverse("municipality-detail", args=["allerod"]),
        reverse("dashboard-recommendations", args=["allerod"]),
        reverse("dashboard-indicators", args=["allerod"]),
        reverse("meeting-report", args=["allerod"]),
        reverse("meeting-report", args=["allerod"]) + f"?body={body.pk}&date={day}",
        reverse("meeting-report", args=["allerod"]) + f"?body={body.pk}&date=not-a-date",
    ]


@pytest.mark.django_db
def test_every_page_has_lang_one_h1_landmarks_and_no_inline_script(login, council_member, allerod):
    data = build(allerod, 6)
    client = login(council_member)
    for url in all_pages(data["body"]):
        html = client.get(url).content.decode()
        page = structure(html)
        assert page.lang == "da", url
        assert page.h1_count == 1, url
        assert {"banner", "navigation", "main", "contentinfo"} <= page.landmarks, url
        assert "main" in page.ids, url
        assert len(page.ids) == len(set(page.ids)), f"{url}: duplicate ids"
        assert reverse("accessibility-statement") in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"{url}: inline script"
        assert not re.search(r"\son[a-z]+=", html), f"{url}: event-handler attribute"


@pytest.mark.django_db
def test_accessibility_statement_is_public_and_names_the_complaint_body(client):
    with translation.override("en"):
        response = client.get(reverse("accessibility-statement"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "https://was.digst.dk/" in html
    assert "WCAG" in html and "2.1" in html


@pytest.mark.django_db
def test_accessibility_statement_gives_its_date_and_a_contact_address(client, settings):
    html = client.get(reverse("accessibility-statement")).content.decode()
    # The defaults: the statement's own review date and the product's sender address.
    assert "senest gennemgået den 30. november 2026" in html
    assert f'href="mailto:{settings.DEFAULT_FROM_EMAIL}"' in html

    settings.ACCESSIBILITY_STATEMENT_DATE = datetime.date(2027, 3, 1)
    settings.ACCESSIBILITY_CONTACT_EMAIL = "tilgaengelighed@allerod.dk"
    html = client.get(reverse("accessibility-statement")).content.decode()
    assert "senest gennemgået den 1. marts 2027" in html
    assert 'href="mailto:tilgaengelighed@allerod.dk"' in html


@pytest.mark.django_db
def test_front_page_cards_link_to_their_details(login, council_member, allerod):
    data = build(allerod, 6)
    html = login(council_member).get(reverse("municipality-detail", args=["allerod"])).content
    html = html.decode()
    for href in [
        reverse("dashboard-recommendations", args=["allerod"]) + "?overdue=true&amp;shared=false",
        reverse("dashboard-recommendations", args=["allerod"])
        + "?needs_update=true&amp;shared=false",
        reverse("dashboard-indicators", args=["allerod"]),
        reverse("report-detail", args=["allerod", data["report"].pk]),
        reverse("employment-plan-barometer", args=["allerod", data["plan"].pk]),
        reverse("meeting-report", args=["allerod"]),
        reverse("workforce-overview", args=["allerod"]),
    ]:
        assert f'href="{href}"' in html, href
    # The section navigation marks the current page.
    assert re.search(r'href="/kommune/allerod/"\s+aria-current="page"', html)


@pytest.mark.django_db
def test_front_page_shows_the_workforce_outlook_marked_as_demo(
    seed_workforce_demo, login, council_member, allerod
):
    from django.urls import reverse

    html = (
        login(council_member).get(reverse("municipality-detail", args=["allerod"])).content.decode()
    )
    assert "card-workforce" in html
    section = html[html.index("card-workforce") :]
    section = section[: section.index("</section>")]
    assert "Pædagog" in section and "2032" in section
    assert "Demodata" in section or "Demo data" in section
