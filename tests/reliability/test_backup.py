"""`manage.py backup` and `manage.py restore`: backup → wipe → restore gives back every row, on the
database the suite runs on (SQLite in the first pass of ./dev test, PostgreSQL in the second)."""

import datetime
import io
import os
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from employment_plan import services as plan_services
from employment_plan.models import Indicator, Measurement
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


def test_backup_wipe_restore_gives_back_every_row(seeded, tmp_path):
    counts, content = row_counts(), key_content()
    assert content["recommendations"] and content["status updates"] and content["measurements"]

    output = run("backup", output=str(tmp_path))
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.startswith("opfoelgning-")
    assert str(files[0]) in output and "Backup written" in output

    call_command("flush", interactive=False, verbosity=0)
    assert Recommendation.objects.count() == 0 and StatusUpdate.objects.count() == 0

    message = run("restore", str(files[0]), yes=True)
    assert "restored" in message
    assert row_counts() == counts
    assert key_content() == content
    # The restored database is a working one: the next status change gets the next version.
    rec = Recommendation.objects.get(pk=seeded[0].pk)
    services.recommendation_change_status(
        recommendation=rec,
        status=Status.objects.get(key="gennemfoert"),
        expected_version=rec.version,
        acting_user=None,
    )
    assert Recommendation.objects.get(pk=rec.pk).status.key == "gennemfoert"


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


def test_restore_refuses_a_damaged_backup_before_touching_the_database(tmp_path):
    path = tmp_path / "damaged.bak"
    run("backup", output=str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    statuses = Status.objects.count()
    with pytest.raises(CommandError):
        call_command("restore", str(path), yes=True)
    assert Status.objects.count() == statuses


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
