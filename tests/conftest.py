"""Personas, as in healthchecks' alice/bob/charlie: four roles in Allerød and an outsider from
Norddjurs. Each test gets fresh ones. The seed data (and the demos on top of it) for the tests that
need it, built once per session and restored for each such test (tests/snapshots.py).

Which database a test runs on (./dev test, README "Tests"): a test marked
``@pytest.mark.postgres`` checks something where the database's own behaviour matters
(transactions and locking, imports and exports, the API, the authorisation matrix, audit, backups,
constraints, ordering, raw SQL and query counts) and runs on PostgreSQL; an unmarked test runs on
SQLite. ./dev test runs two passes: SQLite with ``--postgres-elsewhere`` (leaving out the tests
marked postgres, unless they are also marked ``sqlite``: behaviour both databases must have), then
PostgreSQL (leaving out the unmarked tests). Plain ``pytest`` on SQLite runs every test, so a
machine without PostgreSQL still runs them all; ``--all-databases`` runs every test on PostgreSQL."""

import contextlib
import sqlite3
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches

from organizations.models import Role
from tests import snapshots
from tests.factories import MunicipalityFactory, member
from tests.smtp import smtp_server  # noqa: F401 - a real SMTP server, for any test that asks

PASSWORD = "correct horse battery staple"


def pytest_addoption(parser):
    parser.addoption(
        "--all-databases",
        action="store_true",
        help="On PostgreSQL, run every test, not only those marked postgres.",
    )
    parser.addoption(
        "--postgres-elsewhere",
        action="store_true",
        help="On SQLite, leave out the tests marked postgres (and not sqlite): a PostgreSQL pass "
        "runs them (./dev test).",
    )


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis"))


def runs_here(item, config) -> bool:
    postgres = item.get_closest_marker("postgres") is not None
    if on_postgresql():
        return postgres or config.getoption("--all-databases")
    if config.getoption("--postgres-elsewhere"):
        return not postgres or item.get_closest_marker("sqlite") is not None
    return True


def start_order(item) -> int:
    """When a test starts: the tests marked ``long`` first, so that the parallel processes (./dev
    test hands them one test at a time) end together instead of one running a long test alone at
    the end. pytest-django's order stays: tests in a transaction that is rolled back, then those
    that commit and empty the database after them (transactional, live server), then those without
    a database; a long test without a database may start first, it leaves the database alone."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = "transactional_db" in fixtures or "live_server" in fixtures
    if marker is not None:
        first = marker.args[0] if marker.args else False
        transactional |= bool(
            marker.kwargs.get("transaction", first) or marker.kwargs.get("reset_sequences")
        )
    uses_db = bool(marker) or "db" in fixtures
    long = item.get_closest_marker("long") is not None
    if transactional:
        return 2 if long else 3
    if long:
        return 0
    return 1 if uses_db else 4


def pytest_collection_modifyitems(config, items):
    """Leave out (deselect, so the summary counts them) the tests that belong to the other pass;
    put the long ones first (start_order)."""
    kept = [item for item in items if runs_here(item, config)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if not runs_here(i, config)])
        items[:] = kept
    items.sort(key=start_order)


# The test database ------------------------------------------------------------------------------------
_migrated_copy: list = []


def _xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


@pytest.fixture(scope="session")
def django_db_keepdb(request) -> bool:
    """pytest-django's ``--reuse-db``; and on PostgreSQL under pytest-xdist, where each process's
    database is cloned from one migrated template before pytest-django sets it up
    (``django_db_modify_db_settings``), the clone is the database to keep using (its migrations are
    all applied, so ``migrate`` has nothing to do)."""
    if on_postgresql() and _xdist_worker(request.config):
        return True
    return bool(request.config.getvalue("reuse_db"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, request, django_db_blocker, tmp_path_factory
):
    """On PostgreSQL under pytest-xdist, the first process to get here migrates a template database
    once for the whole run; each process's own database is a copy of it (``CREATE DATABASE …
    TEMPLATE``), so the migrations run once instead of once per process. A file lock in a folder of
    this test run makes the others wait while the template is being built."""
    if not (on_postgresql() and _xdist_worker(request.config)):
        return
    import fcntl

    from django.db import connection

    # Django's own creation helpers (django-stubs leaves the private ones out).
    creation: Any = connection.creation
    test_settings = connection.settings_dict["TEST"]
    name, own = connection.settings_dict["NAME"], creation._get_test_db_name()
    template = f"{own.rsplit('_gw', 1)[0]}_migrated"
    folder = tmp_path_factory.getbasetemp().parent
    with open(folder / "postgres-template.lock", "w") as lock, django_db_blocker.unblock():
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not (folder / "postgres-template.done").exists():
            test_settings["NAME"] = template
            try:
                creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            finally:
                test_settings["NAME"] = own
                connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = name
                connection.close()
            (folder / "postgres-template.done").touch()
        with creation._nodb_cursor() as cursor:
            quoted = connection.ops.quote_name
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted(own)}")
            cursor.execute(f"CREATE DATABASE {quoted(own)} TEMPLATE {quoted(template)}")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """pytest-django's test database; on SQLite also copied to a file as the migrations left it,
    before any test wrote to it (``migrated_database_file``)."""
    from django.db import connection

    if not on_postgresql():
        path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
        with django_db_blocker.unblock():
            connection.ensure_connection()
            with contextlib.closing(sqlite3.connect(path)) as copy:
                connection.connection.backup(copy)
        _migrated_copy.append(path)
    return


@pytest.fixture
def migrated_database_file(django_db_setup):
    """A file with the database as ``migrate`` leaves it (the test database, migrated once per test
    process), for code that serves a database of its own; None on PostgreSQL."""
    return _migrated_copy[0] if _migrated_copy else None


# The seeded states: each test that asks for one gets a fresh copy of it ------------------------------
@pytest.fixture(scope="session", autouse=True)
def _share_snapshots_between_processes(request, tmp_path_factory):
    """Under pytest-xdist a state one process has built is read by the others from a folder of this
    test run (tests/snapshots.py) instead of being built again in each."""
    if hasattr(request.config, "workerinput"):
        folder = tmp_path_factory.getbasetemp().parent / "snapshots"
        folder.mkdir(exist_ok=True)
        snapshots.shared_folder = folder


@pytest.fixture
def seed_data(db):
    """What ``manage.py load_seed_data`` loads: every source document's facts."""
    return snapshots.restore("seed")


