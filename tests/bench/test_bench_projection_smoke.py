"""Keeps the projection benchmark runnable: the smoke scale runs in a moment and reports its budgets."""

from bench import bench_projection


def test_projection_benchmark_smoke_reports_time_ratio_and_agreement():
    results = {r.name: r for r in bench_projection.run("smoke")}
    engine = results["engine, median of 5 runs"]
    ratio = results["speed-up over the loop"]
    assert engine.budget == "< 1 s" and engine.ok
    assert ratio.budget == "≥ 20×" and ratio.value > 0
    assert results["largest difference loop vs engine"].ok
    assert results["result rows"].value == 3 * 4 * 6 * 10
