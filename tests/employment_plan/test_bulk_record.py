"""Recording many measurements at once (``measurements_record_many``, the import's apply) leaves the
database as recording them one by one does: the same rows, audit entries, generation and baselines,
in a number of statements that does not grow with the rows within a batch."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from audit.request import in_request
from employment_plan import services
from employment_plan.models import Indicator, Measurement
from organizations.generation import municipality_generation

# Both databases: bulk inserts return the new keys differently (RETURNING on both, in batches sized
# by each database's parameter limit), and the audit entries need them.
pytestmark = [pytest.mark.postgres, pytest.mark.sqlite]

D = datetime.date
# What differs between two runs of the same writes: keys and times.
VOLATILE = {"id", "created_at", "updated_at", "time", "object_id"}


def items_for(relative_indicator, percent_indicator, count=8):
    """Values in the baseline year 2025 (a final one, then a provisional later one) and in 2026."""
    items = []
    for n in range(count):
        indicator = relative_indicator if n % 2 else percent_indicator
        items.append(
            {
                "indicator": indicator,
                "date": D(2025 + n % 3 // 2, 1 + n % 12, 28),
                "value": Decimal(f"{40 + n}.5"),
                "provisional": n % 4 == 3,
                "source": "HR-system" if n % 3 else "",
                "comment": "halvår" if n == 5 else "",
                "period_label": f"Q{1 + n % 4}" if n % 2 else "",
            }
        )
    return items


def row_by_row(items, acting_user):
    """What the import did before: each row saved, then each touched indicator's baseline."""
    touched = {}
    for item in items:
        services.measurement_record_nonatomic(**item, acting_user=acting_user, checked=True)
        touched[item["indicator"].pk] = item["indicator"]
    for indicator in touched.values():
        services.indicator_refresh_baseline(indicator=indicator, acting_user=acting_user)


def in_bulk(items, acting_user):
    services.measurements_record_many(items=items, acting_user=acting_user)


class _RolledBack(Exception):
    pass


def written_by(record, items, acting_user, municipality):
    """What ``record`` writes in a transaction of its own, which is then rolled back (so the other
    way of writing starts from the same state): rows, entries, indicators, generation step, queries."""
    indicator_ids = {item["indicator"].pk for item in items}
    before = municipality_generation(municipality)
    first_entry = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    # Fresh instances, as each import reads them: nothing cached from the other run.
    fresh = {i.pk: i for i in Indicator.objects.filter(pk__in=indicator_ids).select_related("plan")}
    items = [{**item, "indicator": fresh[item["indicator"].pk]} for item in items]
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                record(items, acting_user)
            measurements = list(
                Measurement.objects.filter(indicator__in=indicator_ids).order_by("id").values()
            )
            entries = list(AuditEntry.objects.filter(id__gt=first_entry).order_by("id").values())
            state = {
                "measurements": measurements,
                "entries": entries,
                "indicators": list(
                    Indicator.objects.filter(pk__in=indicator_ids).order_by("pk").values()
                ),
                "generation step": municipality_generation(municipality) - before,
                "queries": [q["sql"] for q in queries.captured_queries],
            }
            raise _RolledBack
    except _RolledBack:
        pass
    assert municipality_generation(municipality) == before
    return state


def without_volatile(rows):
    return [
        {
            key: (
                {k: v for k, v in value.items() if k != "created_at"} if key == "changes" else value
            )
            for key, value in row.items()
            if key not in VOLATILE
        }
        for row in rows
    ]


@pytest.mark.parametrize("through_request", [False, True], ids=["command", "request"])
def test_bulk_writes_what_row_by_row_writes(
    relative_indicator, percent_indicator, hr_officer, allerod, through_request
):
    items = items_for(relative_indicator, percent_indicator)
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    request.user = hr_officer
    with in_request(request if through_request else None):
        one_by_one = written_by(row_by_row, items, hr_officer, allerod)
        bulk = written_by(in_bulk, items, hr_officer, allerod)

    assert len(bulk["measurements"]) == len(items)
    assert without_volatile(bulk["measurements"]) == without_volatile(one_by_one["measurements"])
    assert {m["entered_by_id"] for m in bulk["measurements"]} == {hr_officer.pk}
    assert {m["version"] for m in bulk["measurements"]} == {0}

    # An entry per row, then the baseline's update of the relative indicator.
    assert without_volatile(bulk["entries"]) == without_volatile(one_by_one["entries"])
    created = [e for e in bulk["entries"] if e["action"] == "create"]
    assert [e["object_id"] for e in created] == [str(m["id"]) for m in bulk["measurements"]]
    assert all(e["changes"]["created_at"][1] for e in created)
    assert {(e["actor_id"], e["actor_name"], e["municipality_id"]) for e in bulk["entries"]} == {
        (hr_officer.pk, hr_officer.username, allerod.pk)
    }
    address = "192.0.2.7" if through_request else None
    assert {e["ip_address"] for e in bulk["entries"]} == {address}
    assert [e["model_label"] for e in bulk["entries"][len(items) :]] == [
        "employment_plan.indicator"
    ]

    assert without_volatile(bulk["indicators"]) == without_volatile(one_by_one["indicators"])
    refreshed = next(i for i in bulk["indicators"] if i["id"] == relative_indicator.pk)
    assert not refreshed["awaiting_baseline"]
    assert refreshed["baseline_date"].year == 2025 and refreshed["baseline_value"] is not None

    assert bulk["generation step"] == one_by_one["generation step"] == 1
    assert len(bulk["queries"]) < len(one_by_one["queries"])


def test_bulk_statements_do_not_grow_with_the_rows(
    relative_indicator, percent_indicator, hr_officer, allerod
):
    few = written_by(in_bulk, items_for(relative_indicator, percent_indicator, 8), None, allerod)
    # 40 rows: still one INSERT each for rows and entries on SQLite (999 parameters a statement).
    many = written_by(in_bulk, items_for(relative_indicator, percent_indicator, 40), None, allerod)
    assert len(many["measurements"]) == 40
    for written in (few, many):
        inserts = [q.split('"')[1] for q in written["queries"] if q.startswith("INSERT")]
        # The rows, their entries, and the entry of the one baseline that moved.
        assert inserts == ["employment_plan_measurement", "audit_auditentry", "audit_auditentry"]
    # The rest is the baseline's refresh: a fixed number per indicator, whatever the rows.
    assert len(many["queries"]) == len(few["queries"])


def test_batches_report_progress(relative_indicator, percent_indicator, monkeypatch):
    monkeypatch.setattr(services, "RECORD_MANY_BATCH", 3)
    done: list[int] = []
    with transaction.atomic():
        saved = services.measurements_record_many(
            items=items_for(relative_indicator, percent_indicator),
            acting_user=None,
            on_progress=done.append,
        )
    assert done == [3, 6, 8]
    assert all(m.pk for m in saved) and len({m.pk for m in saved}) == 8
    assert AuditEntry.objects.filter(model_label="employment_plan.measurement").count() == 8


def test_refuses_to_run_outside_a_transaction(relative_indicator, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(transaction.get_connection(), "in_atomic_block", False)
        with pytest.raises(AssertionError, match="transaction"):
            services.measurements_record_many(items=[], acting_user=None)
