"""Acceptance 2–4: one bad row among 10,000 refuses the whole file; formula-like text is neutralised
in every format while numbers stay numbers; oversized files, zip bombs and XML entity payloads are
refused quickly with a message that says what to do."""

import datetime
import io
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core import tabular, writers
from employment_plan import services as plan_services
from employment_plan.models import Indicator, Measurement
from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory

# PostgreSQL: imports and exports at their limits.
pytestmark = pytest.mark.postgres

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]


@pytest.fixture
def indicator(allerod):
    plan = PlanFactory(
        municipality=allerod,
        title="Beskæftigelsesplan 2026",
        period_start=datetime.date(2000, 1, 1),
        period_end=datetime.date(2030, 12, 31),
    )
    area = FocusAreaFactory(plan=plan, number=1)
    return IndicatorFactory(focus_area=area, code="1.1", unit="persons", direction="lower")


def ten_thousand_rows(bad_row: int | None) -> bytes:
    """10,000 daily measurements; the one on spreadsheet row ``bad_row`` is not a number."""
    lines = ["plan;indikator;dato;værdi"]
    start = datetime.date(2001, 1, 1)
    for n in range(10_000):
        row = n + 2
        value = "fire" if row == bad_row else str(n)
        lines.append(f"Beskæftigelsesplan 2026;1.1;{start + datetime.timedelta(days=n)};{value}")
    return "\n".join(lines).encode("utf-8")


def table_state():
    return list(Measurement.objects.order_by("pk").values_list("pk", "date", "value"))


