"""The institutions list: each institution's staffing outlook, filterable, sortable, paginated and
exportable as shown; demo data marked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@pytest.fixture
def demo(seed_workforce_demo, allerod):
    """The seed data and the workforce demo (a fresh copy for each test)."""


def url(**params):
    from urllib.parse import urlencode

    base = reverse("dashboard-institutions", args=["allerod"])
    return base + ("?" + urlencode(params, doseq=True) if params else "")


@pytest.mark.django_db
def test_lists_institutions_with_their_outlook_marked_as_demo(demo, login, council_member):
    response = login(council_member).get(url())
    assert response.status_code == 200
    rows = list(response.context["page_obj"].paginator.object_list)
    assert rows and all(r.unit.municipality.code == 201 for r in rows)
    html = response.content.decode()
    assert "Demodata" in html or "Demo data" in html
    assert any("pædagog" in r.words for r in rows)


@pytest.mark.django_db
def test_filters_narrow_and_sort(demo, login, council_member):
    client = login(council_member)
    everything = client.get(url()).context["page_obj"].paginator.object_list
    daycare = client.get(url(kind="daycare")).context["page_obj"].paginator.object_list
    assert 0 < len(daycare) < len(everything)
    assert {r.unit.kind for r in daycare} == {"daycare"}
    pedagogues = client.get(url(profession="paedagog")).context["page_obj"].paginator.object_list
    assert {r.profession for r in pedagogues} == {"Pædagog"}
    short = (
        client.get(url(shortage_only="on", sort="shortage"))
        .context["page_obj"]
        .paginator.object_list
    )
    values = [r.shortage for r in short]
    assert values == sorted(values, reverse=True) and all(v >= 0.5 for v in values)


@pytest.mark.postgres
@pytest.mark.django_db
def test_export_is_what_is_shown_for_analysts_only(demo, login, analyst, council_member):
    response = login(analyst).get(url(kind="care_home", format="csv"))
    text = response.content.decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line]
    shown = login(analyst).get(url(kind="care_home")).context["page_obj"].paginator.count
    assert len(lines) == shown + 1
    assert lines[1].endswith(";ja") or lines[1].endswith(";yes")
    assert login(council_member).get(url(format="csv")).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db
def test_outsider_and_anonymous(demo, client, login, outsider):
    assert login(outsider).get(url()).status_code == 404
    client.logout()
    assert client.get(url()).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db
def test_queries_do_not_grow_with_institutions(
    demo, allerod, login, council_member, django_assert_max_num_queries
):
    client = login(council_member)
    with CaptureQueriesContext(connection) as base:
        client.get(url())
    # More institutions and snapshots: copy the demo's snapshots onto new institutions.
    from organizations.models import OrganisationalUnit
    from workforce.models import StaffingSnapshot

    snapshots = list(StaffingSnapshot.objects.select_related("unit"))
    for n in range(20):
        template = snapshots[n % len(snapshots)]
        unit = OrganisationalUnit.objects.create(
            municipality=allerod,
            parent=template.unit.parent,
            name=f"Ny institution {n}",
            kind=template.unit.kind,
        )
        template.pk = None
        template.unit = unit
        template.save()
    with django_assert_max_num_queries(len(base)):
        assert client.get(url()).status_code == 200
