"""One data generation per municipality: the version every dashboard cache is keyed on.

``Municipality.data_generation`` is raised with ``UPDATE … SET data_generation = data_generation + 1``
in the same transaction as the write it stands for, so a reader sees the new generation exactly when
it sees the new data: a figure cached under a generation is never older than that generation's last
committed write. The audit log's ``record()`` (audit.signals) calls :func:`municipality_bump_generation`
for every audited write; bulk paths that bypass signals (``bulk_create``, ``QuerySet.update()``, raw
SQL) call it themselves. Rows shared by every municipality (cross-municipal reports, statuses,
professions) raise every municipality's generation, since they all show them.

A transaction raises a municipality's generation once, however many rows it writes there: the rows
become visible together at commit, so one step is enough, and a row updated thousands of times in one
transaction is slow on PostgreSQL (every update leaves a row version the next one has to walk past).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar, cast

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F

from .models import Municipality

_T = TypeVar("_T")
# Django's queued on-commit callbacks: (savepoint ids, callback, robust). django-stubs still
# declares the pairs Django had before 4.2.
OnCommitQueue = list[tuple[set[str], Callable[[], None], bool]]


class _Bumped:
    """A no-op on-commit callback that marks "these generations are raised in this transaction".

    Django drops queued callbacks when a savepoint around them rolls back and clears the queue at
    commit and rollback, so while the marker is queued, the bump it names is part of the open
    transaction (and would be committed with it)."""

    __slots__ = ("ids", "token")

    def __init__(self, token: str, ids: set[int] | None) -> None:
        self.token = token
        self.ids = ids  # None: every municipality

    def __call__(self) -> None:
        pass


def _transaction_token(connection: BaseDatabaseWrapper) -> str | None:
    """What identifies the open transaction of a write, or None when every write must bump.

    Outside ``atomic`` each statement commits on its own. Under a test case (pytest-django, Django's
    TestCase) the whole test is one transaction that is never committed; there the outermost block
    the code itself opened stands for the transaction, as it does in production."""
    if not connection.in_atomic_block:
        return None
    blocks = connection.atomic_blocks
    index = next(
        (i for i, block in enumerate(blocks) if not getattr(block, "_from_testcase", False)), None
    )
    if index is None:
        return None
    # The outermost block opens the transaction and has no savepoint; each one inside has one.
    offset = len(blocks) - len(connection.savepoint_ids)
    if index < offset:
        return "transaction"
    return connection.savepoint_ids[index - offset]  # None (savepoint=False): never reused


def _raised(connection: BaseDatabaseWrapper, token: str) -> tuple[set[int], bool]:
    ids: set[int] = set()
    for _sids, func, _robust in cast(OnCommitQueue, connection.run_on_commit):
        if isinstance(func, _Bumped) and func.token == token:
            if func.ids is None:
                return ids, True
            ids |= func.ids
    return ids, False


def municipality_bump_generation(
    *, municipality_ids: Iterable[int | None] | None, using: str = "default"
) -> None:
    """Raise the data generation of ``municipality_ids`` (None: every municipality) by one, in the
    current transaction, unless this transaction has raised it already."""
    connection = connections[using]
    ids = None if municipality_ids is None else {i for i in municipality_ids if i is not None}
    if ids is not None and not ids:
        return
    token = _transaction_token(connection)
    if token is not None:
        done, all_done = _raised(connection, token)
        if all_done:
            return
        if ids is not None:
            ids -= done
            if not ids:
                return
    rows = Municipality.objects.using(using)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    rows.update(data_generation=F("data_generation") + 1)
    if token is not None:
        connection.on_commit(_Bumped(token, ids))


def municipality_generation(municipality: Municipality | int, using: str = "default") -> int:
    """The municipality's generation as committed now (read from the database, not the instance:
    the instance on a request was loaded before the request's own writes)."""
    pk = getattr(municipality, "pk", municipality)
    found = (
        Municipality.objects.using(using)
        .filter(pk=pk)
        .values_list("data_generation", flat=True)
        .first()
    )
    return found or 0


# Derived figures cached on the generation never go stale while it holds; the timeout only bounds
# what the key cannot see (the day is in the keys that depend on it) and the cache's size.
CACHE_SECONDS = 60 * 10


def cached_for_municipality(
    namespace: str,
    municipality: Municipality | int,
    parts: object,
    compute: Callable[[], _T],
    *,
    generation: int | None = None,
    timeout: int = CACHE_SECONDS,
) -> _T:
    """``compute()``, from the cache while the municipality's generation and ``parts`` (what else
    the figure depends on: the day, the visitor's access, the thresholds …) are unchanged.
    ``generation``: the generation the caller has just read (one read for a page's several caches);
    otherwise it is read here."""
    from django.core.cache import cache

    from core.charts import cache_key

    pk = getattr(municipality, "pk", municipality)
    if generation is None:
        generation = municipality_generation(pk)
    key = cache_key(namespace, (pk, generation, parts))
    # The cache holds what ``compute`` returned; its types cannot know that.
    return cast(_T, cache.get_or_set(key, compute, timeout))
