"""Every file the product hands out, read back as Danish Excel and pandas read it: the export page's
subjects, the lists' "export what I see", the workbook, the workforce projection and the audit log.
The CSV for Danish Excel starts with a byte-order mark (so 'år', 'øvrig' and 'efterspørgsel' are not
garbled), uses semicolons and decimal commas; numbers are typed in XLSX and never carry a visible
apostrophe; and no two downloads share a file name."""

import datetime
import io
import json

import openpyxl
import pandas as pd
import pytest
from django.urls import reverse

from exchange.subjects import SUBJECTS

BOM = b"\xef\xbb\xbf"
TODAY = datetime.date.today().isoformat()


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response


def file_name(response) -> str:
    return response["Content-Disposition"].split('filename="', 1)[1].rstrip('"')


def read_excel_csv(content: bytes) -> pd.DataFrame:
    assert content.startswith(BOM)
    return pd.read_csv(io.BytesIO(content), sep=";", decimal=",", encoding="utf-8-sig")


def read_comma_csv(content: bytes) -> pd.DataFrame:
    assert not content.startswith(BOM)
    return pd.read_csv(io.BytesIO(content), encoding="utf-8")


def numeric_columns(rows: list[dict]) -> list[int]:
    """The positions of the columns whose every JSON value is a number."""
    keys = list(rows[0])
    return [
        index
        for index, key in enumerate(keys)
        if any(row[key] is not None for row in rows)
        and all(
            row[key] is None
            or (isinstance(row[key], int | float) and not isinstance(row[key], bool))
            for row in rows
        )
    ]


def assert_typed_in_xlsx(sheet, numeric: list[int], header_row: int = 1):
    rows = list(sheet.iter_rows(min_row=header_row + 1))
    assert rows
    for row in rows:
        for cell in row:
            if cell.data_type == "s" and isinstance(cell.value, str):
                assert not cell.value.startswith("'"), cell.value  # no visible apostrophe
        for index in numeric:
            assert row[index].value is None or row[index].data_type == "n", (
                sheet.title,
                index,
                row[index].value,
            )


@pytest.mark.django_db
def test_every_subject_reads_back_typed_in_every_format(seeded, login, analyst):
    client = login(analyst)
    names = set()
    for subject in SUBJECTS:
        url = reverse("export-subject", args=["allerod", subject.key])
        files = {fmt: get(client, url, format=fmt) for fmt in ("json", "csv", "csv-comma", "xlsx")}
        names |= {file_name(r) for r in files.values()}
        rows = json.loads(files["json"].content)
        numeric = numeric_columns(rows)
        headers = subject.resource().headers()

        danish = read_excel_csv(files["csv"].content)
        comma = read_comma_csv(files["csv-comma"].content)
        excel = pd.read_excel(io.BytesIO(files["xlsx"].content))
        for frame in (danish, comma, excel):
            assert list(frame.columns) == headers  # æ, ø and å intact
            assert len(frame) == len(rows)
            for index in numeric:
                assert pd.api.types.is_numeric_dtype(frame.iloc[:, index]), (
                    subject.key,
                    headers[index],
                )
        assert danish.iloc[:, numeric].equals(comma.iloc[:, numeric])
        sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"].content)).active
        assert sheet is not None
        assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
        assert_typed_in_xlsx(sheet, numeric)
    assert len(names) == 4 * len(SUBJECTS)  # no two downloads share a name
    assert f"allerod-maalinger-alle-excel-{TODAY}.csv" in names
    assert f"allerod-maalinger-alle-komma-{TODAY}.csv" in names


@pytest.mark.django_db
def test_a_filtered_list_export_is_named_apart_from_the_full_one(seeded, login, analyst):
    client = login(analyst)
    url = reverse("dashboard-recommendations", args=["allerod"])
    full = get(client, url, format="csv")
    filtered = get(client, url, format="csv", status="ikke-startet")
    assert file_name(full) == f"allerod-anbefalinger-alle-excel-{TODAY}.csv"
    assert file_name(filtered) == f"allerod-anbefalinger-filtreret-excel-{TODAY}.csv"
    assert 0 < len(read_excel_csv(filtered.content)) <= len(read_excel_csv(full.content))
    indicators = get(client, reverse("dashboard-indicators", args=["allerod"]), format="csv")
    frame = read_excel_csv(indicators.content)
    assert len(frame) > 0


