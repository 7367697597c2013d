"""The one bulk insert (core.bulk): the rows it stores are the rows ``bulk_create`` stores, each
instance gets the key of its own row, across statement boundaries, on both databases, and on
PostgreSQL by COPY (a batch of ``COPY_FROM`` rows or more) as by INSERT."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from core import bulk
from core.bulk import insert_columns, insert_new, insert_rows
from employment_plan.models import Measurement

pytestmark = [pytest.mark.postgres, pytest.mark.sqlite, pytest.mark.django_db]

D = datetime.date
STAMPS = ("created_at", "updated_at")
# Text the COPY format must escape, and text it must not touch.
AWKWARD = "æøå «citat»\tmed tab\nny linje\r\\N og \\ bagstreg; \"x\", '1'"


@pytest.fixture(autouse=True, params=["insert", "copy"])
def way(request, monkeypatch):
    """Every test both ways: COPY from the first row, or never (SQLite always inserts)."""
    monkeypatch.setattr(bulk, "COPY_FROM", 1 if request.param == "copy" else 10**9)
    return request.param


def measurements(indicator, user, count, *, first_day=None):
    first_day = first_day or D(2025, 1, 1)
    return [
        Measurement(
            indicator=indicator,
            date=first_day + datetime.timedelta(days=n),
            value=Decimal(n) / 8 if n != 7 else Decimal("1E+3"),
            provisional=n % 3 == 0,
            data_source="Jobindsats.dk" if n % 2 else "",
            comment=AWKWARD if n % 5 == 0 else "",
            period_label=f"Q{1 + n % 4}",
            entered_by=user if n % 2 else None,
        )
        for n in range(count)
    ]


def stored(queryset):
    """Each row as the database holds it, without its key and time stamps."""
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in ("id", *STAMPS)}
        for row in queryset.order_by("date")
    ]


def test_the_rows_are_those_bulk_create_stores(relative_indicator, hr_officer):
    """Values of every kind (decimals, dates, booleans, empty and non-Latin text, foreign keys and
    none) arrive as bulk_create sends them; the time stamps are filled in."""
    ours = insert_new(measurements(relative_indicator, hr_officer, 30), using="default")
    theirs = Measurement.objects.bulk_create(
        measurements(relative_indicator, hr_officer, 30, first_day=D(2026, 1, 1))
    )
    ours_stored = stored(Measurement.objects.filter(pk__in=[m.pk for m in ours]))
    theirs_stored = stored(Measurement.objects.filter(pk__in=[m.pk for m in theirs]))
    for row in ours_stored + theirs_stored:
        row["date"] = row["date"].replace(year=2000)
    assert ours_stored == theirs_stored
    assert all(m.created_at and m.updated_at for m in ours)


def test_each_instance_gets_the_key_of_its_own_row_across_statements(
    relative_indicator, hr_officer
):
    """More rows than one statement takes (a batch of 7): every instance's key reads back its own
    date and value, and the instances are saved ones."""
    made = measurements(relative_indicator, hr_officer, 40)
    with CaptureQueriesContext(connection) as queries:
        insert_new(made, using="default", batch_size=7)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "COPY"))]
    assert len(inserts) == 6  # 40 rows, 7 a statement
    by_key = {
        m.pk: (m.date, m.value) for m in Measurement.objects.filter(indicator=relative_indicator)
    }
    assert {m.pk: (m.date, m.value) for m in made} == by_key
    assert all(not m._state.adding and m._state.db == "default" for m in made)


def test_one_time_stamp_for_the_rows_of_one_call(relative_indicator, hr_officer):
    made = insert_new(measurements(relative_indicator, hr_officer, 5), using="default")
    assert len({m.created_at for m in Measurement.objects.filter(pk__in=[m.pk for m in made])}) == 1


def test_rows_given_as_values_need_every_column_in_order(allerod):
    columns = insert_columns(AuditEntry)
    now = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)
    values = {
        "time": now,
        "actor_id": None,
        "actor_name": "",
        "ip_address": "192.0.2.7",
        "municipality_id": allerod.pk,
        "action": "create",
        "model_label": "x.y",
        "object_id": "1",
        "object_repr": AWKWARD,
        "changes": {"value": [None, Decimal("1.5")], "tom": {}, "tekst": [AWKWARD, None]},
    }
    keys = insert_rows(AuditEntry, columns, [[values[c] for c in columns]] * 3, 3, using="default")
    assert len(set(keys)) == 3
    entry = AuditEntry.objects.get(pk=keys[1])
    assert (entry.object_repr, entry.changes, entry.time, entry.ip_address) == (
        AWKWARD,
        {"value": [None, "1.5"], "tom": {}, "tekst": [AWKWARD, None]},
        now,
        "192.0.2.7",
    )
    with pytest.raises(AssertionError):
        insert_rows(AuditEntry, list(reversed(columns)), [], 0, using="default")


def test_copy_is_the_way_on_postgresql_from_copy_from_rows(way, relative_indicator, hr_officer):
    with CaptureQueriesContext(connection) as queries:
        insert_new(measurements(relative_indicator, hr_officer, 3), using="default")
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    copies = way == "copy" and connection.vendor == "postgresql"
    assert statements == (["SELECT", "COPY"] if copies else ["INSERT"])


def test_a_value_copy_cannot_write_sends_its_batch_the_insert_way(
    way, relative_indicator, hr_officer, monkeypatch
):
    """A kind of value the COPY text does not know (here: decimals, taken out of its table) is
    written by INSERT, and the rows are the same."""
    if connection.vendor == "postgresql":
        known = dict(bulk._copy_text_of() or {})
        del known[Decimal]
        monkeypatch.setattr(bulk, "_copy_text_of", lambda: known)
    with CaptureQueriesContext(connection) as queries:
        made = insert_new(measurements(relative_indicator, hr_officer, 4), using="default")
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert sorted(Measurement.objects.values_list("value", flat=True)) == sorted(
        m.value for m in made
    )


def test_a_row_the_database_refuses_raises_djangos_error_and_writes_nothing(
    relative_indicator, hr_officer
):
    """Both ways: the import's all-or-nothing rests on the error reaching its transaction as
    Django's IntegrityError (a COPY through the raw cursor would raise the driver's own)."""
    made = measurements(relative_indicator, hr_officer, 5)
    made[3].value = None  # NOT NULL
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(made, using="default")
    assert not Measurement.objects.exists()


def test_new_rows_only(relative_indicator, hr_officer):
    made = measurements(relative_indicator, hr_officer, 2)
    made[1].pk = 99_999
    with pytest.raises(AssertionError):
        insert_new(made, using="default")
    assert not Measurement.objects.exists()


def test_a_model_it_does_not_cover_goes_through_bulk_create():
    """Sessions (a key the caller chooses): inserted all the same, by bulk_create."""
    expiry = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    made = [Session(session_key=f"k{n}", session_data="x", expire_date=expiry) for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        insert_new(made, using="default")
    assert Session.objects.filter(session_key__in=["k0", "k1", "k2"]).count() == 3
    assert len(queries.captured_queries) == 1
