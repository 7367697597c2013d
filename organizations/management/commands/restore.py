"""Replace the database's contents with a backup made by ``manage.py backup``. See docs/backups.md.

The file is checked before anything is touched (exists, is a backup of this kind of database, is
readable), and the restore itself is all or nothing: SQLite's backup API replaces the database in one
step, pg_restore runs in a single transaction.
"""

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from .backup import kind_of_file, pg_tool, run_pg, vendor_of

LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
BACKUP_OF = {"sqlite": "an SQLite backup", "postgresql": "a PostgreSQL backup (pg_dump)"}


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `manage.py backup` (pg_restore on "
        "PostgreSQL, the SQLite backup API on SQLite). Refuses to run without --yes. Stop the "
        "application servers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm that everything in the database is to be replaced by the backup.",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default)."
        )

    def handle(self, *args, path, yes, database, **options):
        connection = connections[database]
        vendor = vendor_of(connection)
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No backup file at {source}.")
        kind = kind_of_file(source)
        if kind == "unknown":
            raise CommandError(
                f"{source} is not a backup made by `manage.py backup` "
                "(neither an SQLite database nor a pg_dump custom-format archive)."
            )
        if kind != vendor:
            raise CommandError(
                f"{source} is {BACKUP_OF[kind]}, but this database is "
                f"{LABELS[vendor]}: restore it into a database of the same kind."
            )
        if not yes:
            raise CommandError(
                f"Restoring replaces everything in the database "
                f"{connection.settings_dict['NAME']!s} with the contents of {source}. "
                "Stop the application servers, then run again with --yes."
            )
        if connection.in_atomic_block:
            raise CommandError("A restore cannot run inside a transaction.")
        if vendor == "sqlite":
            self._restore_sqlite(connection, source)
        else:
            self._restore_postgresql(connection, source)
        pending = self._pending_migrations(connection)
        note = (
            f"; {pending} migration(s) of this version are not applied yet: run `manage.py migrate`"
            if pending
            else ""
        )
        self.stdout.write(self.style.SUCCESS(f"Database restored from {source} ({vendor}{note})."))

    def _restore_sqlite(self, connection, source: Path) -> None:
        try:
            backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise CommandError(f"{source} cannot be opened: {exc}") from None
        try:
            try:
                check = backup.execute("PRAGMA quick_check").fetchone()[0]
                has_migrations = backup.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'"
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                raise CommandError(f"{source} is damaged: {exc}") from None
            if check != "ok":
                raise CommandError(f"{source} is damaged ({check}); nothing was restored.")
            if not has_migrations:
                raise CommandError(
                    f"{source} is an SQLite database but not a backup of this application."
                )
            connection.ensure_connection()
            # Into the live connection: works for a file and for the test suite's in-memory
            # database alike; other connections to the file see the restored contents at once.
            try:
                backup.backup(connection.connection)
            except sqlite3.Error as exc:
                raise CommandError(f"The restore failed (nothing was changed): {exc}") from None
        finally:
            backup.close()

    def _restore_postgresql(self, connection, source: Path) -> None:
        restore = pg_tool("pg_restore")
        # Read the archive's table of contents first: a damaged file is refused before the
        # database is touched.
        run_pg([restore, "--list", str(source)], connection.settings_dict)
        run_pg(
            [
                restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--no-password",
                f"--dbname={connection.settings_dict['NAME']}",
                str(source),
            ],
            connection.settings_dict,
        )

    def _pending_migrations(self, connection) -> int:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
