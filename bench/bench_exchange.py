"""Import and export throughput and peak memory (issue: analysts' import and export).

Export: 100,000 measurement rows through the measurements resource and the project's writers (CSV
for Danish Excel, XLSX), against writing the same rows from the same query with the bare writer
(``csv.writer``; openpyxl write-only). Budget: at least half the bare writer's throughput.

Import: 50,000 measurement rows (a CSV file, as ``manage.py import_data measurements`` reads it):
the dry run, then the apply through the measurement service with every check, history and audit
entry, on SQLite and on PostgreSQL side by side (PostgreSQL: the database ``BENCH_POSTGRES_URL``
names, a throwaway cluster ``./dev bench`` starts), each next to its floor: the same rows written
with a bare ``bulk_create`` (no checks, no audit). Budgets: the apply at least 3,000 rows/s on each
database; peak memory under 500 MB.

Each operation runs in a forked child process on a throwaway database (a SQLite file, or test_* on
the PostgreSQL server), so its peak resident memory (``ru_maxrss``, the whole process: Python,
Django and the data) is its own.
"""

from __future__ import annotations

import csv
import datetime
import io
import multiprocessing
import os
import resource
import time
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import connection, connections, transaction

from bench.core import POSTGRES_URL, Result, on_database, throwaway_database

if TYPE_CHECKING:
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

GROUP = (
    "Import and export (measurements; forked process per operation; "
    "export on SQLite, import on SQLite and PostgreSQL)"
)
# scale → (rows to export, rows to import)
SCALES = {"full": (100_000, 50_000), "smoke": (2_000, 1_000)}
INDICATORS = 20
RATIO_BUDGET = 0.5
APPLY_BUDGET_ROWS_S = 3_000
MEMORY_BUDGET_MB = 500.0
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
FLOOR_BATCH = 2_000
PLAN_TITLE = "Benchmarkplan (syntetisk)"
FORK = True  # the smoke test turns it off: its data is in an uncommitted transaction


# Data ---------------------------------------------------------------------------------------------
def setup(export_rows: int):
    """A municipality with an HR officer, a plan with indicators and ``export_rows`` measurements
    (bulk-created: setting up is not what is measured)."""
    from employment_plan.models import EmploymentPlan, FocusArea, Indicator, Measurement
    from organizations.models import Membership, Municipality, Role, User

    municipality = Municipality.objects.create(code=999, name="Benchmark", slug="benchmark")
    user = User.objects.create_user("bench-hr", password=None)
    Membership.objects.create(user=user, municipality=municipality, role=Role.HR_OFFICER)
    plan = EmploymentPlan.objects.create(
        municipality=municipality,
        title=PLAN_TITLE,
        period_start=datetime.date(1900, 1, 1),
        period_end=datetime.date(2099, 12, 31),
    )
    area = FocusArea.objects.create(plan=plan, number=1, title="Benchmark")
    indicators = [
        Indicator.objects.create(
            plan=plan,
            focus_area=area,
            code=f"9.{n}",
            position=n,
            title=f"Indikator {n}",
            unit="count",
            direction="higher",
            target_kind="absolute",
            target_value=Decimal(100),
            target_operator=">=",
        )
        for n in range(1, INDICATORS + 1)
    ]
    start = datetime.date(1950, 1, 1)
    per_indicator = export_rows // INDICATORS
    batch = []
    for indicator in indicators:
        for day in range(per_indicator):
            batch.append(
                Measurement(
                    indicator=indicator,
                    date=start + datetime.timedelta(days=day),
                    value=Decimal(day % 1000) / 4,
                    provisional=day % 7 == 0,
                    data_source="Jobindsats.dk",
                    comment="-" if day % 97 == 0 else "",
                )
            )
        Measurement.objects.bulk_create(batch, batch_size=5000)
        batch.clear()
    return municipality, plan, user


def import_values(rows: int):
    """The ``rows`` new values the import brings (dates after the exported ones): (indicator code,
    date, value, provisional, source) each."""
    start = datetime.date(2030, 1, 1)
    per_indicator = rows // INDICATORS
    for n in range(1, INDICATORS + 1):
        for day in range(per_indicator):
            value = Decimal(day % 500) + Decimal("0.5")
            yield f"9.{n}", start + datetime.timedelta(days=day), value, False, "HR-system"


