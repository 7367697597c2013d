"""Keeps the load benchmark runnable: gunicorn on loopback, two logged-in users for three seconds,
every request answered with a page (no errors) and the figures reported."""

from bench import bench_load


def test_load_benchmark_smoke_serves_every_request_without_errors():
    results = {r.name: r for r in bench_load.run("smoke")}
    assert results["requests"].value > 0
    assert results["throughput"].value > 0 and results["throughput"].unit == "requests/s"
    p50, p95, p99 = (results[f"latency {p}"].value for p in ("p50", "p95", "p99"))
    assert 0 < p50 <= p95 <= p99
    assert results["errors"].value == 0 and results["errors"].ok
