"""Importing measurements from CSV or Excel: a dry run first, then all rows or none."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core import importing
from core.cells import parse_number
from employment_plan.importing import SUBJECT
from employment_plan.models import Measurement

# PostgreSQL: imports: transactions, constraints, decimals.
pytestmark = pytest.mark.postgres


def csv_bytes(text, encoding="utf-8-sig"):
    return text.encode(encoding)


GOOD_CSV = (
    "plan;indikator;dato;værdi;foreløbig;kilde;kommentar\n"
    "Beskæftigelsesplan 2026;1.2;31-03-2026;55,5;nej;Spørgeskema;\n"
    "Beskæftigelsesplan 2026;5.1;2026-06-30;4;ja;CRM;halvår\n"
)


def run(plan, content, user, dry_run, name="m.csv"):
    """The pipeline as the admin and import_data run it: a check (dry run), or check and apply."""
    table = importing.read(SimpleUploadedFile(name, content))
    if dry_run:
        return importing.check(SUBJECT, table, user=user, options={"plan": plan})[0]
    return importing.apply(SUBJECT, table, user=user, options={"plan": plan})


def values(result):
    return [(r.row, r.record.indicator.code, r.record.value) for r in result.rows]


def test_dry_run_previews_and_saves_nothing(
    plan, percent_indicator, companies_indicator, hr_officer
):
    result = run(plan, csv_bytes(GOOD_CSV), hr_officer, dry_run=True)
    assert result.ok
    assert values(result) == [
        (2, "1.2", Decimal("55.5")),
        (3, "5.1", Decimal(4)),
    ]
    assert not Measurement.objects.exists()


def test_apply_saves_every_row(plan, percent_indicator, companies_indicator, hr_officer):
    result = run(plan, csv_bytes(GOOD_CSV), hr_officer, dry_run=False)
    assert result.applied and result.count("new") == 2
    saved = Measurement.objects.get(indicator=companies_indicator)
    assert saved.provisional and saved.data_source == "CRM" and saved.comment == "halvår"
    assert saved.entered_by == hr_officer
    assert Measurement.objects.get(indicator=percent_indicator).value == Decimal("55.5")


@pytest.mark.parametrize(
    "encoding, text",
    [
        ("utf-8", GOOD_CSV),
        ("utf-8-sig", GOOD_CSV),
        ("cp1252", GOOD_CSV),
        ("utf-8", GOOD_CSV.replace(";", ",").replace("55,5", '"55,5"')),
        ("utf-8", GOOD_CSV.replace(";", ",").replace("55,5", "55.5")),
    ],
    ids=["utf8", "utf8-bom", "windows-1252", "comma-danish-decimal", "comma-dot-decimal"],
)
def test_encodings_and_separators(
    plan, percent_indicator, companies_indicator, hr_officer, encoding, text
):
    result = run(plan, text.encode(encoding), hr_officer, dry_run=True)
    assert result.ok, result.errors
    assert result.rows[0].record.value == Decimal("55.5")


def test_xlsx(plan, percent_indicator, companies_indicator, hr_officer):
    import datetime

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Indikator", "Dato", "Værdi", "Foreløbig"])
    sheet.append(["1.2", datetime.datetime(2026, 3, 31), 55.5, None])
    sheet.append(["5.1", "30.06.2026", 4, "ja"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(plan, buffer.getvalue(), hr_officer, dry_run=False, name="m.xlsx")
    assert result.ok, result.errors
    assert Measurement.objects.count() == 2


BAD_ROWS = [
    # (row text, column named in the error)
    ("Beskæftigelsesplan 2026;1.2;2026-03-31;101;nej;;", "værdi"),  # a percentage above 100
    ("Beskæftigelsesplan 2026;5.1;2026-03-31;fire;nej;;", "værdi"),  # text in a number cell
    ("Beskæftigelsesplan 2026;5.1;2026-03-31;-2;nej;;", "værdi"),  # fewer than no companies
    ("Beskæftigelsesplan 2026;9.9;2026-03-31;4;nej;;", "indikator"),  # unknown indicator
    ("Beskæftigelsesplan 2026;5.1;2027-03-31;4;nej;;", "dato"),  # after the plan
    ("Beskæftigelsesplan 2026;5.1;2025-03-31;4;nej;;", "dato"),  # before the plan
    ("Beskæftigelsesplan 2026;5.1;31. marts;4;nej;;", "dato"),  # not a date
    ("Beskæftigelsesplan 2026;5.1;2026-03-31;4;måske;;", "foreløbig"),
    ("Beskæftigelsesplan 2017;5.1;2026-03-31;4;nej;;", "plan"),
]


@pytest.mark.parametrize("bad, column", BAD_ROWS)
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(
    plan, percent_indicator, companies_indicator, hr_officer, bad, column
):
    text = GOOD_CSV + bad + "\n"
    result = run(plan, csv_bytes(text), hr_officer, dry_run=False)
    assert not result.ok
    assert [(row, col) for row, col, _message in result.errors] == [(4, column)]
    assert not Measurement.objects.exists()  # the two good rows are not saved either


def test_an_outsider_cannot_import(plan, percent_indicator, outsider):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(plan, csv_bytes(GOOD_CSV), outsider, dry_run=True)


def test_import_page_previews_then_applies(
    login, hr_officer, plan, percent_indicator, companies_indicator
):
    client = login(hr_officer)
    url = reverse("admin:employment_plan_measurement_import")
    upload = io.BytesIO(csv_bytes(GOOD_CSV))
    upload.name = "maalinger.csv"
    preview = client.post(url, {"plan": plan.pk, "file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-import="ok"' in html and 'data-row="3"' in html
    assert not Measurement.objects.exists()
    payload = preview.context["payload"]
    applied = client.post(url, {"payload": payload})
    assert applied.status_code == 302
    assert Measurement.objects.count() == 2


def test_import_page_names_row_and_column_of_an_error(
    login, hr_officer, plan, percent_indicator, companies_indicator
):
    client = login(hr_officer)
    url = reverse("admin:employment_plan_measurement_import")
    upload = io.BytesIO(csv_bytes(GOOD_CSV + "Beskæftigelsesplan 2026;1.2;2026-03-31;101;nej;;\n"))
    upload.name = "maalinger.csv"
    response = client.post(url, {"plan": plan.pk, "file": upload})
    html = response.content.decode()
    assert 'data-import="refused"' in html
    assert "4" in html and "“værdi”" in html
    assert "payload" not in response.context
    assert not Measurement.objects.exists()


def test_a_tampered_payload_is_refused(login, hr_officer, plan, percent_indicator):
    client = login(hr_officer)
    url = reverse("admin:employment_plan_measurement_import")
    response = client.post(url, {"payload": "not-signed"})
    assert response.status_code == 302
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "text, value",
    [
        ("12,5", "12.5"),
        ("1.050,5", "1050.5"),
        ("1050.5", "1050.5"),
        ("6 800 000", "6800000"),
        ("6.800.000", "6800000"),
        ("1.050", "1050"),
        ("0.125", "0.125"),
        ("1,050.5", "1050.5"),
        ("-10", "-10"),
        ("55,5 %", "55.5"),
    ],
)
def test_numbers_in_danish_and_english_notation(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["fire", "1,2,3", "NaN", "Infinity", "12a", "1,050"])
def test_text_is_not_a_number(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_reimporting_the_same_file_is_unchanged_and_saves_nothing(
    plan, percent_indicator, companies_indicator, hr_officer
):
    run(plan, csv_bytes(GOOD_CSV), hr_officer, dry_run=False)
    before = Measurement.objects.count()
    again = run(plan, csv_bytes(GOOD_CSV), hr_officer, dry_run=False)
    assert again.ok and [r.action for r in again.rows] == ["unchanged", "unchanged"]
    assert again.count("new") == 0 and Measurement.objects.count() == before


def test_a_new_value_for_a_date_that_has_one_is_an_update_with_a_warning(
    plan, percent_indicator, companies_indicator, hr_officer
):
    run(plan, csv_bytes(GOOD_CSV), hr_officer, dry_run=False)
    changed = GOOD_CSV.replace("55,5", "56").replace("halvår", "rettet")
    again = run(plan, csv_bytes(changed), hr_officer, dry_run=True)
    assert again.ok and [r.action for r in again.rows] == ["changed", "changed"]
    assert all(row.notes for row in again.rows)


def test_the_same_indicator_and_date_twice_in_a_file_is_refused(
    plan, percent_indicator, companies_indicator, hr_officer
):
    text = (
        "plan;indikator;dato;værdi\n"
        "Beskæftigelsesplan 2026;1.2;31-03-2026;55\n"
        "Beskæftigelsesplan 2026;1.2;2026-03-31;56\n"
    )
    result = run(plan, csv_bytes(text), hr_officer, dry_run=False)
    assert not result.ok and not Measurement.objects.exists()
    assert result.errors == [(3, "dato", "Samme indikator og dato som række 2.")]


def test_error_names_the_spreadsheet_row_even_after_a_blank_row(
    plan, percent_indicator, companies_indicator, hr_officer
):
    text = (
        "plan;indikator;dato;værdi\n"
        "Beskæftigelsesplan 2026;1.2;31-03-2026;55\n"
        ";;;\n"
        "Beskæftigelsesplan 2026;1.2;31-03-2026;155\n"
    )
    result = run(plan, csv_bytes(text), hr_officer, dry_run=True)
    assert not result.ok
    assert [r.row for r in result.rows if r.errors] == [4]
    assert not Measurement.objects.exists()


def test_confirming_after_the_plan_is_gone_says_so_and_saves_nothing(
    login, hr_officer, plan, percent_indicator, companies_indicator
):
    client = login(hr_officer)
    url = reverse("admin:employment_plan_measurement_import")
    upload = io.BytesIO(csv_bytes(GOOD_CSV))
    upload.name = "maalinger.csv"
    payload = client.post(url, {"plan": plan.pk, "file": upload}).context["payload"]
    plan.delete()  # by someone else, between the preview and the confirmation
    response = client.post(url, {"payload": payload}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "findes ikke længere" in response.content.decode()
    assert not Measurement.objects.exists()
