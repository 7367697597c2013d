"""An HR officer imports a 50,000-row measurements file from the browser: the upload answers at
once with the job's page, which follows the worker without JavaScript; the preview is confirmed for the
worker to save. axe checks the pages; the 375 px phone scrolls nowhere sideways.
Screenshots go to test-artifacts/."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import ImportJob
from employment_plan.models import Measurement
from organizations.models import Municipality, Role
from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory
from tests.factories import member

from .test_council_member import PASSWORD, check_axe

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROWS = 50_000


@pytest.fixture
def plan(db):
    allerod = Municipality.objects.get(code=201)
    member("hanne-browser", allerod, Role.HR_OFFICER)
    plan = PlanFactory(
        municipality=allerod,
        title="Importplan (test)",
        period_start=datetime.date(1900, 1, 1),
        period_end=datetime.date(2099, 12, 31),
    )
    area = FocusAreaFactory(plan=plan)
    for n in range(1, 6):
        IndicatorFactory(focus_area=area, code=f"8.{n}", unit="count")
    return plan


def measurements_file(path):
    start = datetime.date(1950, 1, 1)
    lines = ["indikator;dato;værdi"]
    per_indicator = ROWS // 5
    for n in range(1, 6):
        lines += [
            f"8.{n};{(start + datetime.timedelta(days=d)).isoformat()};{d % 500},5"
            for d in range(per_indicator)
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def work():
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


def fits_a_phone(page, label):
    page.set_viewport_size({"width": 375, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 375, f"{label} is {overflow} px wide at 375 px"


@pytest.mark.long
def test_hr_officer_imports_fifty_thousand_rows_in_the_background(
    page, live_server, seed_data, plan, artifacts, tmp_path
):
    base = live_server.url
    changelist = reverse("admin:employment_plan_measurement_changelist")
    page.goto(f"{base}{reverse('login')}?next={changelist}")
    page.fill("#id_username", "hanne-browser")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=re.compile("Log (ind|in)")).last.click()
    page.wait_for_load_state()

    # "Importér" beside "Eksportér" on the changelist.
    tools = page.locator(".object-tools")
    assert tools.get_by_role("link", name="Eksportér").count() == 1
    tools.get_by_role("link", name="Importér").click()
    check_axe(page, "import page")
    fits_a_phone(page, "import page")

    page.select_option("#id_plan", str(plan.pk))
    page.set_input_files("#id_file", str(measurements_file(tmp_path / "maalinger.csv")))
    page.get_by_role("button", name="Kontrollér filen").click()
    page.wait_for_load_state()
    job = ImportJob.objects.get()
    assert page.url == base + reverse("admin:employment_plan_measurement_import_job", args=[job.pk])
    assert page.locator('[data-follow="on"]').count() == 1  # an HTTP Refresh: no JavaScript
    assert page.locator("[data-state]").get_attribute("data-state") == "queued"
    assert page.locator("progress").get_attribute("max") == str(ROWS)
    check_axe(page, "import job, queued")
    fits_a_phone(page, "import job")
    page.screenshot(path=str(artifacts / "import-job-queued.png"), full_page=True)

    work()  # the worker checks the rows
    page.reload()
    assert page.locator("[data-state]").get_attribute("data-state") == "checked"
    assert "50.000 nye" in page.content()
    check_axe(page, "import job, checked")
    fits_a_phone(page, "import job with its preview")
    page.screenshot(path=str(artifacts / "import-job-checked.png"), full_page=True)
    assert not Measurement.objects.filter(indicator__plan=plan).exists()

    page.get_by_role("button", name="Importér alle rækker").click()
    page.wait_for_load_state()
    # Confirmed: the worker saves the rows next (tests/exchange/test_jobs.py follows a job to the
    # end; ./dev bench times the save of these 50,000 rows).
    assert page.locator("[data-state]").get_attribute("data-state") == "confirmed"
    assert page.locator('[data-follow="on"]').count() == 1
    assert ImportJob.objects.get().state == ImportJob.State.CONFIRMED
