"""The demo's measurements for Allerød's Beskæftigelsesplan 2026 (issue #15): after the demo load
the 2026 barometer shows a status for every indicator, and every value is marked as demo data."""

import io
import re

from django.core.management import call_command
from django.urls import reverse

from employment_plan.models import EmploymentPlan, Measurement


def test_the_2026_barometer_shows_statuses_from_marked_demo_measurements(
    seed_data, settings, login, council_member
):
    settings.DEBUG = True
    call_command("create_employment_plan_demo", stdout=io.StringIO())
    plan = EmploymentPlan.objects.get(municipality__code=201, title="Beskæftigelsesplan 2026")
    html = (
        login(council_member)
        .get(reverse("employment-plan-barometer", args=["allerod", plan.pk]))
        .text
    )
    rows = re.findall(r'<tr data-indicator="([^"]+)">.*?data-status="([^"]+)"', html, re.S)
    assert len(rows) == plan.indicators.count() == 17
    assert all(status != "no_data" for _code, status in rows), rows
    assert "Ingen data" not in html
    # More than one verdict: the demo shows the barometer at work, not one colour.
    assert len({status for _code, status in rows}) >= 4

    measurements = Measurement.objects.filter(indicator__plan=plan)
    assert measurements.exists()
    assert set(measurements.values_list("data_source", flat=True)) == {"Demodata"}
    assert all(m.comment.startswith("[Demo]") for m in measurements)
    indicator = plan.indicators.get(code="1.1")
    page = login(council_member).get(
        reverse("employment-plan-indicator", args=["allerod", indicator.pk])
    )
    assert "Demodata" in page.text

    before = measurements.count()
    call_command("create_employment_plan_demo", stdout=io.StringIO())
    assert Measurement.objects.filter(indicator__plan=plan).count() == before
