"""Back up the whole database to one file: pg_dump's custom format on PostgreSQL, SQLite's online
backup API on SQLite (a consistent copy even while the site is serving), packed with a manifest that
says what the backup holds (organizations/backup_manifest.py). See docs/backups.md.

The helpers here are shared with ``restore``: writing a backup (restore takes one of the database
before it replaces it), reading what a data file holds, finding the PostgreSQL tools, the
environment that passes the connection settings to them, and recognising a bare database file.
"""

import datetime
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from organizations import backup_manifest
from organizations.backup_manifest import Contents

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIX = {"sqlite": ".sqlite3.tar", "postgresql": ".pgdump.tar"}
# The timestamped backups --keep rotates: today's, and the bare files of the releases before the
# manifest, so that they age out as before.
NAME_PATTERN = re.compile(r"^opfoelgning-\d{8}-\d{6}(-\d+)?\.(sqlite3|pgdump)(\.tar)?$")
# pg_dump/pg_restore are bounded: a backup that hangs (a lock held for hours) must not hang the timer.
PG_TIMEOUT_SECONDS = 6 * 60 * 60


def default_directory() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", Path(settings.BASE_DIR) / "var" / "backups"))


def vendor_of(connection) -> str:
    if connection.vendor not in SUFFIX:
        raise CommandError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def kind_of_file(path: Path) -> str:
    """ "sqlite", "postgresql" (a bare database file or pg_dump archive) or "unknown", from the
    file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return "unknown"


def timestamped_target(directory: Path, vendor: str, label: str = "") -> Path:
    """``opfoelgning-[label-]YYYYMMDD-HHMMSS.<kind>.tar`` in ``directory``, not yet taken."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = f"opfoelgning-{label}{stamp}"
    target = directory.resolve() / f"{stem}{SUFFIX[vendor]}"
    counter = 1
    while target.exists():  # two backups in the same second
        target = target.with_name(f"{stem}-{counter}{SUFFIX[vendor]}")
        counter += 1
    return target


def write_backup(connection, target: Path) -> dict[str, Any]:
    """Back up the database of ``connection`` to ``target`` (a tar file: manifest, then data) and
    return the manifest. The file is written under a temporary name and renamed when complete: a
    half-written file never looks like a backup, and an interrupted run leaves the previous backups
    untouched."""
    vendor = vendor_of(connection)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(f".{target.name}.partial")
    # The data file is dumped beside the target (the backup folder has room for backups; /tmp may
    # be a small tmpfs) and packed with its manifest once its contents are known.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".opfoelgning-backup-") as work:
        data = Path(work) / backup_manifest.DATA_NAME[vendor]
        # The manifest describes exactly what a restore will get, even while the site keeps
        # saving: on SQLite it is read from the copy, on PostgreSQL in the snapshot pg_dump reads.
        if vendor == "sqlite":
            _backup_sqlite(connection, data)
            contents = contents_of_file(vendor, data, connection.settings_dict)
        else:
            contents = _backup_postgresql(connection, data)
        manifest = backup_manifest.build_manifest(vendor, data, contents)
        try:
            backup_manifest.write_archive(partial, manifest, data)
            os.chmod(partial, 0o600)  # the database holds password hashes and personal data
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
    return manifest


def _backup_sqlite(connection, data: Path) -> None:
    connection.ensure_connection()
    # connection.connection is the live sqlite3 connection: this also works for an in-memory
    # database (the test suite's), which no second connection could open.
    source = connection.connection
    destination = sqlite3.connect(data)
    try:
        source.backup(destination)
    finally:
        destination.close()


def _backup_postgresql(connection, data: Path) -> Contents:
    if connection.in_atomic_block:
        raise CommandError(
            "A backup cannot run inside a transaction: pg_dump would not see its changes."
        )
    # One snapshot for the row counts and for pg_dump: the transaction that exported it stays open
    # until pg_dump has finished.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        contents = database_contents(connection)
        command = [
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-password",
            f"--snapshot={snapshot}",
            f"--file={data}",
            connection.settings_dict["NAME"],
        ]
        run_pg(command, connection.settings_dict)
    return contents