def import_file(rows: int) -> bytes:
    """The values of ``import_values`` as a Danish Excel CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["plan", "indikator", "dato", "værdi", "foreløbig", "kilde"])
    for code, day, value, provisional, source in import_values(rows):
        writer.writerow(
            [
                PLAN_TITLE,
                code,
                day.isoformat(),
                str(value).replace(".", ","),
                "ja" if provisional else "nej",
                source,
            ]
        )
    return buffer.getvalue().encode("utf-8")


# Operations (run in a child) -----------------------------------------------------------------------
def _queryset(municipality_id):
    from employment_plan.models import Measurement
    from employment_plan.resources import current_measurements

    return current_measurements(
        Measurement.objects.filter(indicator__plan__municipality_id=municipality_id)
    ).order_by("indicator__plan", "indicator__position", "date")


def export_csv(municipality_id, _args):
    from core.writers import excel_dialect, write_csv
    from employment_plan.resources import MeasurementResource

    resource_ = MeasurementResource()
    out = io.StringIO()
    rows = resource_.rows(_queryset(municipality_id))
    write_csv(out, resource_.headers(), rows, excel_dialect())
    return out.getvalue().count("\n") - 1


def bare_csv(municipality_id, _args):
    from employment_plan.resources import MeasurementResource

    resource_ = MeasurementResource()
    paths = [f.attribute for f in resource_.get_export_fields()]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(resource_.keys())
    writer.writerows(_queryset(municipality_id).values_list(*paths).iterator(chunk_size=2000))
    return out.getvalue().count("\n") - 1


def export_xlsx(municipality_id, _args):
    from core.writers import write_xlsx
    from employment_plan.resources import MeasurementResource

    resource_ = MeasurementResource()
    out = io.BytesIO()
    counted = []

    def rows():
        for row in resource_.rows(_queryset(municipality_id)):
            counted.append(1)
            yield row

    write_xlsx(out, [("Målinger", resource_.headers(), rows())])
    return len(counted)


def bare_xlsx(municipality_id, _args):
    from openpyxl import Workbook

    from employment_plan.resources import MeasurementResource

    resource_ = MeasurementResource()
    paths = [f.attribute for f in resource_.get_export_fields()]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Målinger")
    sheet.append(resource_.keys())
    count = 0
    for row in _queryset(municipality_id).values_list(*paths).iterator(chunk_size=2000):
        sheet.append(row)
        count += 1
    workbook.save(io.BytesIO())
    return count


def import_measurements(municipality_id, args):
    """The one call into the import pipeline (core.importing), as the admin's job and
    ``import_data`` run it: the dry run is the check; the apply checks every row again and writes
    them through ``services.measurements_record_many`` with their audit entries, in one
    transaction."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core import importing as pipeline
    from employment_plan.importing import SUBJECT
    from employment_plan.models import EmploymentPlan
    from organizations.models import User

    content, dry_run = args
    plan = EmploymentPlan.objects.get(municipality_id=municipality_id)
    user = User.objects.get(username="bench-hr")
    table = pipeline.read(
        SimpleUploadedFile("import.csv", content), max_rows=10_000_000, max_bytes=1024**3
    )
    run = pipeline.check if dry_run else pipeline.apply
    result = run(SUBJECT, table, user=user, options={"plan": plan})
    preview = result[0] if isinstance(result, tuple) else result
    if not preview.ok:
        raise RuntimeError(preview.errors[:5])
    return len(table.rows) if dry_run else preview.count("new")


def bulk_create_floor(municipality_id, rows):
    """The import's rows written with a bare ``bulk_create``: no checks, history or audit entries;
    what the apply cannot beat."""
    from employment_plan.models import Indicator, Measurement
    from organizations.models import User

    indicators = {
        i.code: i for i in Indicator.objects.filter(plan__municipality_id=municipality_id)
    }
    user = User.objects.get(username="bench-hr")
    with transaction.atomic():
        created = Measurement.objects.bulk_create(
            (
                Measurement(
                    indicator=indicators[code],
                    date=day,
                    value=value,
                    provisional=provisional,
                    data_source=source,
                    entered_by=user,
                )
                for code, day, value, provisional, source in import_values(rows)
            ),
            batch_size=FLOOR_BATCH,
        )
    return len(created)


def _child(operation, municipality_id, args, pipe):
    try:
        start = time.perf_counter()
        rows = operation(municipality_id, args)
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        pipe.send((rows, seconds, peak_mb, None))
    except Exception as exc:  # reported to the parent, which fails the benchmark
        pipe.send((0, 0.0, 0.0, repr(exc)))
    finally:
        pipe.close()
        connections.close_all()