@pytest.fixture
def seed_workforce_demo(db):
    """The seed data and ``create_workforce_demo``'s calibrated staffing for Allerød."""
    return snapshots.restore("seed+workforce-demo")


@pytest.fixture
def seed_recommendations_demo(db):
    """The seed data and ``create_recommendations_demo``'s status history for Allerød."""
    return snapshots.restore("seed+recommendations-demo")


@pytest.fixture
def seed_demos(db):
    """The seed data and both demos (what ``./dev demo`` shows, without the accounts)."""
    return snapshots.restore("seed+demos")


@pytest.fixture
def seed_workforce_only(db):
    """Only the organisations' and the workforce's seed files."""
    return snapshots.restore("workforce-seed")


SEED_FIXTURES = (
    "seed_data",
    "seed_workforce_demo",
    "seed_recommendations_demo",
    "seed_demos",
    "seed_workforce_only",
)


@pytest.fixture(autouse=True)
def _seed_before_other_data(request):
    """A seeded state is written with its own primary keys, so it goes in before any other row of
    the test: before the personas (whose Allerød and Norddjurs then are the seeded ones, as
    MunicipalityFactory gets or creates by code) and before any module's own fixtures."""
    for name in SEED_FIXTURES:
        if name in request.fixturenames:
            request.getfixturevalue(name)


@pytest.fixture(autouse=True)
def _fresh_api_throttle():
    """The API's throttle counters start at zero in each test: every test client comes from the
    same address, so one test's requests would otherwise count against the next's."""
    caches["api_throttle"].clear()


@pytest.fixture
def allerod(db):
    return MunicipalityFactory(code=201, name="Allerød", slug="allerod")


@pytest.fixture
def norddjurs(db):
    return MunicipalityFactory(code=707, name="Norddjurs", slug="norddjurs")


@pytest.fixture
def council_member(allerod):
    return member("rita", allerod, Role.COUNCIL_MEMBER)


@pytest.fixture
def hr_officer(allerod):
    return member("hanne", allerod, Role.HR_OFFICER)


@pytest.fixture
def analyst(allerod):
    return member("anders", allerod, Role.ANALYST)


@pytest.fixture
def administrator(allerod):
    return member("ada", allerod, Role.ADMINISTRATOR)


@pytest.fixture
def outsider(norddjurs):
    """An administrator of another municipality: powerful at home, nobody in Allerød."""
    return member("niels", norddjurs, Role.ADMINISTRATOR)


@pytest.fixture
def outsider_hr(norddjurs):
    """Another municipality's HR officer: keeps Norddjurs's statuses, nobody in Allerød."""
    return member("nora", norddjurs, Role.HR_OFFICER)


PERSONAS = ["council_member", "hr_officer", "analyst", "administrator", "outsider"]


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
