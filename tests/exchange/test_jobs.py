"""Background imports: a large file answers at once with a job page; the worker (django-tasks'
``db_worker``) checks it, the person confirms the preview, the worker applies it in one transaction.
A job that fails, or whose worker dies, leaves nothing half-applied and says so."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from core import jobs
from core.models import ImportJob
from employment_plan import services as plan_services
from employment_plan.models import Measurement
from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory

# PostgreSQL: imports, transactions.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

URL = "admin:employment_plan_measurement_import"
ROWS = 1_200
State = ImportJob.State


@pytest.fixture
def plan(allerod):
    plan = PlanFactory(
        municipality=allerod,
        title="Jobplan",
        period_start=datetime.date(2000, 1, 1),
        period_end=datetime.date(2030, 12, 31),
    )
    IndicatorFactory(focus_area=FocusAreaFactory(plan=plan), code="7.1", unit="count")
    return plan


@pytest.fixture(autouse=True)
def background(settings):
    settings.IMPORT_BACKGROUND_ROWS = 100  # so a test-sized file is a large one


def rows_file(rows=ROWS):
    lines = ["indikator;dato;værdi"]
    start = datetime.date(2001, 1, 1)
    lines += [f"7.1;{start + datetime.timedelta(days=n)};{n},5" for n in range(rows)]
    return SimpleUploadedFile("maalinger.csv", "\n".join(lines).encode())


@pytest.fixture
def work(monkeypatch):
    """Run the queued tasks as the deployed worker does, then stop. The worker closes stale database
    connections between tasks; here that connection holds the test's transaction, so it stays."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)

    return run


def start(client, plan):
    response = client.post(reverse(URL), {"plan": plan.pk, "file": rows_file()})
    assert response.status_code == 302
    return ImportJob.objects.get(), response["Location"]


def test_a_large_file_answers_at_once_with_a_job_page(login, hr_officer, plan):
    client = login(hr_officer)
    job, location = start(client, plan)
    assert location == reverse("admin:employment_plan_measurement_import_job", args=[job.pk])
    assert (job.state, job.total, job.actor) == (State.QUEUED, ROWS, hr_officer)
    assert DBTaskResult.objects.count() == 1  # queued for the worker, not run in the request
    assert not Measurement.objects.exists()
    response = client.get(location)
    assert response["Refresh"] == "5"  # follows itself without JavaScript
    assert 'data-state="queued"' in response.content.decode()
    # … unless the reader stops it (WCAG 2.2.1), with a way back.
    still = client.get(location + "?follow=0")
    assert "Refresh" not in still and 'data-follow="off"' in still.content.decode()


def test_the_worker_checks_then_applies_after_confirmation(login, hr_officer, plan, work):
    client = login(hr_officer)
    job, location = start(client, plan)
    work()
    job.refresh_from_db()
    assert job.state == State.CHECKED and job.counts["new"] == ROWS and job.done == ROWS
    response = client.get(location)
    page = response.content.decode()
    assert 'data-import="ok"' in page and "Refresh" not in response  # nothing more to follow
    assert 'data-action="new"' in page  # the preview's first rows
    assert not Measurement.objects.exists()  # nothing before the confirmation

    assert client.post(location, {"confirm": "1"}).status_code == 302
    job.refresh_from_db()
    assert job.state == State.CONFIRMED
    work()
    job.refresh_from_db()
    assert job.state == State.DONE and job.payload is None and job.finished_at
    assert Measurement.objects.count() == ROWS
    assert Measurement.objects.filter(entered_by=hr_officer).count() == ROWS
    assert AuditEntry.objects.filter(model_label="employment_plan.measurement").count() == ROWS
    # The job, its outcome and its actor are in the audit log.
    entries = AuditEntry.objects.filter(model_label="core.importjob", object_id=str(job.pk))
    assert entries.filter(action="create", actor=hr_officer).exists()
    assert any(e.changes.get("state") == ["applying", "done"] for e in entries)
    page = client.get(location).content.decode()
    assert 'data-state="done"' in page