def in_child(operation, municipality_id, args=None) -> tuple[int, float, float]:
    """(rows, seconds, peak resident MB) of ``operation`` run in a forked process.

    An in-memory SQLite database cannot be shared with a child, and the test suite's data lives in
    its own transaction: there (or with ``FORK`` off) the operation runs in this process, and the
    peak is this process's."""
    if not FORK or (
        connection.vendor == "sqlite" and cast("SQLiteWrapper", connection).is_in_memory_db()
    ):
        start = time.perf_counter()
        rows = operation(municipality_id, args)
        seconds = time.perf_counter() - start
        return rows, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    connections.close_all()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(operation, municipality_id, args, send))
    process.start()
    rows, seconds, peak, error = receive.recv()
    process.join()
    if error:
        raise RuntimeError(f"{operation.__name__}: {error}")
    return rows, seconds, peak


# The benchmark ----------------------------------------------------------------------------------
def collect(scale: str, *, export: bool = True) -> list[Result]:
    """The export (unless ``export`` is off) and the import on the default database."""
    export_rows, import_rows = SCALES[scale]
    municipality, _plan, _user = setup(export_rows if export else 0)
    results = collect_export(municipality, export_rows) if export else []
    return results + collect_import(municipality, import_rows, scale)


def collect_export(municipality, export_rows: int) -> list[Result]:
    results = []
    for label, ours, bare in (("CSV", export_csv, bare_csv), ("XLSX", export_xlsx, bare_xlsx)):
        n_bare, s_bare, _peak_bare = min(
            (in_child(bare, municipality.pk) for _ in range(2)), key=lambda r: r[1]
        )
        n_ours, s_ours, peak = min(
            (in_child(ours, municipality.pk) for _ in range(2)), key=lambda r: r[1]
        )
        assert n_ours == n_bare == export_rows, (n_ours, n_bare)
        ratio = (n_ours / s_ours) / (n_bare / s_bare)
        results += [
            Result(GROUP, f"export {n_ours:,} rows as {label}", round(n_ours / s_ours), "rows/s"),
            Result(
                GROUP,
                f"bare writer, same query ({label})",
                round(n_bare / s_bare),
                "rows/s",
                note="csv.writer" if label == "CSV" else "openpyxl write-only",
            ),
            Result(
                GROUP,
                f"export throughput vs bare writer ({label})",
                round(ratio, 2),
                "×",
                f"≥ {RATIO_BUDGET}×",
                ratio >= RATIO_BUDGET,
            ),
            _memory(f"export peak memory ({label})", peak),
        ]
    return results


def collect_import(municipality, import_rows: int, scale: str) -> list[Result]:
    """Dry run, apply and the floor, in that order (the floor's rows come after the apply's)."""
    database = DATABASES[connection.vendor]
    content = import_file(import_rows)
    n_dry, s_dry, peak_dry = in_child(import_measurements, municipality.pk, (content, True))
    n_apply, s_apply, peak_apply = in_child(import_measurements, municipality.pk, (content, False))
    n_floor, s_floor, _peak_floor = in_child(bulk_create_floor, municipality.pk, import_rows)
    assert n_dry == n_apply == n_floor == import_rows, (n_dry, n_apply, n_floor)
    apply_rate, floor_rate = n_apply / s_apply, n_floor / s_floor
    full = scale == "full"  # the budget is for 50,000 rows
    return [
        Result(
            GROUP, f"{database}: import {n_dry:,} rows, dry run", round(n_dry / s_dry), "rows/s"
        ),
        Result(
            GROUP,
            f"{database}: import {n_apply:,} rows, apply (checks, history and audit included)",
            round(apply_rate),
            "rows/s",
            f"≥ {APPLY_BUDGET_ROWS_S:,} rows/s" if full else "",
            (apply_rate >= APPLY_BUDGET_ROWS_S) if full else None,
            note=f"{s_apply:.1f} s, {apply_rate / floor_rate:.0%} of the floor",
        ),
        Result(
            GROUP,
            f"{database}: floor, bulk_create of the same {n_floor:,} rows (no checks, no audit)",
            round(floor_rate),
            "rows/s",
        ),
        _memory(f"{database}: import peak memory (dry run, apply)", max(peak_dry, peak_apply)),
    ]


def _memory(name: str, peak_mb: float) -> Result:
    return Result(
        GROUP, name, round(peak_mb), "MB", f"< {MEMORY_BUDGET_MB:g} MB", peak_mb < MEMORY_BUDGET_MB
    )


def run(scale: str) -> list[Result]:
    with throwaway_database("exchange"):
        results = collect(scale)
    if not os.environ.get(POSTGRES_URL):
        print(f"  PostgreSQL: not measured ({POSTGRES_URL} is not set; ./dev bench sets it)")
        return results
    with on_database(POSTGRES_URL), throwaway_database("exchange"):
        return results + collect(scale, export=False)
