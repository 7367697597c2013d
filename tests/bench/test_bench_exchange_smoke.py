"""Keeps the import/export benchmark runnable: the smoke scale exports and imports a few thousand
rows in forked processes and reports every figure with its budget."""

import pytest
from django.db import connection

from bench import bench_exchange

# PostgreSQL: the import/export benchmark writes through the test database.
pytestmark = pytest.mark.postgres


@pytest.mark.long
@pytest.mark.django_db
def test_exchange_benchmark_smoke_reports_throughput_ratio_and_memory(monkeypatch):
    monkeypatch.setattr(bench_exchange, "FORK", False)
    results = {r.name: r for r in bench_exchange.collect("smoke")}
    for label in ("CSV", "XLSX"):
        ratio = results[f"export throughput vs bare writer ({label})"]
        assert ratio.budget == "≥ 0.5×" and ratio.value > 0
        assert results[f"export 2,000 rows as {label}"].value > 0
        assert results[f"export peak memory ({label})"].budget == "< 500 MB"
    # The import runs on the database under test (./dev bench: SQLite, then PostgreSQL).
    database = bench_exchange.DATABASES[connection.vendor]
    assert results[f"{database}: import 1,000 rows, dry run"].value > 0
    apply = results[f"{database}: import 1,000 rows, apply (checks, history and audit included)"]
    assert apply.value > 0 and apply.ok is None  # the budget is for the full 50,000 rows
    floor = results[f"{database}: floor, bulk_create of the same 1,000 rows (no checks, no audit)"]
    assert floor.value > 0
    memory = results[f"{database}: import peak memory (dry run, apply)"]
    assert memory.budget == "< 500 MB" and memory.value > 0
