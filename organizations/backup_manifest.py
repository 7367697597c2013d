"""What makes a file a backup of this product, and the checks a restore makes before it touches the
database (docs/backups.md, "What restore checks").

A backup is one uncompressed tar file with two members, in this order:

- ``manifest.json``: the product, the format version, the release that wrote it, the kind of
  database, the data file's size and SHA-256, the migrations applied in the backed-up database (and
  their fingerprint), the number of rows in every table, and a SHA-256 of all these;
- ``database.sqlite3`` (SQLite's backup API) or ``database.pgdump`` (``pg_dump --format=custom``).

One file, so the manifest cannot be separated from the data it describes; a tar file, so that
``tar -xf`` gives back a plain database file or pg_dump archive if the tools of this product are
not at hand. The checksum is not keyed with ``SECRET_KEY``: a backup must restore on a new server
and after the key is rotated. It recognises damage and files that are not this product's backups,
not a forgery by someone who can write the backup file (who can read every row in it anyway).

Nothing here talks to a database: the commands read the data file (``contents_of_file`` in
``organizations/management/commands/backup.py``) and hand the results to these functions.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import sqlite3
import tarfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db.migrations.loader import MigrationLoader

PRODUCT = "opfoelgning"
FORMAT = 1
MANIFEST_NAME = "manifest.json"
DATA_NAME = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
BACKUP_OF = {"sqlite": "an SQLite backup", "postgresql": "a PostgreSQL backup (pg_dump)"}
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
CHUNK = 1024 * 1024

Migration = tuple[str, str]
# The migration that creates the first tables of the product (municipalities, users): applied in
# every database of it, also after a squash (Django records the migrations a squash replaces).
PRODUCT_SCHEMA: Migration = ("organizations", "0001_initial")


@dataclass(frozen=True)
class Contents:
    """What a database holds, as far as a restore cares: the applied migrations and the rows."""

    migrations: tuple[Migration, ...]  # sorted
    rows: dict[str, int]  # table -> rows; "schema.table" outside PostgreSQL's public schema

    @classmethod
    def of(cls, migrations: Iterable[Iterable[str]], rows: dict[str, int]) -> Contents:
        pairs = sorted((str(app), str(name)) for app, name in migrations)
        return cls(migrations=tuple(pairs), rows=dict(sorted(rows.items())))


def fingerprint(migrations: Iterable[Migration]) -> str:
    """The schema's fingerprint: a SHA-256 of the applied migrations, one ``app.name`` a line."""
    text = "\n".join(f"{app}.{name}" for app, name in sorted(migrations))
    return hashlib.sha256(text.encode()).hexdigest()


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def release() -> str:
    try:
        return metadata.version(PRODUCT)
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest_checksum(manifest: dict[str, Any]) -> str:
    """A SHA-256 of the manifest's other fields: a changed count or date is noticed, too."""
    fields = {key: value for key, value in manifest.items() if key != "checksum"}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal(manifest: dict[str, Any]) -> dict[str, Any]:
    return {**manifest, "checksum": manifest_checksum(manifest)}


def build_manifest(vendor: str, data: Path, contents: Contents) -> dict[str, Any]:
    sha256, size = file_digest(data)
    return seal(
        {
            "product": PRODUCT,
            "format": FORMAT,
            "release": release(),
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": vendor,
            "data": {"name": DATA_NAME[vendor], "bytes": size, "sha256": sha256},
            "schema": {
                "fingerprint": fingerprint(contents.migrations),
                "migrations": [list(m) for m in contents.migrations],
            },
            "rows": contents.rows,
        }
    )


def write_archive(target: Path, manifest: dict[str, Any], data: Path) -> None:
    """The backup file: the manifest first (a restore reads it before the data), then the data."""
    encoded = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        manifest_info = tarfile.TarInfo(MANIFEST_NAME)
        manifest_info.size = len(encoded)
        manifest_info.mtime = int(data.stat().st_mtime)
        data_info = archive.gettarinfo(data, arcname=manifest["data"]["name"])
        for info in (manifest_info, data_info):
            # `tar -xf` must not hand the personal data in it to other users of the machine.
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        archive.addfile(manifest_info, io.BytesIO(encoded))
        with open(data, "rb") as handle:
            archive.addfile(data_info, handle)


