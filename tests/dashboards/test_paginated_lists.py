"""Lists that used to show every row are paginated (docs/national-scale.md): the reports list, the
employment plans, the workforce institutions table; and the recommendation filter offers only
relevant choices. Data: one synthetic municipality at scale 3 (12 reports, 6 plans, 183
institutions)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse

from organizations import services
from organizations.models import Municipality, OrganisationalUnit, Role, User
from recommendations.models import Recommendation, Report
from synthetic.generator import generate, slug_of
from tests import snapshots

# PostgreSQL: ordering and pagination in SQL.
pytestmark = pytest.mark.postgres


def _generate_big():
    generate(1, scale=3, seed=3, first=42, log=lambda *_a, **_k: None)


@pytest.fixture(scope="module")
def big_world(django_db_setup, django_db_blocker):
    """The synthetic municipality and its administrator, once for the module: the tests only read
    (and whatever one writes, its own transaction rolls back). Generated once per test process
    (tests/snapshots.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        snapshots.restore("synthetic municipality 42 at scale 3", _generate_big)
        municipality = Municipality.objects.get(slug=slug_of(42))
        user = User.objects.create(username="big-admin", is_staff=True)
        services.membership_set(
            user=user, municipality=municipality, role=Role.ADMINISTRATOR, acting_user=None
        )
        # PostgreSQL defers the foreign-key checks of these rows; each test's teardown would run
        # them again (inside its rolled-back savepoint). Once, here.
        connection.check_constraints()
        yield municipality, user
        transaction.set_rollback(True)


@pytest.fixture
def big(big_world, db):
    cache.clear()
    return big_world


@pytest.mark.django_db
def test_reports_list_is_paginated_newest_first(big, client):
    municipality, user = big
    client.force_login(user)
    url = reverse("recommendation-reports", args=[municipality.slug])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    reports = list(
        Report.objects.filter(municipality=municipality).order_by("-published_on", "title", "pk")
    )
    assert len(reports) == 12
    assert reports[0].title in first and reports[9].title in first
    assert reports[10].title not in first and reports[10].title in second
    assert 'rel="next"' in first and 'aria-label="' in first
    assert "?page=2" in first


@pytest.mark.django_db
def test_plan_list_is_paginated(big, client):
    municipality, user = big
    client.force_login(user)
    url = reverse("employment-plan-list", args=[municipality.slug])
    html = client.get(url).content.decode()
    assert html.count('class="card"') == 6  # 6 plans fit on one page
    assert 'rel="next"' not in html


@pytest.mark.django_db
def test_workforce_institutions_are_paginated_and_keep_the_scenario(big, client):
    municipality, user = big
    client.force_login(user)
    url = reverse("workforce-institutions", args=[municipality.slug])
    html = client.get(url).content.decode()
    rows = re.findall(r'<th scope="row">', html)
    assert len(rows) == 25
    assert "?page=2" in html
    last = client.get(url, {"page": 8}).content.decode()  # 183 institutions: 7 × 25 + 8
    assert len(re.findall(r'<th scope="row">', last)) == 8


@pytest.mark.django_db
def test_responsible_unit_choices_are_the_responsible_units_only(big, client):
    municipality, user = big
    client.force_login(user)
    html = client.get(reverse("dashboard-recommendations", args=[municipality.slug])).content
    html = html.decode()
    found = re.search(r'<select name="responsible_unit".*?</select>', html, re.S)
    assert found is not None
    select = found.group(0)
    offered = set(re.findall(r'<option value="(\d+)"', select))
    responsible = {
        str(pk)
        for pk in Recommendation.objects.filter(report__municipality=municipality)
        .exclude(responsible_unit=None)
        .values_list("responsible_unit_id", flat=True)
    }
    assert offered == responsible
    assert len(offered) < OrganisationalUnit.objects.filter(municipality=municipality).count()


@pytest.mark.django_db
def test_theme_choices_follow_the_chosen_report(big, client):
    municipality, user = big
    client.force_login(user)
    url = reverse("dashboard-recommendations", args=[municipality.slug])
    report = Report.objects.filter(municipality=municipality).order_by("pk").first()
    assert report is not None

    def themes(params):
        html = client.get(url, params).content.decode()
        found = re.search(r'<select name="theme".*?</select>', html, re.S)
        assert found is not None
        select = found.group(0)
        return set(re.findall(r'<option value="(\d+)"', select))

    assert themes({}) == set()
    assert themes({"report": report.pk}) == {str(t.pk) for t in report.themes.all()}


@pytest.mark.django_db
def test_the_focus_area_choices_follow_the_chosen_plan(login, council_member, allerod):
    from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory

    plans = [PlanFactory.create(municipality=allerod, title=f"Plan {n}") for n in (1, 2)]
    areas = [
        FocusAreaFactory.create(plan=plan, number=1, title=f"Område {plan.title}") for plan in plans
    ]
    for area in areas:
        IndicatorFactory(focus_area=area, plan=area.plan)
    client = login(council_member)
    url = reverse("dashboard-indicators", args=["allerod"])
    html = client.get(url).content.decode()
    assert "Vælg en plan for at se dens indsatsområder." in html

    def offered(page):
        found = re.search(r'<select name="focus_area".*?</select>', page, re.S)
        assert found is not None
        select = found.group(0)
        return re.findall(r'<option value="(\d+)"', select)

    assert offered(html) == []
    chosen = client.get(url, {"plan": plans[0].pk}).content.decode()
    assert offered(chosen) == [str(areas[0].pk)]
    # A focus area in a shared address still filters, and is shown as chosen.
    shared = client.get(url, {"focus_area": areas[1].pk})
    assert [i.focus_area for i in shared.context["page_obj"].object_list] == [areas[1]]
