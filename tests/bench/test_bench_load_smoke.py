"""Keeps the load benchmark runnable: gunicorn on loopback, two logged-in users for one second,
every request answered with a page (no errors) and the figures reported."""

import pytest

from bench import bench_load


# django_db: the server's database starts from a copy of the test run's own, migrated once per
# test process (tests/conftest.py), instead of running the migrations a second time.
@pytest.mark.long
@pytest.mark.django_db
def test_load_benchmark_smoke_serves_every_request_without_errors(migrated_database_file):
    results = {r.name: r for r in bench_load.run("smoke", migrated=migrated_database_file)}
    assert results["requests"].value > 0
    assert results["throughput"].value > 0 and results["throughput"].unit == "requests/s"
    p50, p95, p99 = (results[f"latency {p}"].value for p in ("p50", "p95", "p99"))
    assert 0 < p50 <= p95 <= p99
    assert results["errors"].value == 0 and results["errors"].ok
