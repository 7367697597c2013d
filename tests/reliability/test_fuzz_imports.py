"""Every importer, thrown random bytes, odd Unicode, huge numbers and wrong types: the reader raises
only TableError, the import pages answer 200/302 (a server error fails the test, because the test
client re-raises it), and nothing is written unless the preview was clean and confirmed, and then
everything is."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.tabular import Row, TableError, read_table
from employment_plan.models import Measurement
from recommendations.models import Recommendation, StatusUpdate
from tests.factories import RecommendationFactory, ReportFactory
from tests.reliability.junk import (
    FUZZ,
    any_value,
    csv_bytes,
    odd_date_text,
    odd_number_text,
    odd_text,
    rolled_back,
    spreadsheet,
    typed_cell,
    xlsx_bytes,
)

# PostgreSQL: rejected imports leave the database unchanged (transactions).
pytestmark = pytest.mark.postgres

ON_POSTGRESQL = connection.vendor == "postgresql"


# The shared reader ---------------------------------------------------------------------------------
class Upload(io.BytesIO):
    """What read_table is given: a file object with a name (possibly empty) and a size."""

    def __init__(self, name: str, content: bytes):
        super().__init__(content)
        self.name, self.size = name, len(content)


def read(name: str, content: bytes):
    """read_table's whole contract: a table, or a TableError with a message for the user."""
    try:
        header, rows = read_table(Upload(name, content))
    except TableError as exc:
        assert str(exc).strip()
        return None
    assert all(isinstance(h, str) for h in header)
    assert all(isinstance(r, Row) and r.number >= 2 for r in rows)
    return header, rows


names = st.sampled_from(["data.csv", "data.xlsx", "data.txt", "", "data.pdf", "DATA.CSV", "x"])


@FUZZ
@given(name=names, content=st.binary(max_size=4096))
def test_reader_survives_random_bytes(name, content):
    read(name, content)


@FUZZ
@given(
    name=names,
    text=st.text(max_size=2000),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]),
)
def test_reader_survives_random_text_in_any_encoding(name, text, encoding):
    read(name, text.encode(encoding, errors="replace"))


@FUZZ
@given(
    header=st.lists(odd_text, min_size=1, max_size=8),
    rows=st.lists(st.lists(any_value, max_size=10), max_size=10),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
)
def test_reader_survives_odd_csv(header, rows, delimiter):
    read("data.csv", csv_bytes(header, rows, delimiter=delimiter))


@FUZZ
@given(
    header=st.lists(odd_text, min_size=1, max_size=6),
    rows=st.lists(st.lists(typed_cell, max_size=6), max_size=6),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=6),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_reader_survives_real_and_damaged_workbooks(header, rows, flips, cut):
    content = bytearray(xlsx_bytes(header, rows))
    for position, byte in flips:
        content[position % len(content)] = byte
    if cut is not None:
        content = content[: cut % (len(content) + 1)]
    read("data.xlsx", bytes(content))


