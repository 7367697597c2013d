"""Importing status changes: preview first, then every row through the status service or none."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations.models import StatusUpdate, UpdateOrigin
from tests.factories import RecommendationFactory, ReportFactory

# PostgreSQL: imports.
pytestmark = pytest.mark.postgres

URL = "admin:recommendations_recommendation_import"


@pytest.fixture
def report(allerod):
    return ReportFactory(municipality=allerod, key="allerod-test")


@pytest.fixture
def recs(report):
    return [RecommendationFactory(report=report, number=str(n)) for n in (1, 2, 3)]


def csv_file(text: str, encoding="utf-8", name="status.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, file):
    return client.post(reverse(URL), {"file": file})


def confirm(client, response):
    return client.post(reverse(URL), {"confirm": "1", "payload": response.context["payload"]})


@pytest.mark.django_db
def test_preview_then_confirm_writes_one_update_per_row(login, hr_officer, recs):
    client = login(hr_officer)
    text = (
        "rapport;nummer;status;fremdrift;dato;note\n"
        "allerod-test;1;I gang;25,5;01-03-2025;Opstartet\n"
        "allerod-test;2;Forsinket;;2025-03-02;Ingen ansøgere\n"
        ";;;;;\n"
    )
    preview = upload(client, csv_file(text, encoding="cp1252"))
    assert preview.status_code == 200
    result = preview.context["preview"]
    assert result.ok and result.count("changed") == 2
    assert not StatusUpdate.objects.exists()  # the preview writes nothing

    done = confirm(client, preview)
    assert done.status_code == 302
    first = StatusUpdate.objects.get(recommendation=recs[0])
    assert (first.new_status.key, str(first.progress), first.note, first.author) == (
        "i-gang",
        "25.50",
        "Opstartet",
        hr_officer,
    )
    assert first.origin == UpdateOrigin.IMPORT
    assert StatusUpdate.objects.get(recommendation=recs[1]).new_status.key == "forsinket"
    assert not StatusUpdate.objects.filter(recommendation=recs[2]).exists()


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(login, hr_officer, recs):
    client = login(hr_officer)
    text = "report,number,status,progress\nallerod-test,1,I gang,40\n"
    confirm(client, upload(client, csv_file(text)))
    again = upload(client, csv_file(text))
    assert again.context["preview"].count("unchanged") == 1
    confirm(client, again)
    assert StatusUpdate.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("allerod-test;1;Ukendt status;10;;", "status"),
        ("allerod-test;1;I gang;140;;", "fremdrift"),
        ("allerod-test;1;I gang;mange;;", "fremdrift"),
        ("allerod-test;1;I gang;10;31-02-2025;", "dato"),
        ("allerod-test;99;I gang;10;;", "nummer"),
        ("allerod-test;1;Fravalgt;;;", "note"),
    ],
)
def test_one_bad_row_shows_row_and_column_and_nothing_is_saved(
    login, hr_officer, recs, row, column
):
    client = login(hr_officer)
    text = "rapport;nummer;status;fremdrift;dato;note\nallerod-test;2;I gang;10;;\n" + row + "\n"
    response = upload(client, csv_file(text))
    result = response.context["preview"]
    assert not result.ok
    bad = [r for r in result.rows if r.errors]
    assert [r.row for r in bad] == [3]
    assert bad[0].errors[0][0] == column
    assert "payload" not in response.context
    assert not StatusUpdate.objects.exists()


@pytest.mark.django_db
def test_a_row_that_fails_when_applied_rolls_back_all(login, hr_officer, recs, monkeypatch):
    from django.core.exceptions import ValidationError

    from recommendations import services

    client = login(hr_officer)
    text = "rapport;nummer;status\nallerod-test;1;I gang\nallerod-test;2;I gang\n"
    preview = upload(client, csv_file(text))
    real = services.recommendation_change_status
    calls = []

    def fail_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationError("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "recommendation_change_status", fail_second)
    response = confirm(client, preview)
    assert response.status_code == 200
    assert not StatusUpdate.objects.exists()


@pytest.mark.django_db
def test_xlsx_with_real_dates_and_numbers(login, hr_officer, recs):
    import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Rapport", "Nummer", "Status", "Fremdrift", "Dato"])
    sheet.append(["allerod-test", 3, "Besluttet", 20, datetime.datetime(2025, 1, 15)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = login(hr_officer)
    preview = upload(client, SimpleUploadedFile("s.xlsx", buffer.getvalue()))
    assert preview.context["preview"].ok
    confirm(client, preview)
    update = StatusUpdate.objects.get(recommendation=recs[2])
    assert update.effective_on == datetime.date(2025, 1, 15)


@pytest.mark.django_db
def test_missing_column_and_damaged_files_are_refused_with_a_message(login, hr_officer, recs):
    client = login(hr_officer)
    response = upload(client, csv_file("rapport;status\nallerod-test;I gang\n"))
    assert response.context["preview"].file_errors
    response = upload(client, SimpleUploadedFile("s.xlsx", b"PK\x03\x04 not really a zip"))
    assert response.context["form"].errors["file"]
    assert not StatusUpdate.objects.exists()


@pytest.mark.django_db
def test_tampered_payload_is_refused(login, hr_officer, recs):
    client = login(hr_officer)
    preview = upload(client, csv_file("rapport;nummer;status\nallerod-test;1;I gang\n"))
    payload = preview.context["payload"]
    response = client.post(reverse(URL), {"confirm": "1", "payload": payload[:-3] + "abc"})
    assert response.status_code == 302
    assert not StatusUpdate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_member", "analyst"])
def test_import_needs_the_import_permission(request, login, persona, recs):
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse(URL))
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_outsider_cannot_import_into_another_municipality(login, outsider, recs):
    client = login(outsider)
    response = upload(client, csv_file("rapport;nummer;status\nallerod-test;1;I gang\n"))
    result = response.context["preview"]
    assert not result.ok and result.rows[0].errors[0][0] == "nummer"
    assert not StatusUpdate.objects.exists()
