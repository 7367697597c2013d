"""One table of cells, run through every importer: status changes, measurements, staffing, and
``manage.py import_data`` for each. The same cell gives the same number or date everywhere, or the
same refusal, naming the row and the column (docs/import-export.md, "Numbers and dates in cells")."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from core import importing as pipeline
from core.cells import CellError, parse_date, parse_number
from employment_plan import importing as measurements
from employment_plan.models import Measurement
from organizations.models import Profession, UnitKind
from recommendations import importing as status_changes
from recommendations.models import StatusUpdate
from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory
from tests.factories import RecommendationFactory, ReportFactory, UnitFactory
from workforce import importing as staffing
from workforce.models import StaffingSnapshot

INFINITE = object()  # an XLSX number cell holding 1E999, which a reader turns into infinity


class Refused(str):
    """The message every importer gives for the cell (in Danish, as the user sees it)."""


AMBIGUOUS = Refused(
    "“1,050” kan læses på to måder: 1,05 med decimalkomma eller 1050 med komma som "
    "tusindtalsskilletegn. Skriv 1,05 eller 1050."
)
# (cell as text in a CSV, or typed in an XLSX, expected) — one table for every importer.
NUMBERS = [
    ("45,5", Decimal("45.5")),
    ("1.050", Decimal("1050")),
    ("1.050,5", Decimal("1050.5")),
    ("1,050.5", Decimal("1050.5")),
    ("6 800", Decimal("6800")),
    ("6.800.000", Decimal("6800000")),
    ("1.5", Decimal("1.5")),
    ("0.050", Decimal("0.05")),  # a lone 0 before the dot: a decimal point
    ("55,5 %", Decimal("55.5")),
    ("12", Decimal("12")),
    (12, Decimal("12")),
    (12.5, Decimal("12.5")),
    (1050.5, Decimal("1050.5")),
    (0.1 + 0.2, Decimal("0.3")),  # Excel's 15 digits
    ("1,050", AMBIGUOUS),
    ("fire", Refused("“fire” er ikke et tal.")),
    ("1,2,3", Refused("“1,2,3” er ikke et tal.")),
    ("NaN", Refused("“NaN” er ikke et tal.")),
    ("Infinity", Refused("“Infinity” er ikke et tal.")),
    ("1e999", Refused("“1e999” er ikke et tal.")),
    ("=1+1", Refused("“=1+1” er ikke et tal.")),
    (INFINITE, Refused("“inf” er for stort til denne kolonne.")),
    ("99999999999999999999", Refused("“99999999999999999999” er for stort til denne kolonne.")),
    (1e20, Refused("“100000000000000000000” er for stort til denne kolonne.")),
]
MARCH_FIRST = datetime.date(2024, 3, 1)
NOT_A_DATE = "er ikke en dato: brug ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ."
DATES = [
    ("2024-03-01", MARCH_FIRST),
    ("01-03-2024", MARCH_FIRST),
    ("1.3.2024", MARCH_FIRST),
    ("01/03/2024", MARCH_FIRST),
    ("1/3-2024", MARCH_FIRST),
    (datetime.datetime(2024, 3, 1), MARCH_FIRST),
    (
        "01-03-24",
        Refused(
            "“01-03-24” har et tocifret årstal: 1924 eller 2024? Skriv årstallet med fire cifre."
        ),
    ),
    ("31-02-2024", Refused(f"“31-02-2024” {NOT_A_DATE}")),
    ("03/31/2024", Refused(f"“03/31/2024” {NOT_A_DATE}")),  # never month first
    (45352, Refused(f"“45352” {NOT_A_DATE}")),  # an unformatted date serial is not guessed
]


def case_id(case):
    cell, _expected = case
    return "infinite" if cell is INFINITE else f"{type(cell).__name__}:{cell}"


# The three subjects: a one-row file for each, and how to read back what it made of the cell ---------
PLAN = "Beskæftigelsesplan 2026"


@pytest.fixture
def world(allerod, hr_officer):
    report = ReportFactory(municipality=allerod, key="allerod-test")
    RecommendationFactory(report=report, number="1")
    plan = PlanFactory(
        municipality=allerod,
        title=PLAN,
        period_start=datetime.date(2000, 1, 1),
        period_end=datetime.date(2030, 12, 31),
    )
    IndicatorFactory(focus_area=FocusAreaFactory(plan=plan, number=1), code="1.1", unit="persons")
    area = UnitFactory(municipality=allerod, name="Dagtilbud", kind=UnitKind.AREA)
    UnitFactory(municipality=allerod, name="Solsikken", kind=UnitKind.DAYCARE, parent=area)
    Profession.objects.get_or_create(
        key="paedagog", defaults={"name": "Pædagog", "name_plural": "Pædagoger"}
    )
    return {"user": hr_officer, "plan": plan, "municipality": allerod}


# subject: (header, a good row, the column of the number, the column of the date)
SUBJECTS = {
    "recommendations": (
        ["rapport", "nummer", "status", "fremdrift", "dato", "note"],
        ["allerod-test", "1", "I gang", "12", "2024-03-01", "Opstartet"],
        "fremdrift",
        "dato",
    ),
    "measurements": (
        ["plan", "indikator", "dato", "værdi"],
        [PLAN, "1.1", "2024-03-01", "12"],
        "værdi",
        "dato",
    ),
    "staffing": (
        ["institution", "faggruppe", "dato", "antal", "fte"],
        ["Solsikken", "paedagog", "2024-03-01", "5", "12"],
        "fte",
        "dato",
    ),
}


def file_with(subject, column, cell, fmt):
    header, cells, *_ = SUBJECTS[subject]
    row: list[object] = list(cells)
    row[header.index(column)] = 123456789 if cell is INFINITE else cell
    if fmt == "csv":
        text = ";".join(header) + "\n" + ";".join(str(v) for v in row) + "\n"
        return "cells.csv", text.encode("utf-8")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    sheet.append(row)
    for cell_in_sheet in sheet[2]:
        if isinstance(cell_in_sheet.value, str):
            cell_in_sheet.data_type = "s"  # text as typed, never a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    if cell is INFINITE:
        content = _patched(content, b"<v>123456789</v>", b"<v>1E999</v>")
    return "cells.xlsx", content


def _patched(content: bytes, old: bytes, new: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename).replace(old, new))
    return out.getvalue()


# Each importer: its subject, the column read as a number, and its options.
NUMBER_KEYS = {"recommendations": "progress", "measurements": "value", "staffing": "fte"}
IMPORTERS = {
    "recommendations": status_changes.SUBJECT,
    "measurements": measurements.SUBJECT,
    "staffing": staffing.SUBJECT,
}


def through_the_importer(subject, name, content, world):
    """What the importer's preview read from row 2: (number, date, [(row, column, message)])."""
    options = {
        "recommendations": {},
        "measurements": {"plan": world["plan"]},
        "staffing": {"municipality": world["municipality"], "date": None},
    }[subject]
    table = pipeline.read(SimpleUploadedFile(name, content))
    preview = pipeline.check(IMPORTERS[subject], table, user=world["user"], options=options)[0]
    cells = preview.rows[0].cells
    assert cells is not None
    return cells[NUMBER_KEYS[subject]], cells["date"], list(preview.errors)