@pytest.mark.long
@pytest.mark.django_db
def test_one_bad_row_among_ten_thousand_is_shown_and_changes_nothing(
    login, hr_officer, indicator, tmp_path, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 20_000  # checked in the request (tests/exchange/test_jobs.py)
    plan_services.measurement_record(
        indicator=indicator,
        date=datetime.date(2001, 1, 1),
        value=Decimal(7),
        acting_user=hr_officer,
    )
    before = table_state()
    content = ten_thousand_rows(bad_row=5_001)
    url = reverse("admin:employment_plan_measurement_import")
    response = login(hr_officer).post(
        url, {"plan": indicator.plan.pk, "file": SimpleUploadedFile("m.csv", content)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-import="refused"' in html and "Import all rows" not in html
    assert response.context["preview"].errors == [(5_001, "værdi", "“fire” er ikke et tal.")]
    assert 'data-row="5001" data-action="error"' in html
    # Applying the same file (the command line applies without a browser) changes nothing.
    path = tmp_path / "m.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_data",
            "measurements",
            str(path),
            "--user",
            hr_officer.username,
            "--plan",
            str(indicator.plan.pk),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert table_state() == before


@pytest.mark.long
@pytest.mark.django_db
def test_the_good_ten_thousand_rows_import_in_one_go(hr_officer, indicator, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(ten_thousand_rows(bad_row=None))
    err = io.StringIO()
    call_command(
        "import_data",
        "measurements",
        str(path),
        "--user",
        hr_officer.username,
        "--plan",
        "Beskæftigelsesplan 2026",
        stdout=io.StringIO(),
        stderr=err,
    )
    assert Measurement.objects.count() == 10_000
    assert "10,000 / 10,000 rows" in err.getvalue() and "rows/s" in err.getvalue()


# Formula injection --------------------------------------------------------------------------------
@pytest.fixture
def formula_measurements(indicator, hr_officer):
    # Kroner: a unit whose values may be negative (a number of persons may not).
    Indicator.objects.filter(pk=indicator.pk).update(unit="dkk")
    indicator.refresh_from_db()
    for n, text in enumerate(FORMULAS, start=1):
        plan_services.measurement_record(
            indicator=indicator,
            date=datetime.date(2026, 1, n),
            value=Decimal(-5) if n == 1 else Decimal(n),
            comment=text,
            acting_user=hr_officer,
        )


def _download(client, fmt):
    url = reverse("export-subject", args=["allerod", "measurements"]) + f"?format={fmt}"
    return client.get(url).content


@pytest.mark.django_db
@pytest.mark.parametrize("fmt,delimiter", [("csv", ";"), ("csv-comma", ",")])
def test_formula_text_is_neutralised_in_csv_and_numbers_stay(
    fmt, delimiter, formula_measurements, login, analyst
):
    import csv

    text = _download(login(analyst), fmt).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    comments = [row[rows[0].index("Kommentar")] for row in rows[1:]]
    assert comments == ["'" + f for f in FORMULAS]
    values = [row[rows[0].index("Værdi")] for row in rows[1:]]
    assert values[0] == ("-5,0000" if fmt == "csv" else "-5.0000")  # a number: no apostrophe


@pytest.mark.django_db
def test_formula_text_is_a_string_cell_in_xlsx_and_numbers_stay_numbers(
    formula_measurements, login, analyst
):
    workbook = openpyxl.load_workbook(io.BytesIO(_download(login(analyst), "xlsx")))
    sheet = workbook.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    comment_col, value_col, date_col = (
        header.index("Kommentar"),
        header.index("Værdi"),
        header.index("Dato"),
    )
    rows = list(sheet.iter_rows(min_row=2))
    for row, formula in zip(rows, FORMULAS, strict=True):
        cell = row[comment_col]
        # XML reads a carriage return back as a line feed; either way the cell is text.
        assert isinstance(cell.value, str)
        assert cell.value.replace("\n", "\r") == formula
        assert cell.data_type == "s" and cell.quotePrefix
    assert rows[0][value_col].value == -5 and rows[0][value_col].data_type == "n"
    assert isinstance(rows[0][date_col].value, datetime.datetime)  # a date, not text


def test_writers_neutralise_every_formula_start_and_leave_numbers():
    cell = writers.excel_dialect().text
    for text in FORMULAS:
        assert cell(text) == "'" + text
    assert cell(-5) == "-5" and cell(Decimal("-5.5")) == "-5,5"
    buffer = io.BytesIO()
    writers.write_xlsx(buffer, [("T", ["a", "b"], [["=1+1", -5], ["@cmd", Decimal("-2.5")]])])
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet is not None
    assert [(c.value, c.data_type) for c in sheet[2]] == [("=1+1", "s"), (-5, "n")]
    assert [(c.value, c.data_type) for c in sheet[3]] == [("@cmd", "s"), (-2.5, "n")]


# Limits ---------------------------------------------------------------------------------------------
def _xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["plan", "indikator", "dato", "værdi"])
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(info.filename, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A small file that unpacks to more than the limit."""
    padding = b" " * (tabular.MAX_UNPACKED_BYTES + 1024)
    return _xlsx_with_sheet(b'<?xml version="1.0"?><worksheet>' + padding + b"</worksheet>")


def entity_expansion() -> bytes:
    return _xlsx_with_sheet(entity_expansion_xml())


def entity_expansion_xml() -> bytes:
    return (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )


def entity_expansion_deep_in_the_part() -> bytes:
    """The declaration after 64 KB of comment: not in the part's first bytes."""
    payload = entity_expansion_xml()
    declaration = payload.index(b"<!DOCTYPE")
    comment = b"<!--" + b"x" * 65_536 + b"-->"
    return _xlsx_with_sheet(payload[:declaration] + comment + payload[declaration:])


def entity_expansion_in_utf16() -> bytes:
    text = entity_expansion_xml().decode().replace('<?xml version="1.0"?>', "")
    return _xlsx_with_sheet(('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16"))


DECLARATIONS_REFUSED = "Projektmappen indeholder XML-erklæringer, som ikke er tilladt."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,make,message",
    [
        ("bomb.xlsx", zip_bomb, "Projektmappen fylder for meget udpakket og blev afvist."),
        ("entities.xlsx", entity_expansion, DECLARATIONS_REFUSED),
        ("deep.xlsx", entity_expansion_deep_in_the_part, DECLARATIONS_REFUSED),
        ("utf16.xlsx", entity_expansion_in_utf16, DECLARATIONS_REFUSED),
    ],
    ids=["zip-bomb", "entity-expansion", "entity-after-64-kb", "entity-in-utf-16"],
)
def test_hostile_workbooks_are_refused_quickly_with_a_message(
    name, make, message, login, hr_officer, indicator
):
    content = make()
    assert len(content) < 1024 * 1024  # small on the wire
    url = reverse("admin:employment_plan_measurement_import")
    started = time.monotonic()
    response = login(hr_officer).post(
        url, {"plan": indicator.plan.pk, "file": SimpleUploadedFile(name, content)}
    )
    assert time.monotonic() - started < 5
    assert response.context["form"].errors["file"] == [message]
    assert not Measurement.objects.exists()


def test_a_utf16_csv_from_excel_is_read_like_any_other():
    """Excel's "Unicode text": UTF-16 with tabs; with its byte-order mark or without one."""
    text = "plan\tindikator\tdato\tværdi\r\nBeskæftigelsesplan 2026\t1.1\t2026-01-01\t4,5\r\n"
    for content in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be")):
        header, rows = tabular.read_table(SimpleUploadedFile("unicode.txt", content))
        assert header == ["plan", "indikator", "dato", "værdi"]
        assert [row.values for row in rows] == [
            {
                "plan": "Beskæftigelsesplan 2026",
                "indikator": "1.1",
                "dato": "2026-01-01",
                "værdi": "4,5",
            }
        ]


@pytest.mark.django_db
def test_a_file_too_large_for_the_browser_points_to_the_command(login, hr_officer, indicator):
    content = b"plan;indikator;dato;v\xc3\xa6rdi\n" + b"x" * (tabular.MAX_UPLOAD_BYTES + 1)
    url = reverse("admin:employment_plan_measurement_import")
    started = time.monotonic()
    response = login(hr_officer).post(
        url, {"plan": indicator.plan.pk, "file": SimpleUploadedFile("big.csv", content)}
    )
    assert time.monotonic() - started < 5
    [error] = response.context["form"].errors["file"]
    assert error.startswith("Filen er for stor")
    assert "manage.py import_data measurements FIL" in error


@pytest.mark.django_db
def test_too_many_rows_for_the_browser_points_to_the_command(
    login, hr_officer, indicator, settings
):
    settings.IMPORT_MAX_ROWS = 20_000  # 200.000 by default: a smaller file makes the same point
    lines = ["plan;indikator;dato;værdi"] + ["Beskæftigelsesplan 2026;1.1;2026-01-01;1"] * 20_001
    url = reverse("admin:employment_plan_measurement_import")
    response = login(hr_officer).post(
        url,
        {
            "plan": indicator.plan.pk,
            "file": SimpleUploadedFile("rows.csv", "\n".join(lines).encode()),
        },
    )
    [error] = response.context["form"].errors["file"]
    assert "20.000" in error or "20000" in error
    assert "import_data measurements" in error


@pytest.mark.long
@pytest.mark.django_db
def test_ten_thousand_rows_preview_and_confirm_in_the_browser(
    login, hr_officer, indicator, settings
):
    """The signed preview travels back in the form: it must fit Django's request size limit, for an
    installation that checks files this large in the request."""
    settings.IMPORT_BACKGROUND_ROWS = 20_000
    client = login(hr_officer)
    url = reverse("admin:employment_plan_measurement_import")
    preview = client.post(
        url,
        {"plan": indicator.plan.pk, "file": SimpleUploadedFile("m.csv", ten_thousand_rows(None))},
    )
    assert preview.context["preview"].count("new") == 10_000
    payload = preview.context["payload"]
    response = client.post(url, {"payload": payload})
    assert response.status_code == 302
    assert Measurement.objects.count() == 10_000
