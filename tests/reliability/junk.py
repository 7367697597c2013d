"""Hypothesis strategies for what people (and their spreadsheets) actually send: odd Unicode, numbers
far too large, the wrong type in a cell, dates that are not dates, and files that are not files.

Every fuzz test draws from here, so one place says what "bad input" means for the whole product.
"""

import csv
import datetime
import io
import os
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded and repeatable for CI: the same 40 examples on every run (derandomize), so a red build is
# never a fluke. A deeper, random search on a workstation:
#   FUZZ_EXAMPLES=1000 FUZZ_RANDOM=1 .venv/bin/pytest tests/reliability -k fuzz
# The per-example database reset is a savepoint, so function-scoped fixtures are shared on purpose.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    database=None,  # no .hypothesis/ folder in the project
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ufeff",  # a byte-order mark inside a cell
    "\u202eevil",  # right-to-left override
    "e\u0301",  # a combining accent
    "ǅ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "🙂" * 30,
    "æøå ÆØÅ",
    "\r\n",
    "\t",
    '"',
    ";",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n%x",
    "x" * 5000,
    "NULL",
    "None",
    "true",
]
ODD_NUMBERS = [
    "1e400",
    "-1e400",
    "1E5",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "-0",
    "+5",
    "9" * 400,
    "0." + "0" * 200 + "1",
    "1,23456",
    "3,14159265358979",
    "0,00001",
    "99999999999999,9999",
    "100000000000000",
    "1.050,5",
    "1,050.5",
    "1.050",
    "12,5 %",
    "50%",
    "6 800 000",
    "٣",  # an Arabic-Indic digit
    "½",
    "1_000",
    "0x10",
    "--1",
    ",",
    ".",
    "%",
]
ODD_DATES = [
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "2024-02-30",
    "31-02-2024",
    "2024-13-01",
    "1.1.1",
    "01/01/2026",
    "2026-01-01T00:00:00",
    "2026-W01",
    "i går",
    "2100-01-01",
]

odd_text = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), max_size=30),
    # Around the usual column limits (100, 255, 300 characters).
    st.integers(90, 400).map(lambda n: "å" * n),
    st.text(max_size=10).map(lambda t: f"{t}\x00{t}"),
)
huge_integers = st.integers(min_value=-(10**40), max_value=10**40)
odd_number_text = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    huge_integers.map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.decimals(min_value=-1000, max_value=1000, places=6).map(lambda d: str(d).replace(".", ",")),
)
odd_date_text = st.one_of(
    st.sampled_from(ODD_DATES),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
)
# What a cell of an XLSX file may hold: typed values, not only text.
typed_cell = st.one_of(
    st.none(),
    odd_text,
    huge_integers,
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1)),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
    ),
)
any_value = st.one_of(odd_text, odd_number_text, odd_date_text, huge_integers.map(str))


def csv_bytes(header: list[str], rows: list[list], *, delimiter=";", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding, errors="replace")


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        if isinstance(value, str):
            # openpyxl itself refuses control characters: a real workbook cannot hold them.
            return ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
            return str(value)  # Excel keeps 15 digits; a longer number is text in a real file
        return value

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@st.composite
def spreadsheet(draw, header: list[str], row_strategy) -> tuple[str, bytes]:
    """(file name, content) of a CSV (several encodings and delimiters) or XLSX file."""
    rows = draw(st.lists(row_strategy, min_size=0, max_size=6))
    kind = draw(st.sampled_from(["csv;", "csv,", "csv-bom", "cp1252", "xlsx"]))
    if kind == "xlsx":
        return "data.xlsx", xlsx_bytes(header, rows)
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    if kind == "csv,":
        return "data.csv", csv_bytes(header, text_rows, delimiter=",")
    if kind == "csv-bom":
        return "data.csv", b"\xef\xbb\xbf" + csv_bytes(header, text_rows)
    if kind == "cp1252":
        return "data.csv", csv_bytes(header, text_rows, encoding="cp1252")
    return "data.csv", csv_bytes(header, text_rows)


@contextmanager
def rolled_back():
    """Each example starts from the same database: everything it wrote is rolled back."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)
