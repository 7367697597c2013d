"""Importing staffing: an anonymised staff list of 5,000 rows aggregates to the right snapshots;
personal data (name or CPR columns, CPR-like values) refuses the file and stores nothing; bad cells
are reported by row and column; aggregated rows go through preview → confirm."""

import datetime
import io
import random
import re
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from core import importing as pipeline
from organizations.models import Profession, UnitKind
from tests.factories import UnitFactory
from workforce import importing
from workforce.models import StaffingSnapshot
from workforce.projection import band_of_age

# PostgreSQL: staffing imports under a row lock.
pytestmark = pytest.mark.postgres

URL = "admin:workforce_staffingsnapshot_import"


def check(file, user, options):
    """The pipeline's check, as the admin runs it before the preview."""
    return pipeline.check(importing.SUBJECT, pipeline.read(file), user=user, options=options)[0]


DATE = datetime.date(2023, 1, 1)


@pytest.fixture
def institutions(allerod):
    area = UnitFactory(municipality=allerod, name="Dagtilbud", kind=UnitKind.AREA)
    return [
        UnitFactory(municipality=allerod, name=name, kind=kind, parent=area)
        for name, kind in (
            ("Solsikken", UnitKind.DAYCARE),
            ("Mælkebøtten", UnitKind.DAYCARE),
            ("Skovvang", UnitKind.CARE_HOME),
        )
    ]


@pytest.fixture
def professions(db):
    return [
        Profession.objects.get_or_create(key=key, defaults={"name": name, "name_plural": name})[0]
        for key, name in (("paedagog", "Pædagog"), ("sosu-assistent", "SOSU-assistent"))
    ]


def xlsx_file(rows, name="ansatte.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(text, name="bemanding.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def staff_list(n=5000, seed=5):
    """A synthetic anonymised staff list and the snapshot it should give on DATE, by hand."""
    rng = random.Random(seed)
    header = [
        "id",
        "fødselsår",
        "faggruppe",
        "institution",
        "fte",
        "startdato",
        "slutdato",
        "årsag",
    ]
    rows: list[list[Any]] = [header]
    # Counters per (institution, profession): of persons (int) and of fte (Decimal).
    expected: defaultdict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: Counter())
    bands: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for i in range(n):
        institution = rng.choice(["Solsikken", "Mælkebøtten", "Skovvang"])
        profession = rng.choice(["paedagog", "sosu-assistent"])
        birth = rng.randint(1955, 2003)
        fte = rng.choice([Decimal("1"), Decimal("0.8"), Decimal("0.5")])
        start = datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randint(0, 5000))
        end, reason = None, ""
        if rng.random() < 0.3:
            end = start + datetime.timedelta(days=rng.randint(1, 2000))
            reason = rng.choice(["pension", "opsagt", "andet job"])
        rows.append([f"P{i:05d}", birth, profession, institution, float(fte), start, end, reason])
        key = (institution, profession)
        if start <= DATE and (end is None or end > DATE):
            expected[key]["headcount"] += 1
            expected[key]["fte"] += fte
            bands[key][band_of_age(DATE.year - birth)] += 1
        if end is not None and datetime.date(2022, 1, 1) < end <= DATE:
            expected[key]["leavers_retirement" if reason == "pension" else "leavers_other"] += 1
        if datetime.date(2022, 1, 1) < start <= DATE:
            expected[key]["hires"] += 1
    return rows, expected, bands


@pytest.mark.django_db
def test_a_5000_row_staff_list_aggregates_to_the_right_snapshots(
    login, hr_officer, allerod, institutions, professions
):
    rows, expected, bands = staff_list()
    client = login(hr_officer)
    response = client.post(
        reverse(URL),
        {"municipality": allerod.pk, "file": xlsx_file(rows), "date": "2023-01-01"},
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.ok, preview.errors[:5]
    # 5,000 people of a staff list give one row per institution × profession.
    assert preview.source_rows == 5000 and len(preview.rows) == 6
    assert "Filens 5.000 rækker giver 6 rækker at importere." in response.content.decode()
    assert not StaffingSnapshot.objects.exists()  # the preview writes nothing

    done = client.post(
        reverse(URL),
        {"confirm": "1", "payload": response.context["payload"], "municipality": allerod.pk},
    )
    assert done.status_code == 302
    snapshots = StaffingSnapshot.objects.select_related("unit", "profession")
    assert snapshots.count() == len(expected) == 6
    for snapshot in snapshots:
        key = (snapshot.unit.name, snapshot.profession.key)
        assert snapshot.date == DATE
        assert snapshot.headcount == expected[key]["headcount"]
        assert snapshot.fte == expected[key]["fte"]
        assert snapshot.leavers_retirement == expected[key]["leavers_retirement"]
        assert snapshot.leavers_other == expected[key]["leavers_other"]
        assert snapshot.hires == expected[key]["hires"]
        assert snapshot.age_bands == dict(bands[key])
        entry = AuditEntry.objects.get(
            model_label="workforce.staffingsnapshot", object_id=str(snapshot.pk)
        )
        assert entry.actor == hr_officer
    # Nothing of the staff list itself is kept: no id, no birth year.
    stored = " ".join(str(s.__dict__) for s in snapshots)
    assert "P00001" not in stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    "column",
    ["navn", "Fornavn", "Efternavn", "Name", "first name", "CPR", "cpr-nr", "Personnummer"],
)
def test_a_name_or_cpr_column_is_refused_and_nothing_is_stored(
    login, hr_officer, allerod, institutions, professions, column
):
    rows, _expected, _bands = staff_list(20)
    rows[0].append(column)
    for row in rows[1:]:
        row.append("x")
    client = login(hr_officer)
    response = client.post(
        reverse(URL), {"municipality": allerod.pk, "file": xlsx_file(rows), "date": "2023-01-01"}
    )
    assert response.status_code == 200
    errors = [message for _row, _column, message in response.context["preview"].errors]
    assert "personal data" in errors[0] or "personoplysninger" in errors[0]
    assert column.lower() in errors[0]
    assert "payload" not in response.context
    assert not StaffingSnapshot.objects.exists()


