"""The workforce pages: who may see them, what they show (numbers, the demo-data mark, the
"all else equal" reading, the assumptions), the export and its permission, and query counts that do
not grow with the data."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from organizations.models import Profession, UnitKind
from tests.factories import UnitFactory
from tests.html import structure
from workforce import services
from workforce.models import Scenario
from workforce.selectors import shortage_words

PAGES = ["workforce-overview", "workforce-institutions", "workforce-compare"]


@pytest.fixture
def professions(db):
    return {
        key: Profession.objects.get_or_create(
            key=key, defaults={"name": name, "name_plural": plural}
        )[0]
        for key, name, plural in (
            ("paedagog", "Pædagog", "Pædagoger"),
            ("sosu-assistent", "SOSU-assistent", "SOSU-assistenter"),
        )
    }


def make_data(municipality, professions, institutions=2, demo=True):
    area = UnitFactory(municipality=municipality, name=f"Område {institutions}", kind=UnitKind.AREA)
    for i in range(institutions):
        unit = UnitFactory.create(
            municipality=municipality,
            name=f"Børnehus {institutions}-{i} (demo)",
            kind=UnitKind.DAYCARE,
            parent=area,
        )
        for profession in professions.values():
            services.staffing_snapshot_set(
                unit=unit,
                profession=profession,
                date=datetime.date(2022, 12, 31),
                values={
                    "headcount": 10,
                    "fte": Decimal(8),
                    "vacancies": Decimal(1),
                    "age_bands": {"30-34": 5, "60-64": 5},
                    "is_demo": demo,
                },
                acting_user=None,
            )
    common = {
        "start_year": 2022,
        "horizon": 10,
        "hiring_mode": "fixed",
        "default_leaver_rate": Decimal("0.2"),
        "is_demo": demo,
    }
    rates = [
        {"profession": p, "leaver_rate": Decimal("0.2"), "hires_per_year": Decimal(institutions)}
        for p in professions.values()
    ]
    baseline = services.scenario_set(
        municipality=municipality,
        name="Nuværende niveau",
        values={**common, "is_baseline": True},
        rates=rates,
        acting_user=None,
    )
    better = services.scenario_set(
        municipality=municipality,
        name="Onboarding",
        values=common,
        rates=rates,
        effects=[
            {
                "profession": professions["sosu-assistent"],
                "from_year": 2025,
                "leaver_rate_change_pp": Decimal(-3),
                "text": "Onboarding",
            }
        ],
        acting_user=None,
    )
    return baseline, better


@pytest.fixture
def data(allerod, professions):
    return make_data(allerod, professions)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_member", "hr_officer", "analyst", "administrator"])
@pytest.mark.parametrize("page", PAGES)
def test_members_see_the_pages(request, login, data, persona, page):
    client = login(request.getfixturevalue(persona))
    with translation.override("en"):
        response = client.get(reverse(page, args=["allerod"]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert structure(html).h1_count == 1
    assert "Demo data" in html or "Demodata" in html


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("page", [*PAGES, "workforce-export"])
def test_outsider_gets_404_and_anonymous_is_sent_to_login(client, login, data, outsider, page):
    url = reverse(page, args=["allerod"])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    assert login(outsider).get(url).status_code == 404


@pytest.mark.django_db
def test_overview_shows_the_numbers_the_assumptions_and_all_else_equal(login, analyst, data):
    response = login(analyst).get(reverse("workforce-overview", args=["allerod"]))
    context = response.context
    assert [row["year"] for row in context["shortage_table"]] == list(range(2023, 2033))
    assert context["profession_names"] == ["Pædagog", "SOSU-assistent"]
    assert "<svg" in context["shortage_chart"]
    html = response.content.decode()
    assert 'role="img"' in html and "aria-label=" in html
    # Years are years, not thousands: never "2.032".
    assert "2032" in html and "2.032" not in html and "2.022" not in html
    labels = [label for label, _value in context["assumption_list"]]
    assert len(labels) > 5
    with translation.override("en"):
        html = login(analyst).get(reverse("workforce-overview", args=["allerod"])).content.decode()
    assert "all else equal" in html or "alt andet lige" in html


@pytest.mark.django_db
def test_institution_table_says_how_many_are_missing(login, council_member, data):
    response = login(council_member).get(reverse("workforce-institutions", args=["allerod"]))
    assert response.context["year"] == 2032
    rows = response.context["rows"]
    assert len(rows) == 2 and all(len(r["entries"]) == 2 for r in rows)


def test_shortage_words():
    profession = Profession(name="Pædagog", name_plural="Pædagoger")
    with translation.override("en"):
        assert shortage_words(1.4, profession) == "short of 1–2 pædagoger"
        assert shortage_words(1.0, profession) == "short of 1 pædagog"
        assert shortage_words(0.2, profession) == "about in balance"
        assert shortage_words(-3.0, profession) == "surplus of 3 pædagoger"


@pytest.mark.django_db
def test_compare_shows_the_smaller_sosu_shortage_with_onboarding(login, analyst, data):
    baseline, better = data
    url = reverse("workforce-compare", args=["allerod"])
    response = login(analyst).get(url, {"a": baseline.pk, "b": better.pk})
    rows = response.context["rows"]
    sosu_2032 = [r for r in rows if r["profession"] == "SOSU-assistent" and r["year"] == 2032][0]
    assert sosu_2032["difference"].startswith("-")
    paedagog = [r for r in rows if r["profession"] == "Pædagog"]
    assert all(r["difference"] in ("0", "0,0", "0.0", "-0,0", "-0.0") for r in paedagog)


@pytest.mark.postgres
@pytest.mark.django_db
def test_export_xlsx_has_an_assumptions_sheet_and_the_demo_mark(login, analyst, data):
    baseline, _better = data
    response = login(analyst).get(
        reverse("workforce-export", args=["allerod"]), {"scenario": baseline.pk}
    )
    assert response.status_code == 200
    assert "demodata" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(workbook.sheetnames) == 3
    assumptions = list(workbook.worksheets[2].iter_rows(values_only=True))
    assert len(assumptions) > 6
    first_projection_row = next(workbook.worksheets[0].iter_rows(values_only=True))
    assert "Demo" in str(first_projection_row[0])
    detail = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(detail) == 2 + 2 * 2 * 10  # demo line, header, cells × years


@pytest.mark.postgres
@pytest.mark.django_db
def test_export_csv(login, hr_officer, data):
    response = login(hr_officer).get(
        reverse("workforce-export", args=["allerod"]), {"format": "csv"}
    )
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 1 + 2 * 2 * 10
    assert lines[1].endswith("Demo data") or lines[1].endswith("Demodata")


@pytest.mark.postgres
@pytest.mark.django_db
def test_export_json_has_typed_values_and_the_demo_mark(login, analyst, data):
    import json

    response = login(analyst).get(reverse("workforce-export", args=["allerod"]), {"format": "json"})
    rows = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert len(rows) == 2 * 2 * 10
    assert isinstance(rows[0]["year"], int) and isinstance(rows[0]["supply"], float)
    assert all(row["is_demo"] is True for row in rows)


@pytest.mark.postgres
@pytest.mark.django_db
def test_council_members_may_not_export(login, council_member, data):
    response = login(council_member).get(reverse("workforce-export", args=["allerod"]))
    assert response.status_code == 403


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("page", [*PAGES, "workforce-export"])
def test_query_counts_do_not_grow_with_the_data(
    login, analyst, allerod, norddjurs, professions, page
):
    client = login(analyst)
    url = reverse(page, args=["allerod"])
    # Warm requests: the overview and institutions pages read the projection from the cache (on
    # its data version) after the first visitor; the first request of each also runs it.
    make_data(allerod, professions, institutions=2)
    client.get(url)
    small = _count(client, url)
    Scenario.objects.filter(municipality=allerod).delete()
    make_data(allerod, professions, institutions=12)
    client.get(url)
    large = _count(client, url)
    assert small == large
