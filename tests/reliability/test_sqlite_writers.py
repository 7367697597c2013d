"""On SQLite (the embedded default), two people saving at the same moment both succeed: the second
waits for the first's write lock instead of failing with "database is locked"."""

import threading
import time

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper


def connection_to(path, alias):
    """A connection to the SQLite file ``path`` configured as the product configures its own,
    known to ``transaction.atomic(using=alias)`` in this thread (connections are per thread)."""
    config = {**settings.DATABASES["default"], "NAME": str(path), "TEST": {}}
    connections[alias] = DatabaseWrapper(config, alias=alias)
    return connections[alias]


def test_a_second_writer_waits_for_the_first_and_both_saves_land(tmp_path, django_db_blocker):
    # Connections of its own to a file of its own: not the test database.
    with django_db_blocker.unblock():
        two_writers(tmp_path)


def two_writers(tmp_path):
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    path = tmp_path / "db.sqlite3"
    setup = connection_to(path, "setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE saves (who TEXT)")
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
    setup.close()
    first_holds_lock, errors, waited = threading.Event(), [], []

    def first():
        conn = connection_to(path, "first")
        try:
            with transaction.atomic(using="first"), conn.cursor() as cursor:
                cursor.execute("INSERT INTO saves VALUES ('first')")
                first_holds_lock.set()
                time.sleep(0.5)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            conn.close()

    def second():
        first_holds_lock.wait(5)
        conn = connection_to(path, "second")
        started = time.monotonic()
        try:
            with transaction.atomic(using="second"), conn.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM saves")  # reads first, then writes
                cursor.execute("INSERT INTO saves VALUES ('second')")
            waited.append(time.monotonic() - started)
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert waited and waited[0] >= 0.3  # it waited for the first to commit
    check = connection_to(path, "check")
    with check.cursor() as cursor:
        cursor.execute("SELECT who FROM saves ORDER BY rowid")
        assert cursor.fetchall() == [("first",), ("second",)]
    check.close()
