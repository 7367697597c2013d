"""Every admin form a municipality's staff fill in, posted with random values in some of its fields:
the answer is a page or a redirect, never a server error (the test client re-raises one), and the
database is unchanged unless the form was accepted, and then changed exactly as a save would."""

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from employment_plan.models import Indicator, Measurement
from recommendations.models import Recommendation, StatusUpdate
from tests.factories import RecommendationFactory, ReportFactory, status
from tests.reliability.browser_form import form_data
from tests.reliability.junk import (
    FUZZ,
    any_value,
    huge_integers,
    odd_date_text,
    odd_number_text,
    odd_text,
    rolled_back,
)

# PostgreSQL: rejected forms leave the database unchanged (transactions).
pytestmark = pytest.mark.postgres

ON_POSTGRESQL = connection.vendor == "postgresql"
junk = st.one_of(any_value, odd_number_text, odd_date_text, huge_integers.map(str), odd_text)
MISSING = object()


@st.composite
def mutated(draw, base: dict, fields: list[str], *, values=junk):
    """``base`` with one to three of ``fields`` replaced by junk or left out altogether."""
    data = dict(base)
    for name in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)):
        value = draw(st.one_of(values, st.just(MISSING)))
        if value is MISSING:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def recs(allerod):
    report = ReportFactory(municipality=allerod, key="formfuzz")
    return [RecommendationFactory(report=report, number=str(n)) for n in (1, 2, 3)]


# Each fuzz test logs in (hr_client, admin_client in conftest.py) and opens its form once: every
# example posts to the same page in the same state as the first, its writes rolled back.
@pytest.fixture
def content_form(admin_client, recs):
    """The first recommendation's change form as the browser would post it, and its address."""
    url = reverse("admin:recommendations_recommendation_change", args=[recs[0].pk])
    page = admin_client.get(url).content.decode()
    return url, form_data(page, form_id="recommendation_form")


@pytest.fixture
def indicator_form(admin_client, percent_indicator):
    """The indicator's change form as the browser would post it, and its address."""
    url = reverse("admin:employment_plan_indicator_change", args=[percent_indicator.pk])
    page = admin_client.get(url).content.decode()
    return url, form_data(page, form_id="indicator_form")


def recommendation_state():
    return (
        StatusUpdate.objects.count(),
        list(
            Recommendation.objects.order_by("pk").values_list(
                "pk", "status_id", "progress", "version", "title", "summary", "note"
            )
        ),
    )


# The status form -------------------------------------------------------------------------------------
@FUZZ
@given(data=st.data())
def test_status_form_with_random_values(data, hr_client, recs):
    rec = recs[0]
    client = hr_client
    url = reverse("admin:recommendations_recommendation_status", args=[rec.pk])
    valid = {
        "status": str(status("i-gang").pk),
        "progress": "25",
        "effective_on": "2025-01-31",
        "note": "Fuzz",
        "version": str(rec.version),
    }
    status_ids = st.sampled_from([str(s) for s in range(0, 12)] + ["", "-1", "9" * 30])
    post = data.draw(
        st.one_of(
            mutated(valid, list(valid)),
            mutated(valid, ["status"], values=status_ids),
        )
    )
    with rolled_back():
        before = recommendation_state()
        response = client.post(url, post)
        assert response.status_code in (200, 302)
        updates, rows = recommendation_state()
        if response.status_code == 302:
            assert updates == before[0] + 1
            assert [r[3] for r in rows] == [
                v + (r[0] == rec.pk) for r, v in zip(rows, (b[3] for b in before[1]), strict=True)
            ]
        else:
            assert (updates, rows) == before


# The bulk action ---------------------------------------------------------------------------------------
@FUZZ
@given(data=st.data())
def test_bulk_status_action_with_random_values_is_all_or_nothing(data, hr_client, recs):
    client = hr_client
    url = reverse("admin:recommendations_recommendation_changelist")
    valid = {
        "action": "change_status_action",
        "_selected_action": [str(r.pk) for r in recs],
        "apply": "1",
        "status": str(status("besluttet").pk),
        "effective_on": "2025-02-28",
        "note": "",
    }
    post = data.draw(mutated(valid, ["status", "effective_on", "note"]))
    # Any subset of the rows, or ids that do not exist. (Non-numeric ids are a forged request that
    # Django's own ModelAdmin.response_action answers with a 500; no browser sends them.)
    post["_selected_action"] = data.draw(
        st.lists(st.sampled_from([str(r.pk) for r in recs] + ["0", "999999"]), unique=True)
    )
    with rolled_back():
        before = recommendation_state()
        response = client.post(url, post)
        assert response.status_code in (200, 302)
        updates, _rows = recommendation_state()
        selected = Recommendation.objects.filter(pk__in=post["_selected_action"]).count()
        assert updates - before[0] in (0, selected), "some but not all were changed"


# The recommendation's content form -----------------------------------------------------------------
CONTENT_FIELDS = [
    "title",
    "summary",
    "number",
    "weight",
    "progress_mode",
    "theme",
    "parent",
    "actions",
    "emphasised_points",
    "follow_up_date",
    "follow_up_year",
    "baseline",
    "note",
    "version_seen",
    "budget_lines-TOTAL_FORMS",
]


