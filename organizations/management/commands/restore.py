"""Replace the database's contents with a backup made by ``manage.py backup``. See docs/backups.md.

Nothing is touched until the file has shown that it is this product's backup and intact: its
manifest names the product and this kind of database, every migration applied in it exists in this
code, the database in it matches the manifest's checksum and holds the migrations and row counts the
manifest lists. Then a safety backup of the database as it is is written, the backup is restored all
or nothing (SQLite's backup API replaces the database in one step, pg_restore runs in a single
transaction), and the restored database is counted against the manifest.
"""

import sqlite3
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from organizations import backup_manifest

from .backup import (
    contents_of_file,
    database_contents,
    default_directory,
    kind_of_file,
    pg_tool,
    run_pg,
    timestamped_target,
    vendor_of,
    write_backup,
)


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `manage.py backup` (pg_restore on "
        "PostgreSQL, the SQLite backup API on SQLite), after checking that the file is this "
        "product's backup and intact, and after a safety backup of the database as it is. "
        "Without --yes it only checks the file. Stop the application servers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm that everything in the database is to be replaced by the backup.",
        )
        parser.add_argument(
            "--safety-dir",
            help="Folder for the safety backup of the database as it is before the restore "
            "(default: the backup folder, BACKUP_DIR).",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default)."
        )

    def handle(self, *args, path, yes, safety_dir, database, **options):
        connection = connections[database]
        vendor = vendor_of(connection)
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No backup file at {source}. Nothing was changed.")
        kind = kind_of_file(source)
        if kind != "unknown":
            raise CommandError(
                f"{source} is {backup_manifest.BACKUP_OF[kind]} without the manifest that "
                "`manage.py backup` writes, so nothing shows that it is a backup of this product "
                "or that it is intact: it is refused. Nothing was changed."
            )
        folder = Path(safety_dir) if safety_dir else default_directory()
        with backup_manifest.open_archive(source) as archive:
            manifest = archive.manifest
            promised = backup_manifest.check_manifest(source, manifest, vendor)
            backup_manifest.check_migrations(source, manifest, promised)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.TemporaryDirectory(dir=folder, prefix=".opfoelgning-restore-") as work:
                data = archive.extract_data(Path(work))
                try:
                    actual = contents_of_file(vendor, data, connection.settings_dict)
                except CommandError as exc:
                    raise backup_manifest.damaged(source, str(exc).rstrip(".")) from None
                backup_manifest.check_contents(source, promised, actual)
                described = (
                    f"made {manifest.get('created_at', '?')} by release "
                    f"{manifest.get('release', '?')}, {sum(promised.rows.values())} rows in "
                    f"{len(promised.rows)} tables"
                )
                if not yes:
                    raise CommandError(
                        f"{source} is an intact backup of this product ({described}). Restoring "
                        f"it replaces everything in the database "
                        f"{connection.settings_dict['NAME']!s}. Stop the application servers, "
                        "then run again with --yes."
                    )
                if connection.in_atomic_block:
                    raise CommandError("A restore cannot run inside a transaction.")
                safety = self._safety_backup(connection, folder, vendor)
                try:
                    if vendor == "sqlite":
                        self._restore_sqlite(connection, data)
                    else:
                        self._restore_postgresql(connection, data)
                except CommandError as exc:
                    raise CommandError(
                        f"{exc} The database as it was is also in {safety}."
                    ) from None
        self._check_restored(connection, promised, safety)
        pending = self._pending_migrations(connection)
        note = (
            f"; {pending} migration(s) of this version are not applied yet: run `manage.py migrate`"
            if pending
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(f"Database restored from {source} ({vendor}, {described}{note}).")
        )

    def _safety_backup(self, connection, folder: Path, vendor: str) -> Path:
        """The database as it is, before anything is replaced: a backup like any other (manifest
        included), so that ``restore`` takes it back. Not rotated by ``backup --keep``."""
        safety = timestamped_target(folder, vendor, label="before-restore-")
        try:
            write_backup(connection, safety)
        except CommandError as exc:
            raise CommandError(
                f"The safety backup of the database as it is failed, so nothing was restored: {exc}"
            ) from None
        self.stdout.write(f"Safety backup of the database as it was: {safety}")
        return safety

    def _restore_sqlite(self, connection, data: Path) -> None:
        backup = sqlite3.connect(f"{data.resolve().as_uri()}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            # Into the live connection: works for a file and for the test suite's in-memory
            # database alike; other connections to the file see the restored contents at once.
            # The destination is written in one transaction: an error leaves it as it was.
            backup.backup(connection.connection)
        except sqlite3.Error as exc:
            raise CommandError(f"The restore failed (nothing was changed): {exc}.") from None
        finally:
            backup.close()

    def _restore_postgresql(self, connection, data: Path) -> None:
        run_pg(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--no-password",
                f"--dbname={connection.settings_dict['NAME']}",
                str(data),
            ],
            connection.settings_dict,
        )

    def _check_restored(self, connection, promised, safety: Path) -> None:
        """The database now holds the backup's migrations and rows (on PostgreSQL, tables that are
        not in the backup are left in place and not counted)."""
        actual = database_contents(connection, list(promised.rows))
        found = backup_manifest.differences(promised, actual, only_promised=True)
        if found:
            raise CommandError(
                f"The restored database does not hold what the backup's manifest lists "
                f"({'; '.join(found)}). The database as it was before is in {safety}: "
                f"restore it with `manage.py restore {safety} --yes`."
            )

    def _pending_migrations(self, connection) -> int:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
