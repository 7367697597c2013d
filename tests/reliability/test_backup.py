"""`manage.py backup` and `manage.py restore`: backup → wipe → restore gives back every row, on the
database the suite runs on (SQLite in the first pass of ./dev test, PostgreSQL in the second); a file
that is not this product's intact backup is refused and the database stays as it was; a restore
leaves a safety backup of the database it replaced, which restores in turn."""

import datetime
import io
import json
import os
import sqlite3
import tarfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from employment_plan import services as plan_services
from employment_plan.models import Indicator, Measurement
from organizations import backup_manifest
from organizations.management.commands import backup as backup_module
from recommendations import services
from recommendations.models import Recommendation, Status, StatusUpdate

# Restore replaces whole tables, which only a test outside a wrapping transaction can see;
# serialized_rollback gives the next tests back the rows the migrations created (statuses, roles).
# Both databases: backup and restore of the server's own database, SQLite or PostgreSQL.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.sqlite,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def key_content() -> dict[str, list]:
    return {
        "recommendations": list(
            Recommendation.objects.order_by("pk").values_list(
                "pk", "report__key", "number", "title", "status__key", "progress", "version",
                "last_updated_at",
            )
        ),
        "status updates": list(
            StatusUpdate.objects.order_by("pk").values_list(
                "pk", "recommendation_id", "old_status__key", "new_status__key", "old_progress",
                "progress", "note", "effective_on", "created_at", "origin",
            )
        ),
        "measurements": list(
            Measurement.objects.order_by("pk").values_list(
                "pk", "indicator__code", "date", "value", "provisional", "data_source", "comment",
            )
        ),
        "indicators": list(
            Indicator.objects.order_by("pk").values_list(
                "pk", "code", "baseline_value", "baseline_date", "target_absolute"
            )
        ),
    }  # fmt: skip


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def safety_dir(settings, tmp_path_factory):
    """Where restore writes its safety backups (BACKUP_DIR): never the project's var/backups."""
    settings.BACKUP_DIR = tmp_path_factory.mktemp("backups")
    return settings.BACKUP_DIR


def safety_backups(folder) -> list:
    return sorted(folder.glob("opfoelgning-before-restore-*"))


def live_state() -> tuple:
    """What a user would see change: every table's row count and the statuses by name."""
    return row_counts(), list(Status.objects.order_by("key").values_list("key", "name"))


def read_backup(path) -> tuple[dict, bytes]:
    with tarfile.open(path) as archive:
        manifest, data = (archive.extractfile(member) for member in archive.getmembers())
        assert manifest is not None and data is not None
        return json.load(manifest), data.read()


def write_backup(path, manifest: dict, data: bytes) -> None:
    """A backup file as someone editing it by hand would leave it (the tools' own format)."""
    data_file = path.with_name(path.name + ".data")
    data_file.write_bytes(data)
    backup_manifest.write_archive(path, manifest, data_file)
    data_file.unlink()