@pytest.mark.parametrize(
    "field, value",
    [("actions", ""), ("emphasised_points", ""), ("actions", "1E400"), ("actions", "NaN")],
)
def test_a_list_field_of_a_recommendation_takes_only_a_list(
    field, value, login, administrator, recs
):
    rec = recs[0]
    client = login(administrator)
    url = reverse("admin:recommendations_recommendation_change", args=[rec.pk])
    post = form_data(client.get(url).content.decode(), form_id="recommendation_form")
    post[field] = value
    response = client.post(url, post)
    rec.refresh_from_db()
    if value == "":
        assert response.status_code == 302 and getattr(rec, field) == []
    else:
        assert response.status_code == 200 and getattr(rec, field) == []


def test_a_mistyped_follow_up_year_is_refused_with_a_message(login, administrator, recs):
    client = login(administrator)
    url = reverse("admin:recommendations_recommendation_change", args=[recs[0].pk])
    post = form_data(client.get(url).content.decode(), form_id="recommendation_form")
    post["follow_up_year"] = "10000000000"
    response = client.post(url, post)
    assert response.status_code == 200
    assert "follow_up_year" in response.context["adminform"].form.errors


@FUZZ
@given(data=st.data())
def test_recommendation_content_form_with_random_values(data, admin_client, content_form):
    url, base = content_form
    post = data.draw(mutated(base, [f for f in CONTENT_FIELDS if f in base]))
    with rolled_back():
        before = recommendation_state()
        response = admin_client.post(url, post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert recommendation_state() == before


# Measurements: the admin form, one period's values, and the indicator with its inline ---------------
def measurement_state():
    return list(
        Measurement.objects.order_by("pk").values_list(
            "pk", "indicator_id", "date", "value", "provisional", "data_source", "comment"
        )
    ), list(
        Indicator.objects.order_by("pk").values_list(
            "pk", "title", "baseline_value", "baseline_date", "target_value", "target_absolute"
        )
    )


@FUZZ
@given(data=st.data())
def test_measurement_add_form_with_random_values(
    data, hr_client, percent_indicator, companies_indicator
):
    client = hr_client
    url = reverse("admin:employment_plan_measurement_add")
    valid = {
        "indicator": str(percent_indicator.pk),
        "date": "31.03.2026",
        "period_label": "1. kvartal",
        "value": "55,5",
        "provisional": "on",
        "data_source": "Jobindsats.dk",
        "comment": "",
    }
    post = data.draw(mutated(valid, list(valid)))
    with rolled_back():
        before = measurement_state()
        response = client.post(url, post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert measurement_state() == before
        else:
            assert len(measurement_state()[0]) == len(before[0]) + 1


def test_measurement_add_form_with_a_date_outside_the_plan_shows_the_error(
    login, hr_officer, percent_indicator
):
    response = login(hr_officer).post(
        reverse("admin:employment_plan_measurement_add"),
        {"indicator": percent_indicator.pk, "date": "31.12.2030", "value": "50"},
    )
    assert response.status_code == 200
    assert "date" in response.context["adminform"].form.errors
    assert not Measurement.objects.exists()


@FUZZ
@given(data=st.data())
def test_period_values_form_with_random_values_is_all_or_nothing(
    data, hr_client, plan, percent_indicator, companies_indicator
):
    client = hr_client
    url = reverse("admin:employment_plan_employmentplan_enter_values", args=[plan.pk])
    valid = {
        "date": "2026-06-30",
        "period_label": "1. halvår",
        "source": "Jobindsats.dk",
        f"value_{percent_indicator.pk}": "61,5",
        f"provisional_{percent_indicator.pk}": "on",
        f"value_{companies_indicator.pk}": "3",
    }
    post = data.draw(mutated(valid, list(valid)))
    with rolled_back():
        before = measurement_state()
        response = client.post(url, post)
        assert response.status_code in (200, 302)
        added = len(measurement_state()[0]) - len(before[0])
        if response.status_code == 200:
            assert added == 0
        else:
            assert added >= 1


INDICATOR_FIELDS = [
    "title",
    "code",
    "position",
    "unit",
    "direction",
    "baseline_value",
    "baseline_date",
    "awaiting_baseline",
    "baseline_period",
    "target_kind",
    "target_value",
    "target_operator",
    "target_date",
    "target_text",
    "measurements-TOTAL_FORMS",
    "measurements-0-date",
    "measurements-0-value",
]


@FUZZ
@given(data=st.data())
def test_indicator_form_with_random_values(data, admin_client, indicator_form, percent_indicator):
    url, form = indicator_form
    # One new measurement in the inline, inside the plan, so the inline's path is exercised too.
    base = dict(form)
    base.update(
        {
            "measurements-TOTAL_FORMS": "1",
            "measurements-0-date": "30.06.2026",
            "measurements-0-value": "70",
            "measurements-0-indicator": str(percent_indicator.pk),
        }
    )
    post = data.draw(mutated(base, [f for f in INDICATOR_FIELDS if f in base]))
    with rolled_back():
        before = measurement_state()
        response = admin_client.post(url, post)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert measurement_state() == before
