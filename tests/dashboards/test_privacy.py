"""Once a municipality is published, the public reads its pages: they see who acts by role, never
a person's name (organizations.access.person_label). Members of the municipality see names."""

import datetime
import re
from collections import deque
from decimal import Decimal
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import reverse

from employment_plan import services as plan_services
from organizations.models import BodyKind, Role
from recommendations import services as rec_services
from tests.employment_plan.factories import IndicatorFactory, PlanFactory
from tests.factories import BodyFactory, RecommendationFactory, ReportFactory, member, status

# Addresses the public cannot use or that name no data: the login and account pages, the admin,
# the language switch, the key-authenticated API, files and exports; and the same rows in another
# order or on another page.
SKIP = re.compile(r"^/(admin|konto|i18n|api|static|media)/|[?&](format|sort|page)=")
PEOPLE = {
    "hr_officer": ("Xanthippe", "Zebrowski", "xzebrowski", Role.HR_OFFICER),
    "administrator": ("Quirinus", "Vandermolen", "qvandermolen", Role.ADMINISTRATOR),
    "contact": ("Ottoline", "Pfefferkorn", "opfefferkorn", Role.COUNCIL_MEMBER),
}


@pytest.fixture
def public_allerod(allerod):
    """Allerød published, with a recommendation whose contact is a person, a status change by an
    HR officer and a measurement entered by an administrator."""
    allerod.is_published = True
    allerod.save(update_fields=["is_published"])
    people = {}
    for key, (first, last, username, role) in PEOPLE.items():
        user = member(username, allerod, role)
        user.first_name, user.last_name = first, last
        user.email = f"{first}.{last}@allerod.example".lower()
        user.save()
        people[key] = user
    body = BodyFactory.create(municipality=allerod, kind=BodyKind.COUNCIL, name="Byrådet")
    report = ReportFactory.create(municipality=allerod, issuing_body=body)
    recommendation = RecommendationFactory.create(report=report, contact=people["contact"])
    rec_services.recommendation_change_status(
        recommendation=recommendation,
        status=status("forsinket"),
        note="Afventer budgettet",
        acting_user=people["hr_officer"],
    )
    plan = PlanFactory(municipality=allerod)
    indicator = IndicatorFactory.create(focus_area__plan=plan, plan=plan)
    plan_services.measurement_record(
        indicator=indicator,
        date=datetime.date.today() - datetime.timedelta(days=30),
        value=Decimal(12),
        acting_user=people["administrator"],
    )
    return {"people": people, "recommendation": recommendation, "indicator": indicator}


def traces(user) -> list[str]:
    """Everything that would give the person away."""
    return [
        user.first_name,
        user.last_name,
        user.get_username(),
        user.get_full_name(),
        user.email,
        user.email.split("@")[0],
    ]


def crawl(client, start: list[str], limit: int = 300) -> dict[str, str]:
    """Every page reachable from ``start`` by following links on the site: address → HTML."""
    seen, queue = set(start), deque(start)
    pages: dict[str, str] = {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        for href in re.findall(r'href="([^"]+)"', html):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            if not link.startswith("/") or link.startswith("//") or SKIP.search(link):
                continue
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


@pytest.mark.django_db
def test_an_anonymous_visitor_sees_no_persons_name_anywhere(client, public_allerod):
    body = public_allerod["recommendation"].report.issuing_body
    meeting = reverse("meeting-report", args=["allerod"]) + f"?body={body.pk}&annex=1&date="
    start = [
        reverse("home"),
        reverse("municipality-detail", args=["allerod"]),
        meeting + datetime.date.today().strftime("%d.%m.%Y"),  # a form, not a link
    ]
    pages = crawl(client, start)
    recommendation = public_allerod["recommendation"]
    # The crawl reached the pages that name people to members.
    visited = {urlsplit(url).path for url in pages}
    assert any(url.startswith(meeting) for url in pages)
    assert reverse("recommendation-detail", args=["allerod", recommendation.pk]) in visited
    assert (
        reverse("employment-plan-indicator", args=["allerod", public_allerod["indicator"].pk])
        in visited
    )
    for user in public_allerod["people"].values():
        for trace in traces(user):
            found = [url for url, html in pages.items() if trace.lower() in html.lower()]
            assert not found, f"{trace!r} is shown to the public on {found}"


@pytest.mark.django_db
def test_the_public_sees_the_role_and_members_see_the_name(client, login, public_allerod):
    url = reverse("recommendation-detail", args=["allerod", public_allerod["recommendation"].pk])
    public = client.get(url).content.decode()
    assert "Af en HR-medarbejder" in public
    assert "Et byrådsmedlem" in public  # the contact person
    colleague = member(
        "kollega", public_allerod["recommendation"].report.municipality, Role.ANALYST
    )
    html = login(colleague).get(url).content.decode()
    assert "Af Xanthippe Zebrowski" in html
    assert "Ottoline Pfefferkorn" in html


@pytest.mark.django_db
def test_a_member_of_another_municipality_sees_roles_not_names(login, outsider, public_allerod):
    url = reverse("recommendation-detail", args=["allerod", public_allerod["recommendation"].pk])
    html = login(outsider).get(url).content.decode()
    assert "Zebrowski" not in html and "Pfefferkorn" not in html
    assert "Af en HR-medarbejder" in html