def foreign_database(path, migrations: list[tuple[str, str]]) -> None:
    """Another Django project's SQLite database: a migration table and a table of its own."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE django_migrations (id integer PRIMARY KEY, app, name, applied)")
    db.executemany("INSERT INTO django_migrations (app, name) VALUES (?, ?)", migrations)
    db.execute("CREATE TABLE shop_order (id integer PRIMARY KEY, total)")
    db.execute("INSERT INTO shop_order (total) VALUES (100)")
    db.commit()
    db.close()


def with_manifest(path, data_path) -> None:
    """``data_path`` packed with a manifest that describes it truthfully, for this database."""
    db = sqlite3.connect(data_path)
    contents = backup_manifest.sqlite_contents(db)
    db.close()
    manifest = backup_manifest.build_manifest(connection.vendor, data_path, contents)
    backup_manifest.write_archive(path, manifest, data_path)


@pytest.fixture
def seeded(seed_data):
    in_progress = Status.objects.get(key="i-gang")
    changed = list(Recommendation.objects.filter(children__isnull=True).order_by("pk")[:2])
    for number, rec in enumerate(changed, start=1):
        services.recommendation_change_status(
            recommendation=rec,
            status=in_progress,
            progress=Decimal("12.5") * number,
            note=f"Backup-test ændring {number} – æøå",
            acting_user=None,
        )
    indicator = Indicator.objects.filter(unit="persons").select_related("plan").first()
    if indicator is not None:
        plan_services.measurement_record(
            indicator=indicator,
            date=indicator.plan.period_start + datetime.timedelta(days=30),
            value=Decimal("1234.5"),
            comment="målt efter backup-testens seed",
            acting_user=None,
        )
    return changed


def test_backup_wipe_restore_gives_back_every_row(seeded, tmp_path, safety_dir):
    counts, content = row_counts(), key_content()
    assert content["recommendations"] and content["status updates"] and content["measurements"]

    output = run("backup", output=str(tmp_path))
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.startswith("opfoelgning-")
    assert str(files[0]) in output and "Backup written" in output

    call_command("flush", interactive=False, verbosity=0)
    assert Recommendation.objects.count() == 0 and StatusUpdate.objects.count() == 0

    flushed = row_counts()
    message = run("restore", str(files[0]), yes=True)
    assert "restored" in message
    assert row_counts() == counts
    assert key_content() == content
    # The database the restore replaced is kept, and the message says where.
    (safety,) = safety_backups(safety_dir)
    assert f"Safety backup of the database as it was: {safety}" in message
    assert safety.stat().st_mode & 0o777 == 0o600
    # The restored database is a working one: the next status change gets the next version.
    rec = Recommendation.objects.get(pk=seeded[0].pk)
    services.recommendation_change_status(
        recommendation=rec,
        status=Status.objects.get(key="gennemfoert"),
        expected_version=rec.version,
        acting_user=None,
    )
    assert Recommendation.objects.get(pk=rec.pk).status.key == "gennemfoert"

    # The safety backup is a backup like any other: restoring it undoes the restore.
    run("restore", str(safety), yes=True)
    assert row_counts() == flushed and Recommendation.objects.count() == 0


def test_restore_refuses_without_yes_and_changes_nothing(seed_data, tmp_path):
    path = tmp_path / "before.bak"
    run("backup", output=str(path))
    counts = row_counts()
    Recommendation.objects.filter(pk__in=Recommendation.objects.order_by("pk")[:1]).update(
        title="Ændret efter backup"
    )
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert Recommendation.objects.filter(title="Ændret efter backup").count() == 1
    assert row_counts() == counts


def test_restore_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nowhere.sqlite3"), yes=True)


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"this is not a database\n" * 10)
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(junk), yes=True)


def test_restore_refuses_a_backup_of_the_other_kind_of_database(tmp_path):
    other = tmp_path / "other.bak"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
        expected = "PostgreSQL backup"
    else:
        import sqlite3

        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
        expected = "SQLite backup"
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(other), yes=True)
    assert Status.objects.exists()  # untouched
    # Packed with a manifest, it is the manifest that names the kind of database.
    data = tmp_path / "data"
    other.rename(data)
    kind = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    contents = backup_manifest.Contents.of([backup_manifest.PRODUCT_SCHEMA], {})
    backup_manifest.write_archive(other, backup_manifest.build_manifest(kind, data, contents), data)
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(other), yes=True)
    assert Status.objects.exists()


def test_restore_refuses_a_damaged_backup_before_touching_the_database(tmp_path):
    path = tmp_path / "damaged.bak"
    run("backup", output=str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    statuses = Status.objects.count()
    with pytest.raises(CommandError):
        call_command("restore", str(path), yes=True)
    assert Status.objects.count() == statuses


# Refused before anything is read from the database or written to it: no transaction=True needed.
@pytest.mark.django_db
def test_restore_refuses_another_projects_database_and_changes_nothing(tmp_path, safety_dir):
    before = live_state()
    foreign = tmp_path / "shop.sqlite3"
    foreign_database(foreign, [("shop", "0001_initial"), ("auth", "0001_initial")])
    # As it comes: an SQLite file with a django_migrations table, which restore used to accept.
    with pytest.raises(CommandError, match="without the manifest"):
        call_command("restore", str(foreign), yes=True)
    # Packed with a truthful manifest, as `backup` run against the wrong database would write it.
    packed = tmp_path / "shop.tar"
    with_manifest(packed, foreign)
    with pytest.raises(CommandError, match="never had this product's tables"):
        call_command("restore", str(packed), yes=True)
    # A database of a newer release: a migration this code does not have.
    newer = tmp_path / "newer.sqlite3"
    applied = sorted(backup_manifest.known_migrations())
    foreign_database(newer, [*applied, ("organizations", "9999_from_a_newer_release")])
    with_manifest(packed, newer)
    with pytest.raises(CommandError, match=r"does not have \(organizations.9999_from_a_newer"):
        call_command("restore", str(packed), yes=True)
    assert live_state() == before
    assert not safety_backups(safety_dir)


def test_restore_refuses_a_changed_backup_and_changes_nothing(tmp_path, safety_dir):
    good = tmp_path / "good.tar"
    run("backup", output=str(good))
    manifest, data = read_backup(good)
    before = live_state()
    assert before[0]["django_content_type"] > 0 and before[1]

    def refused(path, match):
        with pytest.raises(CommandError, match=match):
            call_command("restore", str(path), yes=True)
        assert live_state() == before
        assert not safety_backups(safety_dir)

    # One byte of the file changed, in the database it carries.
    changed = tmp_path / "changed.tar"
    with tarfile.open(good) as archive:
        member = archive.getmembers()[1]
    content = bytearray(good.read_bytes())
    content[member.offset_data + member.size // 2] ^= 0x01
    changed.write_bytes(bytes(content))
    refused(changed, "does not match the checksum")
    # One figure of the manifest changed.
    edited = {**manifest, "rows": {**manifest["rows"], "django_content_type": 1}}
    write_backup(changed, edited, data)
    refused(changed, "manifest does not match its checksum")
    # Changed with its checksum made to match: the manifest is checked against what it carries.
    write_backup(changed, backup_manifest.seal(edited), data)
    refused(changed, "django_content_type: 1 in the manifest")
    # The database without its manifest (tar -xf of a backup, or one of a release before manifests).
    (tmp_path / "bare").write_bytes(data)
    refused(tmp_path / "bare", "without the manifest")
    # Another product's manifest.
    write_backup(changed, backup_manifest.seal({**manifest, "product": "another"}), data)
    refused(changed, "names the product 'another'")
    # The unchanged file restores (a dry run: without --yes it is only checked).
    with pytest.raises(CommandError, match="is an intact backup of this product"):
        call_command("restore", str(good))


def test_backup_keeps_only_the_newest_when_asked(tmp_path):
    old = [tmp_path / f"opfoelgning-2020010{n}-000000.sqlite3" for n in range(1, 4)]
    for n, path in enumerate(old):
        path.write_bytes(b"old")
        os.utime(path, (1_600_000_000 + n, 1_600_000_000 + n))
    unrelated = tmp_path / "keep-me.txt"
    unrelated.write_text("not a backup")
    output = run("backup", output=str(tmp_path), keep=2)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "keep-me.txt" in names
    assert old[2].name in names and old[0].name not in names and old[1].name not in names
    assert "removed 2 older" in output


def test_missing_pg_tool_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup_module.glob, "glob", lambda pattern: [])
    with pytest.raises(CommandError, match="pg_restore was not found"):
        backup_module.pg_tool("pg_restore")
    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match="pg_dump was not found"):
            call_command("backup", output=str(tmp_path))
        assert not list(tmp_path.iterdir())  # no half-written file left behind


def test_pg_tools_get_the_password_from_the_environment_not_the_command_line():
    env = backup_module.pg_env(
        {"NAME": "db", "USER": "app", "PASSWORD": "s3cret", "HOST": "h", "PORT": 5433,
         "OPTIONS": {"sslmode": "require"}}
    )  # fmt: skip
    assert (env["PGPASSWORD"], env["PGUSER"], env["PGPORT"], env["PGSSLMODE"]) == (
        "s3cret", "app", "5433", "require",
    )  # fmt: skip