def contents_of_file(vendor: str, data: Path, settings_dict: dict) -> Contents:
    """The migrations and row counts a data file holds, read whole (a damaged file fails here):
    after ``PRAGMA quick_check`` for SQLite; for a pg_dump archive, from every table's data as
    ``pg_restore --data-only`` writes it out."""
    if vendor == "sqlite":
        try:
            db = sqlite3.connect(f"{data.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise CommandError(f"{data} cannot be opened: {exc}") from None
        try:
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise CommandError(f"The database in the backup is damaged ({check}).")
            return backup_manifest.sqlite_contents(db)
        except sqlite3.DatabaseError as exc:
            raise CommandError(f"The database in the backup is damaged: {exc}") from None
        finally:
            db.close()
    restore = pg_tool("pg_restore")
    with pg_output([restore, "--data-only", "--file=-", str(data)], settings_dict) as lines:
        return backup_manifest.pgdump_contents(lines)


# The tables pg_dump writes the data of: ordinary tables outside the system schemas that no
# extension owns. Named as pgdump_contents names them: bare in the public schema.
PG_TABLES = r"""
    SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
"""


def database_contents(connection, tables: list[str] | None = None) -> Contents:
    """The applied migrations and the row counts in the database itself: of ``tables``, or (on
    PostgreSQL) of every table a backup holds."""

    def name(table: str) -> str:
        if connection.vendor == "postgresql" and "." in table:
            schema, _, bare = table.partition(".")
            return f"{backup_manifest.quote(schema)}.{backup_manifest.quote(bare)}"
        return backup_manifest.quote(table)

    with connection.cursor() as cursor:
        if tables is None:
            cursor.execute(PG_TABLES)
            tables = [table for (table,) in cursor.fetchall()]
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {name(table)}")  # noqa: S608 - quoted names
            rows[table] = cursor.fetchone()[0]
        migrations = []
        if "django_migrations" in connection.introspection.table_names(cursor):
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = cursor.fetchall()
    return Contents.of(migrations, rows)


def find_pg_tool(name: str) -> str | None:
    """``name`` on PATH, else the newest /usr/lib/postgresql/<version>/bin/<name> (Debian/Ubuntu)."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple:
        part = Path(path).parent.parent.name
        return tuple(int(p) for p in part.split(".") if p.isdigit())

    candidates = [
        p for p in glob.glob(f"/usr/lib/postgresql/*/bin/{name}") if os.access(p, os.X_OK)
    ]
    return max(candidates, key=version) if candidates else None


def pg_tool(name: str) -> str:
    path = find_pg_tool(name)
    if path is None:
        raise CommandError(
            f"{name} was not found on PATH or under /usr/lib/postgresql/*/bin: install the "
            f"PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client) in the "
            f"version of the server or newer."
        )
    return path


def pg_env(settings_dict: dict) -> dict:
    """The connection settings as libpq environment variables: the password never appears on a
    command line (where ``ps`` would show it)."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        value = settings_dict.get(key)
        if value not in (None, ""):
            env[variable] = str(value)
    for option, variable in [
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ]:
        if options.get(option):
            env[variable] = str(options[option])
    return env


def run_pg(command: list[str], settings_dict: dict) -> None:
    try:
        completed = subprocess.run(  # noqa: S603 - a fixed tool with arguments we built
            command,
            env=pg_env(settings_dict),
            capture_output=True,
            text=True,
            timeout=PG_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CommandError(
            f"{Path(command[0]).name} did not finish within {PG_TIMEOUT_SECONDS} s."
        ) from None
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout or "").strip()
        raise CommandError(
            f"{Path(command[0]).name} failed (exit code {completed.returncode}): {detail}"
        )


@contextmanager
def pg_output(command: list[str], settings_dict: dict) -> Iterator[Iterator[bytes]]:
    """The lines a PostgreSQL tool writes, read as they come (a whole database's data need not fit
    in memory); bounded like ``run_pg``, and an error if the tool fails."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - a fixed tool with arguments we built
            command, env=pg_env(settings_dict), stdout=subprocess.PIPE, stderr=errors
        )
        timer = threading.Timer(PG_TIMEOUT_SECONDS, process.kill)
        timer.start()
        try:
            assert process.stdout is not None
            yield iter(process.stdout)
            process.stdout.read()  # the rest, should the reader stop early
        finally:
            timer.cancel()
            if process.stdout is not None:
                process.stdout.close()
            process.wait()
        if process.returncode != 0:
            errors.seek(0)
            detail = errors.read().decode(errors="replace").strip()
            raise CommandError(
                f"{Path(command[0]).name} failed (exit code {process.returncode}): {detail}"
            )


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 100 * 1024 else f"{size / 1024:.0f} kB"


class Command(BaseCommand):
    help = (
        "Back up the database to one file: a tar file holding a manifest (what the backup holds, "
        "with checksums) and the database (pg_dump --format=custom on PostgreSQL, the SQLite "
        "backup API on SQLite), by default a timestamped file under var/backups/. "
        "Restore it with `manage.py restore PATH --yes`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="File to write, or an existing folder to write a timestamped file into "
            "(default: var/backups/).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="After a successful backup, keep only the newest N timestamped backups in the "
            "folder (0, the default, keeps all).",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default)."
        )

    def handle(self, *args, output, keep, database, **options):
        if keep < 0:
            raise CommandError("--keep must be 0 (keep all) or more.")
        connection = connections[database]
        vendor = vendor_of(connection)
        target = self._target(output, vendor)
        manifest = write_backup(connection, target)
        removed = self._prune(target.parent, keep) if keep else []
        note = f"; removed {len(removed)} older" if removed else ""
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {target} ({_human_size(target.stat().st_size)}, {vendor}, "
                f"{rows} rows in {len(manifest['rows'])} tables{note})."
            )
        )

    def _target(self, output, vendor) -> Path:
        if not output:
            return timestamped_target(default_directory(), vendor)
        if Path(output).is_dir():
            return timestamped_target(Path(output), vendor)
        return Path(output).resolve()

    def _prune(self, directory: Path, keep: int) -> list[Path]:
        backups = sorted(
            (p for p in directory.iterdir() if NAME_PATTERN.match(p.name)),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        removed = backups[keep:]
        for path in removed:
            path.unlink()
        return removed