def test_the_page_shows_progress_while_the_worker_runs(login, hr_officer, plan):
    client = login(hr_officer)
    job, location = start(client, plan)
    ImportJob.objects.filter(pk=job.pk).update(state=State.CHECKING, done=600)
    page = client.get(location).content.decode()
    assert f'<progress max="{ROWS}" value="600"' in page
    assert "600 af 1.200 rækker" in page or "600 of 1,200 rows" in page


def test_a_refused_file_says_why_and_writes_nothing(login, hr_officer, plan, work):
    client = login(hr_officer)
    content = rows_file().read().decode() + "\n7.1;2031-05-01;4\n7.1;2002-01-01;fire"
    client.post(
        reverse(URL), {"plan": plan.pk, "file": SimpleUploadedFile("m.csv", content.encode())}
    )
    work()
    job = ImportJob.objects.get()
    assert job.state == State.REFUSED and job.payload is None
    located = {(row, column) for row, column, _message in job.errors}
    assert located == {(ROWS + 2, "dato"), (ROWS + 3, "værdi")}
    assert "fire" in client.get(reverse(URL + "_job", args=[job.pk])).content.decode()
    assert not Measurement.objects.exists()


def test_a_job_that_fails_while_saving_writes_nothing(login, hr_officer, plan, monkeypatch, work):
    client = login(hr_officer)
    job, location = start(client, plan)
    work()
    client.post(location, {"confirm": "1"})
    real = plan_services.measurements_record_many

    def fail_after_the_first_batch(*, items, acting_user, on_progress=None):
        real(items=list(items)[:500], acting_user=acting_user, on_progress=on_progress)
        assert Measurement.objects.count() == 500  # written, inside the transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(plan_services, "measurements_record_many", fail_after_the_first_batch)
    work()
    job.refresh_from_db()
    assert job.state == State.FAILED and "disk full" in job.message
    assert not Measurement.objects.exists()
    assert not AuditEntry.objects.filter(model_label="employment_plan.measurement").exists()
    assert DBTaskResult.objects.failed().count() == 1


def test_a_worker_that_dies_mid_job_leaves_nothing_and_the_job_is_marked_failed(
    login, hr_officer, plan, monkeypatch, work
):
    client = login(hr_officer)
    job, location = start(client, plan)
    work()
    client.post(location, {"confirm": "1"})

    def killed(**kwargs):
        raise KeyboardInterrupt  # the process ends here: no except clause of ours runs

    monkeypatch.setattr(plan_services, "measurements_record_many", killed)
    work()
    job.refresh_from_db()
    assert job.state == State.APPLYING  # nobody was left to say otherwise …
    assert not Measurement.objects.exists()  # … and the transaction was never committed
    later = timezone.now() - jobs.STALE_AFTER - datetime.timedelta(seconds=1)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=later)
    page = client.get(location).content.decode()
    job.refresh_from_db()
    assert job.state == State.FAILED and 'data-state="failed"' in page
    assert "Nothing was imported" in job.message or "Intet blev importeret" in job.message


def test_a_preview_not_confirmed_within_the_hour_expires(login, hr_officer, plan, work):
    client = login(hr_officer)
    job, location = start(client, plan)
    work()
    later = timezone.now() - datetime.timedelta(hours=1, seconds=1)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=later)
    client.post(location, {"confirm": "1"})
    job.refresh_from_db()
    assert job.state == State.EXPIRED and job.payload is None
    assert not Measurement.objects.exists()


def test_only_the_starter_follows_the_job(login, hr_officer, administrator, plan):
    job, location = start(login(hr_officer), plan)
    other = login(administrator)
    assert other.get(location).status_code == 404
    assert other.post(location, {"confirm": "1"}).status_code == 404


