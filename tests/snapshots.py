"""Database states that are expensive to build (``load_seed_data`` takes seconds: it goes through the
services, full_clean and the audit and history signals for every row), built once per test session
and given to each test that asks for one as a fresh copy.

The first test that asks for a state builds it for real inside a savepoint, reads every table before
and after, and rolls the savepoint back; what the build added, changed or removed is kept in memory.
A state that extends another (the seed data with a demo on top) starts its build from that state's
snapshot, so load_seed_data runs once per process however many seeded states the tests ask for.
Every later test gets the same rows written back with plain multi-row INSERTs (for the seed data
about 0.03 s on SQLite and 0.2 s on PostgreSQL instead of 3-6 s), primary keys, timestamps, audit
and history rows included, so a test sees exactly what the build left. Each test writes into its
own copy inside its own transaction, as it did when it loaded the seed data itself; nothing is
shared between tests.

Each pytest-xdist worker is a process of its own with a test database of its own. The first process
to need a state builds it and leaves it in a folder of the test run (``shared_folder``, set by
tests/conftest.py); another process that needs it waits for that build if it is under way and reads
the file instead of building the state a second time.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: each process builds its own states
    fcntl = None  # type: ignore[assignment]

from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction


def _models() -> list[type[models.Model]]:
    """Every table: the apps' models, history models and the automatic many-to-many tables."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _fields(model) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def _read(model, using) -> dict:
    fields = _fields(model)
    pk_index = fields.index(model._meta.pk)
    rows = model._base_manager.using(using).order_by().values_list(*(f.attname for f in fields))
    return {row[pk_index]: row for row in rows}


def _read_all(using) -> dict:
    return {model: _read(model, using) for model in _models()}


@dataclass
class TableChange:
    model: type[models.Model]
    rows: list[tuple] = field(default_factory=list)  # rows to write: new or changed
    # Primary keys to clear first: the rows that changed or went, and those of the new rows too,
    # as a transactional test may start with rows of its own under them (serialized_rollback's
    # raw saves are audited, for one): the snapshot's rows win.
    remove: list = field(default_factory=list)