@FUZZ
@given(
    members=st.dictionaries(
        st.sampled_from(
            ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "a.xml", "x"]
        ),
        st.binary(max_size=300),
        max_size=4,
    )
)
def test_reader_survives_zip_files_that_are_not_workbooks(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    read("data.xlsx", out.getvalue())


# The recommendations status import ------------------------------------------------------------------
STATUS_HEADER = ["rapport", "nummer", "status", "fremdrift", "dato", "note"]
STATUS_KEYS = ["ikke-paabegyndt", "I gang", "i-gang", "Gennemført", "forsinket", "Fravalgt"]
STATUS_URL = "admin:recommendations_recommendation_import"

valid_status_row = st.tuples(
    st.just("fuzz"),
    st.sampled_from(["1", "2", "3"]),
    st.sampled_from(STATUS_KEYS),
    st.one_of(st.just(""), st.integers(0, 100).map(str), st.sampled_from(["12,5", "99,99"])),
    st.one_of(st.just(""), st.dates(datetime.date(2000, 1, 1), datetime.date(2025, 12, 31))),
    st.one_of(st.just("Begrundet"), odd_text),
).map(list)


@st.composite
def status_row(draw):
    row = draw(valid_status_row)
    if draw(st.booleans()):  # one cell replaced by junk of any kind
        column = draw(st.integers(0, len(row) - 1))
        row[column] = draw(st.one_of(any_value, typed_cell, odd_number_text, odd_date_text))
    return row


@st.composite
def status_header(draw):
    if draw(st.integers(0, 4)) == 0:
        return draw(st.lists(st.sampled_from([*STATUS_HEADER, "x", ""]), max_size=7))
    return STATUS_HEADER


@pytest.fixture
def recs(allerod):
    report = ReportFactory(municipality=allerod, key="fuzz")
    return [RecommendationFactory(report=report, number=str(n)) for n in (1, 2, 3)]


def status_state():
    return (
        StatusUpdate.objects.count(),
        list(Recommendation.objects.order_by("pk").values_list("pk", "status_id", "progress", "version")),
    )  # fmt: skip


@FUZZ
@given(data=st.data())
def test_status_import_never_fails_and_writes_all_or_nothing(data, hr_client, recs):
    client = hr_client
    header = data.draw(status_header())
    name, content = data.draw(spreadsheet(header, status_row()))
    with rolled_back():
        before = status_state()
        response = client.post(reverse(STATUS_URL), {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200
        assert status_state() == before  # the preview writes nothing
        payload = response.context.get("payload")
        if payload is None:
            return
        preview = response.context["preview"]
        assert preview.ok
        confirmed = client.post(reverse(STATUS_URL), {"confirm": "1", "payload": payload})
        assert confirmed.status_code in (200, 302)
        updates, _rows = status_state()
        if confirmed.status_code == 302:
            assert updates == before[0] + preview.count("changed")
        else:
            assert status_state() == before


@FUZZ
@given(payload=st.one_of(odd_text, st.binary(max_size=200).map(lambda b: b.hex())))
def test_status_import_refuses_forged_payloads(payload, hr_client, recs):
    client = hr_client
    with rolled_back():
        before = status_state()
        response = client.post(reverse(STATUS_URL), {"confirm": "1", "payload": payload})
        assert response.status_code in (200, 302)
        assert status_state() == before


# The employment-plan measurements import -------------------------------------------------------------
MEASUREMENT_HEADER = ["plan", "indikator", "dato", "værdi", "foreløbig", "kilde", "kommentar"]

valid_measurement_row = st.tuples(
    st.sampled_from(["Beskæftigelsesplan 2026", ""]),
    st.sampled_from(["1.2", "5.1"]),
    st.dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)).map(
        lambda d: d.strftime("%d-%m-%Y")
    ),
    st.one_of(st.integers(0, 100).map(str), st.sampled_from(["55,5", "12,25", "0"])),
    st.sampled_from(["ja", "nej", "", "x", "JA"]),
    st.one_of(st.just("Jobindsats.dk"), odd_text),
    st.one_of(st.just(""), odd_text),
).map(list)


@st.composite
def measurement_row(draw):
    row = draw(valid_measurement_row)
    if draw(st.booleans()):
        column = draw(st.integers(0, len(row) - 1))
        row[column] = draw(st.one_of(any_value, typed_cell, odd_number_text, odd_date_text))
    return row


@st.composite
def measurement_header(draw):
    if draw(st.integers(0, 4)) == 0:
        extra = [*MEASUREMENT_HEADER, "periode", "value", "x", ""]
        return draw(st.lists(st.sampled_from(extra), max_size=8, unique=True))
    return draw(st.sampled_from([MEASUREMENT_HEADER, [*MEASUREMENT_HEADER, "periode"]]))


@FUZZ
@given(data=st.data())
def test_measurement_import_never_fails_and_writes_all_or_nothing(
    data, hr_client, plan, percent_indicator, companies_indicator
):
    client = hr_client
    url = reverse("admin:employment_plan_measurement_import")
    header = data.draw(measurement_header())
    row_strategy = measurement_row()
    if "periode" in header:
        row_strategy = st.tuples(row_strategy, odd_text).map(lambda t: [*t[0], t[1]])
    name, content = data.draw(spreadsheet(header, row_strategy))
    with rolled_back():
        before = Measurement.objects.count()
        response = client.post(url, {"plan": plan.pk, "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200
        assert Measurement.objects.count() == before
        payload = response.context.get("payload")
        if payload is None:
            return
        result = response.context["preview"]
        assert result.ok
        applied = client.post(url, {"payload": payload})
        assert applied.status_code in (200, 302)
        written = result.count("new") + result.count("changed")
        expected = before + written if applied.status_code == 302 else before
        assert Measurement.objects.count() == expected


# Minimal reproductions of bugs these tests found (now fixed) -----------------------------------------------------------------
def test_a_damaged_workbook_is_refused_with_a_message():
    content = bytearray(xlsx_bytes(["rapport"], [["x"]]))
    content[0] = 0  # the local header's magic number of the first member
    with pytest.raises(TableError):
        read_table(Upload("data.xlsx", bytes(content)))


def test_measurement_import_refuses_an_infinite_number_with_a_message(
    login, hr_officer, plan, percent_indicator
):
    content = xlsx_bytes(
        ["indikator", "dato", "værdi"], [["1.2", "31-03-2026", 1.7976931348623157e308]]
    )
    url = reverse("admin:employment_plan_measurement_import")
    response = login(hr_officer).post(
        url, {"plan": plan.pk, "file": SimpleUploadedFile("m.xlsx", content)}
    )
    assert response.status_code == 200
    assert not Measurement.objects.exists()


STATUS_CSV = "rapport;nummer;status;fremdrift;dato;note\n"


@pytest.mark.parametrize(
    "row", ["fuzz;1;i-gang;;;a\x00b\n", "fu\x00zz;1;i-gang;;;ok\n"], ids=["note", "report"]
)
def test_status_import_with_a_nul_character_answers_without_a_server_error(
    row, login, hr_officer, recs
):
    client = login(hr_officer)
    upload = SimpleUploadedFile("status.csv", (STATUS_CSV + row).encode())
    response = client.post(reverse(STATUS_URL), {"file": upload})
    assert response.status_code == 200
    if response.context.get("payload"):
        confirmed = client.post(
            reverse(STATUS_URL), {"confirm": "1", "payload": response.context["payload"]}
        )
        assert confirmed.status_code in (200, 302)


MEASUREMENT_CSV = "plan;indikator;dato;værdi;foreløbig;kilde;kommentar;periode\n"
GOOD = ["Beskæftigelsesplan 2026", "5.1", "31-03-2026", "4", "nej", "", "", ""]


def _with(column: int, value: str) -> str:
    row = list(GOOD)
    row[column] = value
    return ";".join(row) + "\n"


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(_with(3, "1,23456"), id="five-decimals"),
        pytest.param(_with(5, "s" * 301), id="kilde-301"),
        pytest.param(_with(7, "p" * 101), id="periode-101"),
        pytest.param(_with(6, "a\x00b"), id="nul-in-kommentar"),
    ],
)
def test_measurement_import_refuses_in_the_preview_what_it_cannot_save(
    row, login, hr_officer, plan, percent_indicator, companies_indicator
):
    client = login(hr_officer)
    url = reverse("admin:employment_plan_measurement_import")
    upload = SimpleUploadedFile("m.csv", (MEASUREMENT_CSV + row).encode())
    preview = client.post(url, {"plan": plan.pk, "file": upload})
    assert preview.status_code == 200
    payload = preview.context.get("payload")
    if payload is not None:
        applied = client.post(url, {"payload": payload})
        assert applied.status_code in (200, 302)
    assert Measurement.objects.count() in (0, 1)
