"""Keeps the import/export benchmark runnable: the smoke scale exports and imports a few thousand
rows in forked processes and reports every figure with its budget."""

import pytest

from bench import bench_exchange

# PostgreSQL: the import/export benchmark writes through the test database.
pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_exchange_benchmark_smoke_reports_throughput_ratio_and_memory(monkeypatch):
    monkeypatch.setattr(bench_exchange, "FORK", False)
    results = {r.name: r for r in bench_exchange.collect("smoke")}
    for label in ("CSV", "XLSX"):
        ratio = results[f"export throughput vs bare writer ({label})"]
        assert ratio.budget == "≥ 0.5×" and ratio.value > 0
        assert results[f"export 2,000 rows as {label}"].value > 0
    assert results["import 1,000 rows, dry run"].value > 0
    apply = results["import 1,000 rows, apply (history and audit included)"]
    assert apply.value > 0 and apply.ok is None  # the 60 s budget is for the full 50,000 rows
    memory = results["peak memory, largest of the operations"]
    assert memory.budget == "< 500 MB" and memory.value > 0
