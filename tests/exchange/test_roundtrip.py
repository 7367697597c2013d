"""Acceptance 1: exporting a subject and importing the same file changes nothing (zero creates, zero
updates), for every importable subject, in every file format an analyst can download."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from core import importing as pipeline
from employment_plan import importing as measurement_importing
from employment_plan import services as plan_services
from employment_plan.models import EmploymentPlan, Measurement
from recommendations import importing as status_importing
from recommendations.models import Recommendation, StatusUpdate
from workforce import importing as staffing_importing
from workforce.models import StaffingSnapshot

# PostgreSQL: export, then import: decimals, dates and text as the server stores them.
pytestmark = pytest.mark.postgres

FORMATS = {"csv": "x.csv", "csv-comma": "x.csv", "xlsx": "x.xlsx"}


def download(client, slug, subject, fmt):
    url = reverse("export-subject", args=[slug, subject]) + f"?format={fmt}"
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content


class Upload(io.BytesIO):
    def __init__(self, content, name):
        super().__init__(content)
        self.name, self.size = name, len(content)


def table(content, name):
    return pipeline.read(Upload(content, name))


def check(subject, content, name, user, options):
    """The import's preview of a file: every row checked, nothing written."""
    return pipeline.check(subject, table(content, name), user=user, options=options)[0]


def apply(subject, content, name, user, options):
    return pipeline.apply(subject, table(content, name), user=user, options=options)


def snapshot_of_everything():
    return (
        list(
            Recommendation.objects.order_by("pk").values_list(
                "pk", "status_id", "progress", "version"
            )
        ),
        StatusUpdate.objects.count(),
        list(
            Measurement.objects.order_by("pk").values_list("pk", "value", "provisional", "comment")
        ),
        list(
            StaffingSnapshot.objects.order_by("pk").values_list(
                "pk", "headcount", "fte", "age_bands", "hires"
            )
        ),
    )


@pytest.fixture
def with_measurements(seeded, hr_officer):
    """Monthly values with a provisional one, a comment starting with "-" (a formula character) and
    a corrected value, so the export holds what real use holds."""
    plan = EmploymentPlan.objects.filter(municipality=seeded).first()
    assert plan is not None
    indicator = plan.indicators.filter(awaiting_baseline=False).exclude(unit="percent").first()
    for month in range(1, 7):
        plan_services.measurement_record(
            indicator=indicator,
            date=datetime.date(2026, month, 28),
            value=Decimal(100 + month),
            provisional=month == 6,
            comment="- rettet tal" if month == 2 else "",
            source="Jobindsats.dk",
            acting_user=hr_officer,
        )
    plan_services.measurement_record(  # a correction: the later value counts
        indicator=indicator,
        date=datetime.date(2026, 3, 28),
        value=Decimal("103.5"),
        acting_user=hr_officer,
    )
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_recommendations_export_imports_as_no_change(fmt, seeded, login, analyst, hr_officer):
    content = download(login(analyst), "allerod", "recommendations", fmt)
    before = snapshot_of_everything()
    subject = status_importing.SUBJECT
    preview = check(subject, content, FORMATS[fmt], hr_officer, {})
    assert preview.ok, preview.errors
    rows = preview.rows
    own = Recommendation.objects.filter(report__municipality=seeded).count()
    shared = Recommendation.objects.filter(report__municipality=None).count()  # KL, KKR
    assert len(rows) == own + shared and own > 0 and shared > 0
    assert preview.count("changed") == 0 and preview.count("unchanged") == len(rows)
    assert apply(subject, content, FORMATS[fmt], hr_officer, {}).applied
    assert snapshot_of_everything() == before


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_measurements_export_imports_as_no_change(
    fmt, with_measurements, login, analyst, hr_officer
):
    content = download(login(analyst), "allerod", "measurements", fmt)
    before = snapshot_of_everything()
    rows = table(content, FORMATS[fmt]).rows
    assert any(r.values.get("kommentar") == "- rettet tal" for r in rows)  # read back as written
    options = {"plan": with_measurements}
    result = apply(measurement_importing.SUBJECT, content, FORMATS[fmt], hr_officer, options)
    assert result.applied, result.errors
    assert result.count("unchanged") == len(rows) and result.count("new") == 0
    assert snapshot_of_everything() == before


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_staffing_export_imports_as_no_change(fmt, seeded, login, analyst, hr_officer):
    content = download(login(analyst), "allerod", "staffing", fmt)
    before = snapshot_of_everything()
    options = {"municipality": seeded, "date": None}
    result = check(staffing_importing.SUBJECT, content, FORMATS[fmt], hr_officer, options)
    assert result.ok, result.errors
    assert {r.action for r in result.rows} == {"unchanged"}
    applied = apply(staffing_importing.SUBJECT, content, FORMATS[fmt], hr_officer, options)
    assert applied.applied and applied.counts == {
        "new": 0,
        "changed": 0,
        "unchanged": len(result.rows),
        "error": 0,
    }
    assert snapshot_of_everything() == before


@pytest.mark.django_db
def test_an_english_export_imports_too(seeded, login, analyst, hr_officer, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = download(login(analyst), "allerod", "staffing", "csv-comma")
    assert content.startswith(b"Institution,Profession,Date,Headcount,FTE")
    options = {"municipality": seeded, "date": None}
    result = check(staffing_importing.SUBJECT, content, "x.csv", hr_officer, options)
    assert result.ok and {r.action for r in result.rows} == {"unchanged"}


@pytest.mark.django_db
def test_an_edited_export_changes_only_the_edited_rows(seeded, login, analyst, hr_officer):
    content = download(login(analyst), "allerod", "staffing", "csv").decode("utf-8-sig")
    lines = content.splitlines()
    first = lines[1].split(";")
    first[3] = str(int(first[3]) + 1)  # headcount
    lines[1] = ";".join(first)
    edited = "\r\n".join(lines).encode("utf-8")
    options = {"municipality": seeded, "date": None}
    result = check(staffing_importing.SUBJECT, edited, "x.csv", hr_officer, options)
    assert result.ok, result.errors
    actions = [r.action for r in result.rows]
    assert actions.count("changed") == 1 and actions.count("unchanged") == len(actions) - 1


@pytest.mark.django_db
def test_import_data_command_reports_a_reimported_export_as_unchanged(
    with_measurements, login, analyst, hr_officer, tmp_path
):
    path = tmp_path / "maalinger.xlsx"
    path.write_bytes(download(login(analyst), "allerod", "measurements", "xlsx"))
    before = snapshot_of_everything()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_data",
        "measurements",
        str(path),
        "--user",
        hr_officer.username,
        "--plan",
        str(with_measurements.pk),
        stdout=out,
        stderr=err,
    )
    rows = Measurement.objects.filter(indicator__plan__municipality=with_measurements.municipality)
    current = rows.count() - 1  # one value was corrected: the export holds the one that counts
    assert f"created 0, updated 0, unchanged {current}." in out.getvalue()
    assert snapshot_of_everything() == before