def through_the_command(subject, name, content, world, tmp_path):
    """What ``import_data`` saved (number, date), or the problems it printed."""
    path = tmp_path / name
    path.write_bytes(content)
    options = {
        "recommendations": [],
        "measurements": ["--plan", PLAN],
        "staffing": ["--municipality", "allerod"],
    }[subject]
    err = io.StringIO()
    try:
        call_command(
            "import_data", subject, str(path), "--user", "hanne", *options,
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    except CommandError:
        return None, None, err.getvalue()
    if subject == "recommendations":
        saved = StatusUpdate.objects.filter(recommendation__number="1").latest("pk")
        return saved.progress, saved.effective_on, ""
    if subject == "measurements":
        saved = Measurement.objects.get()
        return saved.value, saved.date, ""
    saved = StaffingSnapshot.objects.get()
    return saved.fte, saved.date, ""


# The table, through everything ----------------------------------------------------------------------
PROGRESS_RANGE = "Fremdrift skal være mellem 0 og 100 %."


def _expect_number(subject, expected, number, errors, column):
    if isinstance(expected, Refused):
        assert (2, column, str(expected)) in errors, errors
        return
    if subject == "recommendations" and expected > 999:
        number = expected if number is None else number  # refused as too large, after reading
    assert number == expected, (number, errors)
    others = [e for e in errors if e[1] == column]
    if subject == "recommendations" and expected > 100:
        assert len(others) == 1 and _beyond_progress(others[0][2], number), others
    else:
        assert others == []


def _beyond_progress(message: str, number) -> bool:
    """Progress is a percentage (0–100, five digits): a larger number is read alike, then refused
    by the column's own rule."""
    return message == PROGRESS_RANGE or message.endswith("er for stort til denne kolonne.")


def _expect_date(expected, date, errors, column):
    if isinstance(expected, Refused):
        assert (2, column, str(expected)) in errors, errors
    else:
        assert date == expected and not errors, errors


@pytest.mark.django_db
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("case", NUMBERS + DATES, ids=case_id)
def test_a_cell_means_the_same_in_every_importer(subject, case, world):
    cell, expected = case
    is_date = case in DATES
    column = SUBJECTS[subject][3 if is_date else 2]
    formats = ["csv", "xlsx"] if isinstance(cell, str) else ["xlsx"]
    with translation.override("da"):
        for fmt in formats:
            name, content = file_with(subject, column, cell, fmt)
            number, date, errors = through_the_importer(subject, name, content, world)
            if is_date:
                _expect_date(expected, date, errors, column)
            else:
                _expect_number(subject, expected, number, errors, column)


@pytest.mark.django_db
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("case", NUMBERS + DATES, ids=case_id)
def test_import_data_saves_the_same_value_or_prints_the_same_refusal(
    subject, case, world, tmp_path
):
    cell, expected = case
    is_date = case in DATES
    column = SUBJECTS[subject][3 if is_date else 2]
    name, content = file_with(subject, column, cell, "xlsx" if not isinstance(cell, str) else "csv")
    with translation.override("da"):
        number, date, printed = through_the_command(subject, name, content, world, tmp_path)
    if isinstance(expected, Refused):
        assert f"row 2, column “{column}”: {expected}" in printed, printed
    elif not is_date and subject == "recommendations" and expected > 100:
        line = next(x for x in printed.splitlines() if f"row 2, column “{column}”: " in x)
        assert _beyond_progress(line.split(": ", 1)[1], expected), printed
    else:
        assert (date if is_date else number) == expected, printed


# The parsers themselves: the rule table's edges --------------------------------------------------------
@pytest.mark.parametrize(
    "cell, digits, message",
    [
        ("0,005", {"max_digits": 9, "decimal_places": 2}, "more decimals"),
        ("12,5000", {"max_digits": 9, "decimal_places": 2}, None),  # trailing zeros are no decimals
        ("9999999,99", {"max_digits": 9, "decimal_places": 2}, None),
        ("10000000", {"max_digits": 9, "decimal_places": 2}, "too large"),
    ],
)
def test_the_column_digits_are_checked_before_the_database(cell, digits, message):
    with translation.override("en"):
        if message is None:
            assert parse_number(cell, **digits) is not None
        else:
            with pytest.raises(CellError, match=message):
                parse_number(cell, **digits)


def test_empty_cells_are_none_and_the_caller_decides_whether_that_is_allowed():
    for empty in (None, "", "  "):
        assert parse_number(empty) is None and parse_date(empty) is None


@pytest.mark.django_db
def test_a_typed_number_with_three_decimals_is_not_read_again_as_danish_text(world):
    """1.125 typed in Excel is 1.125; the text "1.125" would be Danish for 1125."""
    name, content = file_with("measurements", "værdi", 1.125, "xlsx")
    number, _date, errors = through_the_importer("measurements", name, content, world)
    assert number == Decimal("1.125") and not errors
