"""Exports as an analyst meets them: the export page, every subject in every format, the
municipality's workbook, the admin's export button, and who may use them."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core import writers
from exchange.subjects import SUBJECTS
from recommendations.models import Recommendation, StatusUpdate
from workforce.models import StaffingSnapshot

# PostgreSQL: exports.
pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_export_page_lists_every_subject_in_every_format(seeded, login, analyst):
    response = login(analyst).get(reverse("export-page", args=["allerod"]))
    html = response.content.decode()
    assert response.status_code == 200
    for subject in SUBJECTS:
        for fmt in writers.FORMATS:
            assert f"/kommune/allerod/eksport/{subject.key}/?format={fmt}" in html
    assert reverse("export-workbook", args=["allerod"]) in html
    assert "Import kræver rollen HR-medarbejder eller administrator." in html  # analyst


@pytest.mark.django_db
def test_every_subject_downloads_in_every_format(seeded, login, analyst):
    client = login(analyst)
    today = datetime.date.today().isoformat()
    for subject in SUBJECTS:
        for fmt, (_label, extension, content_type) in writers.FORMATS.items():
            url = reverse("export-subject", args=["allerod", subject.key]) + f"?format={fmt}"
            response = client.get(url)
            assert response.status_code == 200, (subject.key, fmt)
            assert response["Content-Type"] == content_type
            variant = {"csv": "-excel", "csv-comma": "-komma"}.get(fmt, "")
            assert response["Content-Disposition"] == (
                f'attachment; filename="allerod-{subject.file_stem}-alle{variant}-{today}.{extension}"'
            )
            if fmt == "json":
                assert isinstance(json.loads(response.content), list)
            elif fmt == "xlsx":
                sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
                assert sheet is not None
                assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
                assert sheet.max_row > 1, subject.key  # the seed has rows for every subject
            else:
                text = response.content.decode("utf-8")
                assert text.startswith("\ufeff") == (fmt == "csv")


@pytest.mark.django_db
def test_json_is_keyed_by_stable_names_with_typed_values(seeded, login, analyst):
    response = login(analyst).get(
        reverse("export-subject", args=["allerod", "staffing"]) + "?format=json"
    )
    first = json.loads(response.content)[0]
    assert {"institution", "profession", "date", "headcount", "fte", "band_60-64"} <= set(first)
    assert isinstance(first["headcount"], int) and isinstance(first["fte"], float)
    datetime.date.fromisoformat(first["date"])
    assert (
        len(json.loads(response.content))
        == StaffingSnapshot.objects.filter(unit__municipality=seeded).count()
    )


@pytest.mark.django_db
def test_the_list_export_honours_the_filters_in_every_format(seeded, login, analyst):
    client = login(analyst)
    url = reverse("dashboard-recommendations", args=["allerod"]) + "?status=ikke-startet"
    shown = client.get(url).context["filter"].qs
    expected = sorted(r.title for r in shown)
    assert 0 < len(expected) < Recommendation.objects.count()
    data = json.loads(client.get(url + "&format=json").content)
    assert sorted(row["title"] for row in data) == expected
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    titles = [row[header.index("Titel")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # key=str: to mypy, a cell may hold values that do not sort together.
    assert sorted(titles, key=str) == expected
    text = client.get(url + "&format=csv-comma").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["Titel"] for r in rows) == expected


@pytest.mark.django_db
def test_the_workbook_has_a_sheet_per_subject_and_says_where_it_came_from(seeded, login, analyst):
    response = login(analyst).get(reverse("export-workbook", args=["allerod"]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Om filen",
        "Anbefalinger",
        "Statushistorik",
        "Politiske beslutninger",
        "Indikatorer",
        "Målinger",
        "Bemanding",
        "Opfølgningsrunder",
        "Fremskrivning",
        "Fremskrivning i alt",
        "Antagelser",
    ]
    about = {row[0]: row[1] for row in workbook["Om filen"].iter_rows(min_row=2, values_only=True)}
    assert about["Kommune"] == "Allerød (201)" and about["Dannet af"] == analyst.username
    assert "Demodata" in about  # the calibrated staffing is demo data, and the file says so
    sources = [
        row[1]
        for row in workbook["Om filen"].iter_rows(min_row=2, values_only=True)
        if row[0] == "Kilde"
    ]
    assert sources  # the documents the data was seeded from
    history = list(workbook["Statushistorik"].iter_rows(min_row=2, values_only=True))
    readable = Q(recommendation__report__municipality=seeded) | Q(
        recommendation__report__municipality=None
    )
    assert len(history) == StatusUpdate.objects.filter(readable).count() > 0
    projection = workbook["Fremskrivning"]
    assert projection.freeze_panes == "A3"  # the demo line, then the header
    year_cell = projection.cell(row=3, column=1)
    assert isinstance(year_cell.value, int)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["export-page", "export-workbook"])
def test_council_members_cannot_export_and_anonymous_visitors_log_in(
    url_name, seeded, login, council_member, client
):
    url = reverse(url_name, args=["allerod"])
    assert client.get(url).status_code == 302
    assert login(council_member).get(url).status_code == 403


@pytest.mark.django_db
def test_an_unknown_format_or_subject_is_not_found(seeded, login, analyst):
    client = login(analyst)
    assert client.get(reverse("export-subject", args=["allerod", "x"])).status_code == 404
    base = reverse("export-subject", args=["allerod", "staffing"])
    assert client.get(base + "?format=pdf").status_code == 404


# The admin's export button ---------------------------------------------------------------------
@pytest.mark.django_db
def test_admin_export_uses_the_same_safe_writers_and_only_own_rows(
    seeded, login, hr_officer, outsider
):
    other = StaffingSnapshot.objects.filter(unit__municipality=seeded).first()
    assert other is not None
    client = login(hr_officer)
    url = reverse("admin:workforce_staffingsnapshot_export")
    page = client.get(url)
    assert page.status_code == 200
    formats = [label for _value, label in page.context["form"].fields["format"].choices]
    assert formats[1:] == ["xlsx", "csv (Excel, ;)", "csv (,)", "json"]
    # The form offers every column, ticked; the user may untick some.
    ticked = {name: "on" for name in page.context["form"].fields if name.startswith("staffing")}
    response = client.post(url, {"format": "0", "resource": "0", **ticked})
    assert response["Content-Type"] == writers.FORMATS["xlsx"][2]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == StaffingSnapshot.objects.filter(unit__municipality=seeded).count()
    assert other.unit.name in {r[0] for r in rows}
    # Norddjurs's administrator exports none of Allerød's rows.
    client.force_login(outsider)
    response = client.post(url, {"format": "2", "resource": "0", **ticked})
    text = response.content.decode("utf-8")
    assert other.unit.name not in text and text.startswith("Institution,")


@pytest.mark.django_db
@pytest.mark.parametrize("subject", ["measurements", "recommendations", "history", "staffing"])
def test_an_export_costs_the_same_queries_for_ten_rows_or_three_hundred(
    subject, login, analyst, hr_officer, allerod
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from employment_plan.models import Measurement
    from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory
    from tests.factories import RecommendationFactory, ReportFactory, UnitFactory
    from workforce.models import StaffingSnapshot

    plan = PlanFactory(
        municipality=allerod,
        period_start=datetime.date(2000, 1, 1),
        period_end=datetime.date(2030, 12, 31),
    )
    indicator = IndicatorFactory.create(focus_area=FocusAreaFactory(plan=plan), unit="count")
    report = ReportFactory(municipality=allerod)
    from organizations.models import Profession

    profession = Profession.objects.create(key="p", name="Pædagog", name_plural="Pædagoger")
    client = login(analyst)
    url = reverse("export-subject", args=["allerod", subject]) + "?format=xlsx"

    def add_measurement(n):
        Measurement.objects.create(
            indicator=indicator,
            date=datetime.date(2001, 1, 1) + datetime.timedelta(days=n),
            value=n,
        )

    def add_recommendation(n):
        return RecommendationFactory.create(report=report, number=str(n + 1))

    def add_update(n):
        rec = add_recommendation(n)
        StatusUpdate.objects.create(
            recommendation=rec, new_status=rec.status, progress=0, origin="admin"
        )

    def add_snapshot(n):
        StaffingSnapshot.objects.create(
            unit=UnitFactory.create(municipality=allerod, kind="daycare"),
            profession=profession,
            date=datetime.date(2026, 1, 1),
            headcount=n,
            fte=n,
        )

    # Only the rows the subject exports grow: the others' are not read by this export.
    add, exported = {
        "measurements": (add_measurement, Measurement.objects),
        "recommendations": (add_recommendation, Recommendation.objects),
        "history": (add_update, StatusUpdate.objects),
        "staffing": (add_snapshot, StaffingSnapshot.objects),
    }[subject]
    counts = []
    for total in (10, 300):
        while exported.count() < total:
            add(exported.count())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_admin_export_files_are_named_by_the_one_scheme(seeded, login, hr_officer):
    """The admin's export button names its files like every other export: municipality, subject,
    every row, the CSV variant and the day, so its two CSVs no longer share a name."""
    client = login(hr_officer)
    url = reverse("admin:workforce_staffingsnapshot_export")
    page = client.get(url)
    ticked = {name: "on" for name in page.context["form"].fields if name.startswith("staffing")}
    names = []
    for choice in ("0", "1", "2", "3"):
        response = client.post(url + "?o=1", {"format": choice, "resource": "0", **ticked})
        names.append(response["Content-Disposition"].split('filename="', 1)[1].rstrip('"'))
    day = timezone.localdate().isoformat()
    assert names == [
        f"allerod-bemandingsopgoerelser-alle-{day}.xlsx",
        f"allerod-bemandingsopgoerelser-alle-excel-{day}.csv",
        f"allerod-bemandingsopgoerelser-alle-komma-{day}.csv",
        f"allerod-bemandingsopgoerelser-alle-{day}.json",
    ]