def test_a_staff_list_job_keeps_only_the_aggregated_rows(
    login, hr_officer, allerod, settings, work
):
    """The worker is handed the aggregated rows, never the staff list (pseudonyms, birth years)."""
    from organizations.models import Profession, UnitKind
    from tests.factories import UnitFactory

    settings.IMPORT_BACKGROUND_ROWS = 1  # even two aggregated rows go to the worker
    UnitFactory(municipality=allerod, name="Solsikken", kind=UnitKind.DAYCARE)
    UnitFactory(municipality=allerod, name="Skovvang", kind=UnitKind.CARE_HOME)
    Profession.objects.get_or_create(
        key="paedagog", defaults={"name": "Pædagog", "name_plural": "Pædagoger"}
    )
    lines = ["id;fødselsår;faggruppe;institution;fte;startdato"]
    lines += [f"P{n:04d};1980;paedagog;Solsikken;1;2010-01-01" for n in range(30)]
    lines += [f"Q{n:04d};1970;paedagog;Skovvang;0,5;2012-01-01" for n in range(10)]
    upload = SimpleUploadedFile("ansatte.csv", "\n".join(lines).encode())
    client = login(hr_officer)
    response = client.post(
        reverse("admin:workforce_staffingsnapshot_import"),
        {"municipality": allerod.pk, "date": "2023-01-01", "file": upload},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.total == 2 and "P0001" not in str(job.payload) and "1980" not in str(job.payload)
    work()
    client.post(response["Location"], {"confirm": "1"})
    work()
    from workforce.models import StaffingSnapshot

    assert dict(StaffingSnapshot.objects.values_list("unit__name", "fte")) == {
        "Solsikken": Decimal(30),
        "Skovvang": Decimal(5),
    }


def test_small_files_stay_in_the_request(login, hr_officer, plan, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2_000
    response = login(hr_officer).post(reverse(URL), {"plan": plan.pk, "file": rows_file(50)})
    assert response.status_code == 200 and response.context["payload"]
    assert not ImportJob.objects.exists()


@pytest.mark.long
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_process_leaves_no_partial_rows(hr_officer, plan):
    """The real thing: a worker process is killed (SIGKILL) while it saves; the database rolls its
    transaction back, and the job's page then says it failed."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a second process shares the test database on PostgreSQL only")
    from core import importing as pipeline
    from employment_plan.importing import SUBJECT

    job = jobs.start(
        SUBJECT,
        pipeline.read(rows_file(20_000)),
        user=hr_officer,
        options={"plan": plan},
        file_name="big.csv",
    )
    ImportJob.objects.filter(pk=job.pk).update(state=State.CONFIRMED)  # checked and confirmed
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--interval", "0"],
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while ImportJob.objects.get(pk=job.pk).state != State.APPLYING:
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never started"
            time.sleep(0.05)
        time.sleep(1.0)  # well into checking and saving 20,000 rows
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL  # killed, not finished
    assert not Measurement.objects.exists()
    later = timezone.now() - jobs.STALE_AFTER - datetime.timedelta(seconds=1)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=later)
    job.refresh_from_db()
    jobs.notice_stale(job)
    assert job.state == State.FAILED


def test_a_progress_count_the_database_refuses_for_a_moment_does_not_fail_the_job(
    login, hr_officer, plan, work, monkeypatch
):
    """SQLite may refuse a write while the job's page reads the table ("database table is
    locked"); the count is advisory, the job goes on."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    client = login(hr_officer)
    job, _location = start(client, plan)
    real_update = QuerySet.update
    refused: list[int] = []

    def locked_once(queryset, **values):
        if queryset.model is ImportJob and set(values) == {"done", "updated_at"} and not refused:
            refused.append(values["done"])
            raise OperationalError("database table is locked: core_importjob")
        return real_update(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", locked_once)
    work()
    job.refresh_from_db()
    assert refused and job.state == State.CHECKED and job.counts["new"] == ROWS
