"""Keeps the page benchmark runnable: a reduced data set (2 municipalities at scale 0.02 and one at
scale 2), every page type measured at both sizes (the request whose queries are counted is the one
timed), the figures present and the query counts equal."""

import pytest

from bench import bench_pages

# PostgreSQL: query counts at two data sizes on the test database.
pytestmark = pytest.mark.postgres


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(bench_pages.SCALES, "smoke", (2, 0.02, 2.0, 0))


@pytest.mark.long
@pytest.mark.django_db
def test_page_benchmark_smoke_reports_equal_queries_and_every_figure(tiny, client):
    results = bench_pages.collect("smoke")
    by_name = {r.name: r for r in results}
    queries = [r for r in results if r.name.endswith("queries at 100×")]
    times = [r for r in results if r.name.endswith("median at 100×")]
    assert len(queries) == len(times) >= 20
    for name in ("front page", "indicator list", "institutions list", "admin: measurements"):
        assert f"{name}: queries at 100×" in by_name
    # Query counts must not grow with the data (the time budget is for the full-scale run).
    assert all(r.value > 0 for r in queries)
    assert all(r.ok for r in queries), [(r.name, r.value, r.budget) for r in queries if not r.ok]
    assert all(r.value > 0 and r.unit == "ms" for r in times)
    speed_up = by_name["cached chart speed-up"]
    assert speed_up.budget == "≥ 50×" and speed_up.value > 1