@dataclass
class Snapshot:
    name: str
    changes: list[TableChange]
    _statements: list[tuple[str, list | None]] | None = None

    @property
    def row_count(self) -> int:
        return sum(len(c.rows) for c in self.changes)

    def _prepare(self, connection) -> list[tuple[str, list | None]]:
        """The statements of a restore, with the values already in the driver's terms: made once."""
        quote = connection.ops.quote_name
        limit = connection.features.max_query_params or 65535  # PostgreSQL: no other limit
        statements: list[tuple[str, list | None]] = []
        for change in self.changes:
            table = quote(change.model._meta.db_table)
            pk = change.model._meta.pk
            for start in range(0, len(change.remove), 500):
                keys = [pk.get_db_prep_save(k, connection) for k in change.remove[start:][:500]]
                marks = ", ".join(["%s"] * len(keys))
                statements.append(
                    (f"DELETE FROM {table} WHERE {quote(pk.column)} IN ({marks})", keys)  # noqa: S608
                )
        for change in self.changes:
            fields = _fields(change.model)
            table = quote(change.model._meta.db_table)
            columns = ", ".join(quote(f.column) for f in fields)
            placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
            per_statement = min(1000, max(1, limit // len(fields)))
            for start in range(0, len(change.rows), per_statement):
                batch = change.rows[start : start + per_statement]
                params = [
                    f.get_db_prep_save(value, connection)
                    for row in batch
                    for f, value in zip(fields, row, strict=True)
                ]
                values = ", ".join([placeholders] * len(batch))
                statements.append((f"INSERT INTO {table} ({columns}) VALUES {values}", params))  # noqa: S608
        # PostgreSQL: primary keys written explicitly do not move the sequences; set them past the
        # restored rows so that the test's own inserts never collide (SQLite does this itself).
        touched = [c.model for c in self.changes if c.rows]
        resets = connection.ops.sequence_reset_sql(no_style(), touched)
        if resets:
            statements.append(("\n".join(resets), None))
        return statements

    def restore(self, using: str = DEFAULT_DB_ALIAS) -> None:
        connection = connections[using]
        if self._statements is None:
            self._statements = self._prepare(connection)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for sql, params in self._statements:
                cursor.execute(sql, params)
        # Derived figures are cached on data versions read from the rows (maxima of ids and
        # timestamps), which a restored copy repeats exactly: a fresh database gets a fresh cache.
        cache.clear()


def capture(name: str, build: Callable[[], None], using: str = DEFAULT_DB_ALIAS) -> Snapshot:
    """Run ``build`` in a savepoint that is rolled back, and keep what it changed in every table."""
    with transaction.atomic(using=using):
        before = _read_all(using)
        build()
        after = _read_all(using)
        transaction.set_rollback(True, using=using)
    changes = []
    for model in _models():
        old, new = before[model], after[model]
        written = {pk: row for pk, row in new.items() if old.get(pk) != row}
        gone = [pk for pk in old if pk not in new]
        if written or gone:
            changes.append(TableChange(model, list(written.values()), [*written, *gone]))
    cache.clear()
    return Snapshot(name, changes)


# The states the tests share --------------------------------------------------------------------------
def _seed():
    call_command("load_seed_data", stdout=io.StringIO())


def _organizations_and_workforce_seed():
    from django.conf import settings

    from organizations import seed as organizations_seed
    from organizations.seeding import SeedLoader
    from workforce import seed as workforce_seed

    loader = SeedLoader(settings.SEED_DATA_DIR)
    organizations_seed.load(loader)
    workforce_seed.load(loader)


def _recommendations_demo():
    call_command("create_recommendations_demo", "--force", stdout=io.StringIO())


def _workforce_demo():
    call_command("create_workforce_demo", "--force", stdout=io.StringIO())


# name → (the state it starts from, or None for an empty database; the steps that follow). A state
# built on another one starts from that one's snapshot (restored in a few hundredths of a second)
# instead of repeating its steps: load_seed_data runs once per process, not once per state.
STATES: dict[str, tuple[str | None, tuple[Callable[[], None], ...]]] = {
    # Only the organisations' and the workforce's seed files (what tests/workforce needs).
    "workforce-seed": (None, (_organizations_and_workforce_seed,)),
    # ... with create_workforce_demo (tests/workforce/test_demo.py).
    "workforce-seed+workforce-demo": ("workforce-seed", (_workforce_demo,)),
    # load_seed_data: the facts of every source document.
    "seed": (None, (_seed,)),
    # ... with the calibrated demo staffing of Allerød's institutions.
    "seed+workforce-demo": ("seed", (_workforce_demo,)),
    # ... with the demo status history of Allerød's recommendations.
    "seed+recommendations-demo": ("seed", (_recommendations_demo,)),
    # ... with both: everything `./dev demo` shows except the accounts.
    "seed+demos": ("seed+recommendations-demo", (_workforce_demo,)),
}

_captured: dict[tuple[str, str], Snapshot] = {}
# A folder the test processes of one run share (pytest-xdist; tests/conftest.py), or None.
shared_folder: Path | None = None


def _shared_or_captured(name: str, build: Callable[[], None], using: str) -> Snapshot:
    """The state ``name`` as another test process of this run left it, or built here (and left for
    the others). The lock makes a process that needs a state another is building wait for it."""
    if shared_folder is None or fcntl is None:
        return capture(name, build, using)
    vendor = connections[using].vendor
    stem = f"{vendor}-{hashlib.sha256(name.encode()).hexdigest()[:20]}"
    path = shared_folder / f"{stem}.pickle"
    with open(shared_folder / f"{stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if path.exists():
            with open(path, "rb") as stored:
                tables = pickle.load(stored)  # noqa: S301 - written by this test run
            return Snapshot(
                name,
                [
                    TableChange(apps.get_model(label), rows, remove)
                    for label, rows, remove in tables
                ],
            )
        snapshot = capture(name, build, using)
        partial = path.with_suffix(f".{os.getpid()}")
        with open(partial, "wb") as out:
            tables = [(c.model._meta.label, c.rows, c.remove) for c in snapshot.changes]
            pickle.dump(tables, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
        return snapshot


def restore(
    name: str, build: Callable[[], None] | None = None, using: str = DEFAULT_DB_ALIAS
) -> Snapshot:
    """Give the test database the state ``name``: one of STATES, or what ``build`` makes (a state
    that one test module shares between its tests). Built the first time in this process, written
    back from memory every later time."""
    key = (name, connections[using].settings_dict["NAME"])
    snapshot = _captured.get(key)
    if snapshot is None:
        base, steps = (None, (build,)) if build is not None else STATES[name]

        def run_steps():
            if base is not None:
                restore(base, using=using)
            for step in steps:
                step()

        snapshot = _captured[key] = _shared_or_captured(name, run_steps, using)
    snapshot.restore(using)
    return snapshot