@pytest.mark.django_db
def test_cpr_looking_values_are_refused(hr_officer, allerod, institutions, professions):
    rows, _expected, _bands = staff_list(20)
    rows[7][0] = "010180-1234"  # the pseudonymous id is really a CPR number
    result = check(xlsx_file(rows), hr_officer, {"municipality": allerod, "date": DATE})
    assert not result.ok
    assert re.search(r"(Row|Række) 8", result.errors[0][2])
    assert not StaffingSnapshot.objects.exists()


def test_cpr_detection():
    assert importing.looks_like_cpr("010180-1234")
    assert importing.looks_like_cpr("0101801234")
    assert importing.looks_like_cpr(101801234)  # a number cell that lost its leading zero
    assert not importing.looks_like_cpr("320180-1234")  # not a date
    assert not importing.looks_like_cpr("P00001")
    assert not importing.looks_like_cpr(2023)
    assert not importing._personal_column("institution name")
    assert not importing._personal_column("institutionsnavn")
    assert importing._personal_column("medarbejdernavn") is False  # one word: not a name column
    assert importing._personal_column("e-mail")


@pytest.mark.django_db
def test_bad_cells_are_reported_by_row_and_column(hr_officer, allerod, institutions, professions):
    text = (
        "institution;faggruppe;dato;antal;årsværk;vakancer;25-29;60-64;afgang pension;afgang øvrige;tilgang\n"
        "Solsikken;paedagog;2023-01-01;10;8,5;1;6;4;1;2;3\n"
        "Ukendt;paedagog;2023-01-01;10;8;0;;;;;\n"
        "Solsikken;sosu-assistent;2023-13-01;tre;8;0;;;;;\n"
        "Mælkebøtten;paedagog;2023-01-01;3;3;0;2;2;;;\n"
    )
    result = check(csv_file(text), hr_officer, {"municipality": allerod, "date": None})
    assert not result.ok
    located = {(row, column) for row, column, _message in result.errors}
    assert (3, "institution") in located
    assert (4, "dato") in located
    assert (4, "antal") in located
    assert (5, "25-29") in located  # the bands add up to more than the headcount
    assert not StaffingSnapshot.objects.exists()


@pytest.mark.django_db
def test_aggregated_rows_preview_then_confirm(
    login, hr_officer, allerod, institutions, professions
):
    text = (
        "institution;faggruppe;dato;antal;årsværk;vakancer;25-29;60-64;afgang pension;afgang øvrige;tilgang\n"
        "Solsikken;paedagog;01-01-2023;10;8,5;1;6;4;1;2;3\n"
        "Skovvang;SOSU-assistent;2023-01-01;20;16;2;10;5;0;5;4\n"
    )
    client = login(hr_officer)
    response = client.post(reverse(URL), {"municipality": allerod.pk, "file": csv_file(text)})
    preview = response.context["preview"]
    assert preview.ok and preview.source_rows == 2 and len(preview.rows) == 2
    client.post(
        reverse(URL),
        {"confirm": "1", "payload": response.context["payload"], "municipality": allerod.pk},
    )
    snapshot = StaffingSnapshot.objects.get(unit__name="Solsikken")
    assert (snapshot.headcount, snapshot.fte, snapshot.vacancies) == (10, Decimal("8.5"), 1)
    assert snapshot.age_bands == {"25-29": 6, "60-64": 4}
    assert (snapshot.leavers_retirement, snapshot.leavers_other, snapshot.hires) == (1, 2, 3)


@pytest.mark.django_db
def test_import_needs_the_permission(login, council_member, analyst, outsider):
    for user in (council_member, analyst):
        assert login(user).get(reverse(URL)).status_code in (302, 403)
