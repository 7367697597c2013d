"""Back up the whole database to one file: pg_dump's custom format on PostgreSQL, SQLite's online
backup API on SQLite (a consistent copy even while the site is serving). See docs/backups.md.

The helpers here are shared with ``restore``: finding the PostgreSQL tools, the environment that
passes the connection settings to them, and recognising what kind of backup a file is.
"""

import datetime
import glob
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
NAME_PATTERN = re.compile(r"^opfoelgning-\d{8}-\d{6}(-\d+)?\.(sqlite3|pgdump)$")
# pg_dump/pg_restore are bounded: a backup that hangs (a lock held for hours) must not hang the timer.
PG_TIMEOUT_SECONDS = 6 * 60 * 60


def default_directory() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", Path(settings.BASE_DIR) / "var" / "backups"))


def vendor_of(connection) -> str:
    if connection.vendor not in SUFFIX:
        raise CommandError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def kind_of_file(path: Path) -> str:
    """ "sqlite", "postgresql" or "unknown", from the file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return "unknown"


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


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 100 * 1024 else f"{size / 1024:.0f} kB"


class Command(BaseCommand):
    help = (
        "Back up the database to one file (pg_dump --format=custom on PostgreSQL, the SQLite "
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
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write next to the target and rename when complete: a half-written file never looks like
        # a backup, and an interrupted run leaves the previous backups untouched.
        partial = target.with_name(f".{target.name}.partial")
        try:
            if vendor == "sqlite":
                self._backup_sqlite(connection, partial)
            else:
                self._backup_postgresql(connection, partial)
            os.chmod(partial, 0o600)  # the database holds password hashes and personal data
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
        removed = self._prune(target.parent, keep) if keep else []
        note = f"; removed {len(removed)} older" if removed else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {target} ({_human_size(target.stat().st_size)}, {vendor}{note})."
            )
        )

    def _target(self, output, vendor) -> Path:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"opfoelgning-{stamp}{SUFFIX[vendor]}"
        if not output:
            directory = default_directory()
        elif Path(output).is_dir():
            directory = Path(output)
        else:
            return Path(output).resolve()
        target = directory.resolve() / name
        counter = 1
        while target.exists():  # two backups in the same second
            target = target.with_name(f"opfoelgning-{stamp}-{counter}{SUFFIX[vendor]}")
            counter += 1
        return target

    def _backup_sqlite(self, connection, partial: Path) -> None:
        connection.ensure_connection()
        # connection.connection is the live sqlite3 connection: this also works for an in-memory
        # database (the test suite's), which no second connection could open.
        source = connection.connection
        if partial.exists():
            partial.unlink()
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
            result = destination.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            destination.close()
        if result != "ok":
            raise CommandError(f"The backup copy failed its integrity check: {result}")

    def _backup_postgresql(self, connection, partial: Path) -> None:
        command = [
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-password",
            f"--file={partial}",
            connection.settings_dict["NAME"],
        ]
        run_pg(command, connection.settings_dict)

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
