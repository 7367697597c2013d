"""Entering data in the admin: measurements one by one or a whole period at once, initiative
statuses, and each municipality seeing only its own plans."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from employment_plan.models import Indicator, Initiative, Measurement
from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory

# PostgreSQL: admin writes through the services, in transactions.
pytestmark = pytest.mark.postgres


def test_hr_officer_adds_a_measurement_and_the_baseline_arrives(
    login, hr_officer, relative_indicator
):
    client = login(hr_officer)
    response = client.post(
        reverse("admin:employment_plan_measurement_add"),
        {
            "indicator": relative_indicator.pk,
            "date": "31.12.2025",
            "period_label": "2025",
            "value": "73",
            "data_source": "Jobindsats.dk",
            "comment": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    measurement = Measurement.objects.get()
    assert measurement.entered_by == hr_officer and measurement.value == 73
    relative_indicator.refresh_from_db()
    assert relative_indicator.target_absolute == Decimal("65.7")  # 73 − 10 %


def test_a_percentage_above_100_is_refused_in_the_admin(login, hr_officer, percent_indicator):
    response = login(hr_officer).post(
        reverse("admin:employment_plan_measurement_add"),
        {"indicator": percent_indicator.pk, "date": "31.03.2026", "value": "101"},
    )
    assert response.status_code == 200 and not Measurement.objects.exists()
    assert "value" in response.context["adminform"].form.errors


def test_a_negative_number_of_persons_is_refused_in_the_admin(
    login, hr_officer, relative_indicator
):
    response = login(hr_officer).post(
        reverse("admin:employment_plan_measurement_add"),
        {"indicator": relative_indicator.pk, "date": "31.12.2025", "value": "-3"},
    )
    assert response.status_code == 200 and not Measurement.objects.exists()
    assert response.context["adminform"].form.errors["value"] == [
        "Værdien kan ikke være negativ for enheden “personer”."
    ]


def test_danish_decimal_comma_is_accepted(login, hr_officer, percent_indicator):
    login(hr_officer).post(
        reverse("admin:employment_plan_measurement_add"),
        {"indicator": percent_indicator.pk, "date": "31.03.2026", "value": "55,5"},
    )
    assert Measurement.objects.get().value == Decimal("55.5")


def test_enter_one_periods_values_for_all_indicators(
    login, hr_officer, plan, percent_indicator, companies_indicator
):
    client = login(hr_officer)
    url = reverse("admin:employment_plan_employmentplan_enter_values", args=[plan.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert percent_indicator.code in page.content.decode()
    response = client.post(
        url,
        {
            "date": "2026-06-30",
            "period_label": "1. halvår 2026",
            f"value_{percent_indicator.pk}": "61,5",
            f"provisional_{percent_indicator.pk}": "on",
            f"value_{companies_indicator.pk}": "4",
        },
    )
    assert response.status_code == 302
    values = dict(Measurement.objects.values_list("indicator__code", "value"))
    assert values == {"1.2": Decimal("61.5"), "5.1": Decimal(4)}
    assert Measurement.objects.get(indicator=percent_indicator).provisional


def test_period_form_saves_nothing_when_one_value_is_wrong(
    login, hr_officer, plan, percent_indicator, companies_indicator
):
    response = login(hr_officer).post(
        reverse("admin:employment_plan_employmentplan_enter_values", args=[plan.pk]),
        {
            "date": "2026-06-30",
            f"value_{percent_indicator.pk}": "161",
            f"value_{companies_indicator.pk}": "4",
        },
    )
    assert response.status_code == 200 and not Measurement.objects.exists()


def test_outsider_sees_nothing_of_allerod(login, outsider, plan, percent_indicator, norddjurs):
    own = IndicatorFactory.create(
        focus_area=FocusAreaFactory(plan=PlanFactory(municipality=norddjurs))
    )
    client = login(outsider)
    listing = client.get(reverse("admin:employment_plan_indicator_changelist"))
    assert listing.status_code == 200
    shown = {i.pk for i in listing.context["cl"].result_list}
    assert shown == {own.pk}
    change = client.get(
        reverse("admin:employment_plan_indicator_change", args=[percent_indicator.pk])
    )
    assert change.status_code == 302  # the admin's "does not exist" redirect
    assert (
        client.get(
            reverse("admin:employment_plan_employmentplan_enter_values", args=[plan.pk])
        ).status_code
        == 404
    )
    # The import offers only Norddjurs's plans; Allerød's, named in the address, is not chosen.
    page = client.get(reverse("admin:employment_plan_measurement_import") + f"?plan={plan.pk}")
    assert page.status_code == 200
    offered = page.context["options_form"].fields["plan"].queryset
    assert plan not in offered and f'value="{plan.pk}" selected' not in page.content.decode()
    upload = io.BytesIO(b"indikator;dato;vaerdi\n1.2;2026-03-31;5\n")
    upload.name = "m.csv"
    refused = client.post(
        reverse("admin:employment_plan_measurement_import"), {"plan": plan.pk, "file": upload}
    )
    assert refused.context["options_form"].errors["plan"]
    assert not Measurement.objects.exists()


def test_measurement_form_offers_only_own_indicators(
    login, hr_officer, percent_indicator, norddjurs
):
    IndicatorFactory(focus_area=FocusAreaFactory(plan=PlanFactory(municipality=norddjurs)))
    response = login(hr_officer).get(reverse("admin:employment_plan_measurement_add"))
    offered = set(response.context["adminform"].form.fields["indicator"].queryset)
    assert offered == {percent_indicator}


def test_council_member_has_no_admin(login, council_member, plan):
    response = login(council_member).get(reverse("admin:employment_plan_measurement_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_hr_officer_changes_an_initiatives_status_but_not_its_wording(login, hr_officer, area):
    initiative = Initiative.objects.create(
        focus_area=area, kind="new", title="Tavlemøder hver 14. dag", status="planned"
    )
    client = login(hr_officer)
    url = reverse("admin:employment_plan_initiative_change", args=[initiative.pk])
    form = client.get(url).context["adminform"].form
    assert "title" not in form.fields and "status" in form.fields
    response = client.post(
        url, {"status": "in_progress", "title": "Noget andet", "version_seen": initiative.version}
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.status, initiative.title) == ("in_progress", "Tavlemøder hver 14. dag")


def test_hr_officer_cannot_change_an_indicators_target(login, hr_officer, percent_indicator):
    client = login(hr_officer)
    url = reverse("admin:employment_plan_indicator_change", args=[percent_indicator.pk])
    assert client.get(url).status_code == 200  # may look
    client.post(url, {"target_value": "1"})
    assert Indicator.objects.get(pk=percent_indicator.pk).target_value == 80


def test_administrator_adds_a_measurement_inline(login, administrator, relative_indicator):
    client = login(administrator)
    url = reverse("admin:employment_plan_indicator_change", args=[relative_indicator.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "plan": relative_indicator.plan_id,
            "focus_area": relative_indicator.focus_area_id,
            "target_date": "31.12.2026",
            "target_value": "-10",
            "measurements-TOTAL_FORMS": "1",
            "measurements-INITIAL_FORMS": "0",
            "measurements-0-date": "31.12.2025",
            "measurements-0-value": "200",
            "comparisons-TOTAL_FORMS": "0",
            "comparisons-INITIAL_FORMS": "0",
        }
    )
    data.pop("inconsistency", None)
    data["awaiting_baseline"] = "on"
    data.pop("baseline_value", None)
    data.pop("baseline_date", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    relative_indicator.refresh_from_db()
    assert relative_indicator.target_absolute == 180
    assert Measurement.objects.get().entered_by == administrator


@pytest.mark.parametrize("persona", ["hr_officer", "administrator"])
def test_plan_page_in_admin_links_to_entry_and_import(request, login, plan, persona):
    html = (
        login(request.getfixturevalue(persona))
        .get(reverse("admin:employment_plan_employmentplan_change", args=[plan.pk]))
        .content.decode()
    )
    assert reverse("admin:employment_plan_employmentplan_enter_values", args=[plan.pk]) in html
    assert reverse("admin:employment_plan_measurement_import") + f"?plan={plan.pk}" in html