class Archive:
    """A backup file opened for reading; ``open_archive`` refuses anything not shaped like one."""

    def __init__(self, path: Path, tar: tarfile.TarFile) -> None:
        self.path, self.tar = path, tar
        members = tar.getmembers()
        names = [m.name for m in members]
        if not names or names[0] != MANIFEST_NAME:
            raise refused(path, "it has no manifest")
        if len(members) != 2 or not all(m.isfile() for m in members):
            raise refused(path, f"it holds {', '.join(names)} instead of a manifest and a database")
        self.manifest = self._read_manifest(members[0])
        self.data_member = members[1]

    def _read_manifest(self, member: tarfile.TarInfo) -> dict[str, Any]:
        if member.size > MAX_MANIFEST_BYTES:
            raise refused(self.path, "its manifest is too large")
        handle = self.tar.extractfile(member)
        assert handle is not None  # a regular file, checked above
        try:
            manifest = json.loads(handle.read().decode())
        except (UnicodeDecodeError, ValueError):
            raise refused(self.path, "its manifest is not readable JSON") from None
        if not isinstance(manifest, dict):
            raise refused(self.path, "its manifest is not readable JSON")
        return manifest

    def extract_data(self, directory: Path) -> Path:
        """The data file, written into ``directory``, after its size and checksum are compared with
        the manifest's."""
        expected = self.manifest["data"]
        if self.data_member.name != expected["name"]:
            raise refused(self.path, f"it holds {self.data_member.name}, not {expected['name']}")
        target = directory / str(expected["name"])
        digest = hashlib.sha256()
        size = 0
        try:
            source = self.tar.extractfile(self.data_member)
            assert source is not None
            with open(target, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise damaged(self.path, f"its database cannot be read ({exc})") from None
        if size != expected["bytes"] or digest.hexdigest() != expected["sha256"]:
            raise damaged(
                self.path,
                "its database does not match the checksum in its manifest: the file was changed "
                "or damaged after the backup was written",
            )
        return target


@contextmanager
def open_archive(path: Path) -> Iterator[Archive]:
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 - closed below, after the checks
    except (tarfile.TarError, OSError):
        raise refused(path, "it is not a backup file (a tar file with a manifest)") from None
    with tar:
        try:
            archive = Archive(path, tar)
        except (tarfile.TarError, EOFError) as exc:
            raise damaged(path, f"it cannot be read ({exc})") from None
        yield archive


def refused(path: Path, reason: str) -> CommandError:
    return CommandError(
        f"{path} is not a backup made by `manage.py backup` of this product: {reason}. "
        "Nothing was changed."
    )


def damaged(path: Path, reason: str) -> CommandError:
    return CommandError(f"{path} is damaged: {reason}. Nothing was changed.")


def check_manifest(path: Path, manifest: dict[str, Any], vendor: str) -> Contents:
    """The manifest is this product's, in a format this version reads, of this kind of database;
    returns the contents it promises."""
    if manifest.get("product") != PRODUCT:
        raise refused(path, f"its manifest names the product {manifest.get('product')!r}")
    if manifest.get("format") != FORMAT:
        version = manifest.get("release", "unknown")
        raise refused(
            path,
            f"its manifest has format {manifest.get('format')!r} (release {version}); this "
            f"release reads format {FORMAT}",
        )
    if manifest.get("checksum") != manifest_checksum(manifest):
        raise damaged(path, "its manifest does not match its checksum")
    try:
        kind = manifest["database"]
        data, schema, rows = manifest["data"], manifest["schema"], manifest["rows"]
        promised = Contents.of(schema["migrations"], {str(t): int(n) for t, n in rows.items()})
        complete = (
            kind in DATA_NAME
            and isinstance(data["bytes"], int)
            and isinstance(data["sha256"], str)
            and isinstance(data["name"], str)
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        complete = False
    if not complete:
        raise refused(path, "its manifest is incomplete")
    if kind != vendor:
        raise CommandError(
            f"{path} is {BACKUP_OF[kind]}, but this database is {LABELS[vendor]}: restore it into "
            "a database of the same kind. Nothing was changed."
        )
    if schema.get("fingerprint") != fingerprint(promised.migrations):
        raise damaged(path, "its manifest's schema fingerprint does not match its migrations")
    return promised


def known_migrations() -> set[Migration]:
    """Every migration this version of the code has, and those its squashed migrations replace."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or [])
    return known


def check_migrations(path: Path, manifest: dict[str, Any], promised: Contents) -> None:
    """The backup's schema is this product's, and this code's or an older one that ``migrate``
    brings up to date: the migration that creates the product's first tables is applied in it, and
    every migration applied in it exists here. A foreign Django project's database, or one of a
    newer release, has migrations this code has never seen."""
    if PRODUCT_SCHEMA not in promised.migrations:
        raise refused(
            path,
            f"the database in it never had this product's tables ({'.'.join(PRODUCT_SCHEMA)} "
            "is not among its migrations)",
        )
    unknown = sorted(set(promised.migrations) - known_migrations())
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise CommandError(
            f"{path} has migrations this version of the code does not have ({names}{more}): it "
            f"was made by a newer release ({manifest.get('release', 'unknown')}) or by another "
            "application. Restore it with the release that made it. Nothing was changed."
        )


def differences(promised: Contents, actual: Contents, *, only_promised: bool = False) -> list[str]:
    """How ``actual`` differs from ``promised``, one phrase per difference (at most six)."""
    found: list[str] = []
    if promised.migrations != actual.migrations:
        found.append(
            f"applied migrations {len(promised.migrations)} in the manifest, "
            f"{len(actual.migrations)} in the database"
        )
    tables = set(promised.rows) if only_promised else set(promised.rows) | set(actual.rows)
    for table in sorted(tables):
        want, have = promised.rows.get(table), actual.rows.get(table)
        if want != have:
            found.append(
                f"table {table}: "
                f"{'absent' if want is None else want} in the manifest, "
                f"{'absent' if have is None else have} in the database"
            )
    return found[:6]


def check_contents(path: Path, promised: Contents, actual: Contents) -> None:
    """The data file holds what the manifest says: the same migrations, tables and row counts."""
    found = differences(promised, actual)
    if found:
        raise damaged(
            path, "its database does not hold what its manifest says (" + "; ".join(found) + ")"
        )


# Reading a data file -----------------------------------------------------------------------------
def sqlite_contents(db: sqlite3.Connection) -> Contents:
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]
    rows = {
        table: db.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]  # noqa: S608
        for table in tables
    }
    migrations = (
        db.execute("SELECT app, name FROM django_migrations").fetchall()
        if "django_migrations" in rows
        else []
    )
    return Contents.of(migrations, rows)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


_IDENTIFIER = rb'"(?:[^"]|"")*"|[^".\s(]+'
_COPY = re.compile(
    rb"^COPY (?:(?P<schema>" + _IDENTIFIER + rb")\.)?(?P<table>" + _IDENTIFIER + rb")"
    rb"(?: \((?P<columns>.*)\))? FROM stdin;$"
)
_ESCAPE = re.compile(r"\\(.)")
_ESCAPED = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(identifier: bytes) -> str:
    text = identifier.decode()
    return text[1:-1].replace('""', '"') if text.startswith('"') else text


def _copy_value(field: bytes) -> str:
    """One field of COPY's text format (the escapes migration names could need)."""
    return _ESCAPE.sub(lambda m: _ESCAPED.get(m.group(1), m.group(1)), field.decode())


def pgdump_contents(script: Iterable[bytes]) -> Contents:
    """The rows and migrations in a pg_dump archive, from ``pg_restore --data-only --file=-``:
    every table's data is a ``COPY … FROM stdin;`` block of one line per row ending in ``\\.``."""
    rows: dict[str, int] = {}
    migrations: list[Migration] = []
    table: str | None = None
    app_name: tuple[int, int] | None = None
    for raw in script:
        line = raw.rstrip(b"\n")
        if table is None:
            match = _COPY.match(line)
            if match:
                schema = _unquote(match["schema"]) if match["schema"] else "public"
                name = _unquote(match["table"])
                table = name if schema == "public" else f"{schema}.{name}"
                rows[table] = 0
                columns = [_unquote(c.strip()) for c in (match["columns"] or b"").split(b",")]
                app_name = None
                if table == "django_migrations" and {"app", "name"} <= set(columns):
                    app_name = (columns.index("app"), columns.index("name"))
        elif line == b"\\.":
            table = None
        else:
            rows[table] += 1
            if app_name is not None:
                fields = line.split(b"\t")
                migrations.append(
                    (_copy_value(fields[app_name[0]]), _copy_value(fields[app_name[1]]))
                )
    return Contents.of(migrations, rows)
