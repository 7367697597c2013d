"""Saves made four at a time on PostgreSQL, with the production cache (the database cache): each
raises the municipality's data generation exactly once, none touches the cache table (the old
counter lost counts to its read-then-write and left a "duplicate key … cache_pkey" error in the
server log on every save), and the front page read right after a save is never older than the
saves committed before it was read."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings

from dashboards import selectors
from organizations.generation import municipality_generation
from recommendations import services
from recommendations.models import Recommendation
from tests.factories import RecommendationFactory, ReportFactory, status

pytestmark = pytest.mark.postgres

CACHE_TABLE = "generation_test_cache"
DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        "TIMEOUT": 3600,
    }
}
SAVES = 120
AT_A_TIME = 4


@pytest.fixture
def database_cache(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)
        try:
            yield cache
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {CACHE_TABLE}")


def _done_count(user, municipality) -> int:
    page = selectors.front_page(user, municipality)
    return {s.key: n for s, n in page.status_totals}.get("gennemfoert", 0)


@pytest.mark.long
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_saves_raise_the_generation_once_each_and_never_leave_a_stale_page(
    database_cache, allerod, council_member
):
    report = ReportFactory(municipality=allerod, key="samtidige-gemninger")
    ids = [RecommendationFactory.create(report=report, number=str(n + 1)).pk for n in range(SAVES)]
    done = status("gennemfoert")
    assert _done_count(council_member, allerod) == 0  # the page is in the cache now
    start = municipality_generation(allerod)

    lock = threading.Lock()
    committed = [0]
    cache_sql: list[str] = []
    stale: list[tuple[int, int]] = []

    def watch_cache_table(execute, sql, params, many, context):
        if CACHE_TABLE in sql:
            cache_sql.append(sql)
        return execute(sql, params, many, context)

    def save(pk: int) -> None:
        try:
            with connections["default"].execute_wrapper(watch_cache_table):
                services.recommendation_change_status(
                    recommendation=Recommendation.objects.get(pk=pk),
                    status=done,
                    acting_user=None,
                )
            with lock:
                committed[0] += 1
                at_least = committed[0]
            shown = _done_count(council_member, allerod)
            if shown < at_least:
                with lock:
                    stale.append((at_least, shown))
        finally:
            connections.close_all()  # this worker thread's connection

    with ThreadPoolExecutor(max_workers=AT_A_TIME) as pool:
        list(pool.map(save, ids))

    assert municipality_generation(allerod) == start + SAVES
    assert cache_sql == [], "a save wrote to the cache"
    assert stale == [], "a page older than a committed save was shown"
    assert _done_count(council_member, allerod) == SAVES