@pytest.mark.django_db
def test_the_workbook_has_typed_numbers_on_every_sheet(seeded, login, analyst):
    response = get(login(analyst), reverse("export-workbook", args=["allerod"]))
    assert file_name(response) == f"allerod-arbejdsbog-alle-{TODAY}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    measurements = workbook["Målinger"]
    header = [c.value for c in measurements[1]]
    assert_typed_in_xlsx(measurements, [header.index("Værdi")])
    projection = workbook["Fremskrivning"]
    header = [c.value for c in projection[2]]
    assert "år" in header and "mangel (efterspørgsel − udbud)" in header
    assert_typed_in_xlsx(projection, [header.index("år"), header.index("udbud, årsværk")], 2)


@pytest.mark.django_db
def test_the_projection_export_opens_in_danish_excel_with_typed_numbers(seeded, login, analyst):
    client = login(analyst)
    url = reverse("workforce-export", args=["allerod"])
    files = {fmt: get(client, url, format=fmt) for fmt in ("csv", "csv-comma", "xlsx", "json")}
    names = {fmt: file_name(r) for fmt, r in files.items()}
    assert len(set(names.values())) == 4
    assert (
        names["csv"]
        == f"allerod-fremskrivning-nuvaerende-niveau-demo-alle-demodata-excel-{TODAY}.csv"
    )
    rows = json.loads(files["json"].content)
    assert rows and all(row["is_demo"] is True for row in rows)

    danish = read_excel_csv(files["csv"].content)
    comma = read_comma_csv(files["csv-comma"].content)
    for frame in (danish, comma):
        assert "år" in frame.columns and "ansatte ved årets start" in frame.columns
        assert "mangel (efterspørgsel − udbud)" in frame.columns
        assert pd.api.types.is_integer_dtype(frame["år"])
        assert pd.api.types.is_numeric_dtype(frame["udbud, årsværk"])
        assert set(frame["data"]) == {"Demodata"}
        assert len(frame) == len(rows)
    assert danish["udbud, årsværk"].round(3).tolist() == [round(r["supply_fte"], 3) for r in rows]

    workbook = openpyxl.load_workbook(io.BytesIO(files["xlsx"].content))
    assert workbook.sheetnames == ["Fremskrivning", "Fremskrivning i alt", "Antagelser"]
    sheet = workbook["Fremskrivning"]
    assert "Demo" in sheet["A1"].value and sheet.freeze_panes == "A3"
    header = [c.value for c in sheet[2]]
    assert_typed_in_xlsx(sheet, [header.index("år"), header.index("udbud, årsværk")], 2)
    assert_typed_in_xlsx(workbook["Antagelser"], [])


@pytest.mark.django_db
def test_the_audit_export_opens_in_danish_excel(seeded, client, administrator):
    client.force_login(administrator)
    url = reverse("admin:audit_auditentry_export")
    danish = get(client, url)
    assert file_name(danish) == f"allerod-revisionslog-alle-excel-{TODAY}.csv"
    frame = read_excel_csv(danish.content)
    assert len(frame) > 0 and "tidspunkt" in frame.columns
    assert set(frame["kommune"].dropna()) == {"Allerød"}
    workbook = openpyxl.load_workbook(io.BytesIO(get(client, url, format="xlsx").content))
    sheet = workbook.active
    assert sheet is not None
    assert isinstance(sheet["A2"].value, datetime.datetime)  # the time is a date and time
    assert_typed_in_xlsx(sheet, [])
    filtered = get(client, url, model_label="recommendations.report")
    assert file_name(filtered) == f"allerod-revisionslog-filtreret-excel-{TODAY}.csv"
