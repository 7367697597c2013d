"""Background imports (django-tasks, database backend): a large file is checked and, once the person
who started it confirms the preview, applied by a worker, never in the request. Each step is the one
import pipeline (core.importing); the job's row carries its progress, preview and outcome.

A job whose worker stopped (killed, machine restarted) left nothing half-applied: the apply runs in
one transaction, which the database rolls back. Its page marks it failed once it has shown no sign of
life for ``STALE_AFTER``.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from . import importing
from .importing import Preview, Subject, Table
from .models import ImportJob

log = logging.getLogger(__name__)
State = ImportJob.State
STALE_AFTER = datetime.timedelta(minutes=10)
SAMPLE_ROWS = 100  # preview rows kept on the job's page
SHOWN_ERRORS = 200


def background_threshold() -> int:
    """Files with more rows than this are checked and applied by the worker."""
    return int(getattr(settings, "IMPORT_BACKGROUND_ROWS", 2000))


def start(
    subject: Subject, table: Table, *, user: Any, options: dict[str, Any], file_name: str
) -> ImportJob:
    """A job for ``table`` (already in the subject's shape: ``subject.transform``), queued for
    checking once this transaction commits."""
    with transaction.atomic():
        job = ImportJob(
            subject=subject.key,
            actor=user,
            file_name=file_name[:255],
            options=importing.options_data(options),
            payload=table.to_json(),
            total=len(table.rows),
        )
        job.save()
        run_import_job.enqueue(job.pk)
    return job


def confirm(job: ImportJob) -> bool:
    """Queue the apply of a checked job; False when the preview has expired."""
    if expire(job) or job.state != State.CHECKED:
        return False
    job.state, job.done = State.CONFIRMED, 0
    with transaction.atomic():
        job.save(update_fields=["state", "done", "updated_at"])
        run_import_job.enqueue(job.pk)
    return True


def cancel(job: ImportJob) -> None:
    if job.state == State.CHECKED:
        _finish(job, State.EXPIRED, _("Cancelled; nothing was imported."))


def expire(job: ImportJob) -> bool:
    """A preview not confirmed within the payload's lifetime is no longer applied."""
    age = timezone.now() - job.updated_at
    if job.state == State.CHECKED and age.total_seconds() > importing.PAYLOAD_MAX_AGE:
        _finish(job, State.EXPIRED, _("The preview has expired; upload the file again."))
        return True
    return False


def notice_stale(job: ImportJob) -> None:
    """A job that shows no sign of life: its worker stopped; nothing was written."""
    if (
        job.state in (State.CHECKING, State.APPLYING)
        and timezone.now() - job.updated_at > STALE_AFTER
    ):
        _finish(
            job,
            State.FAILED,
            _(
                "The worker stopped while the job ran. Nothing was imported; start the import again."
            ),
        )


@task()
def run_import_job(job_id: int) -> str:
    """The worker's step: check a queued job, or apply a confirmed one."""
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    try:
        if job.state == State.QUEUED:
            _check(job)
        elif job.state == State.CONFIRMED:
            _apply(job)
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _finish(job, State.FAILED, _("The import failed and nothing was imported: %s") % reason)
        raise
    return job.state


def _inputs(job: ImportJob) -> tuple[Subject, Table, dict[str, Any]]:
    subject = importing.SUBJECTS[job.subject]
    options = importing.clean_options(subject, job.actor, job.options)
    return subject, Table.from_json(job.payload or {"header": [], "rows": []}), options


def _check(job: ImportJob) -> None:
    _move(job, State.CHECKING)
    subject, table, options = _inputs(job)
    preview, _context = importing.check(
        subject, table, user=job.actor, options=options, progress=_reporter(job)
    )
    _keep_preview(job, preview)
    if preview.ok:
        _move(job, State.CHECKED, message=", ".join(importing.describe(preview)), done=job.total)
    else:
        _finish(job, State.REFUSED, _("The file was refused; nothing was imported."))


def _apply(job: ImportJob) -> None:
    _move(job, State.APPLYING)
    subject, table, options = _inputs(job)
    preview = importing.apply(
        subject,
        table,
        user=job.actor,
        options=options,
        progress=_reporter(job),
        saved=_reporter(job),
    )
    _keep_preview(job, preview)
    if preview.applied:
        _finish(job, State.DONE, _("Imported: %s.") % ", ".join(importing.describe(preview)))
    else:
        _finish(job, State.FAILED, _("The file was refused; nothing was imported."))


def _keep_preview(job: ImportJob, preview: Preview) -> None:
    job.counts = preview.counts
    job.errors = [list(e) for e in preview.errors[:SHOWN_ERRORS]]
    job.sample = [
        {
            "row": r.row,
            "label": r.label,
            "action": r.action,
            "changes": [
                {
                    "column": str(c.column),
                    "old": importing.shown(c.old),
                    "new": importing.shown(c.new),
                }
                for c in r.changes
            ],
            "errors": r.errors,
        }
        for r in preview.rows[:SAMPLE_ROWS]
    ]


def _move(job: ImportJob, state: str, message: str = "", done: int = 0) -> None:
    job.state, job.done, job.message = state, done, message
    job.save()


def _finish(job: ImportJob, state: str, message: str) -> None:
    job.state, job.message, job.payload = state, message, None
    job.finished_at = timezone.now()
    job.save()


def _reporter(job: ImportJob) -> importing.Progress:
    """Rows done, written where the job's page can read it while the apply's transaction is open:
    through the ``IMPORT_PROGRESS_DATABASE`` connection (PostgreSQL: a second connection). On the
    default connection (SQLite, one writer) the counts written inside the apply's transaction are
    seen when it commits; the page shows the state "saving the rows" meanwhile."""
    alias = getattr(settings, "IMPORT_PROGRESS_DATABASE", DEFAULT_DB_ALIAS)

    def report(done: int) -> None:
        try:
            # A savepoint: a refused tick leaves the transaction it is written in whole.
            with transaction.atomic(using=alias):
                ImportJob.objects.using(alias).filter(pk=job.pk).update(
                    done=done, updated_at=timezone.now()
                )
        except OperationalError:
            # SQLite refused the write for a moment (another connection was reading the table,
            # as the job's page does while it refreshes): a count is advisory, the next tick or
            # the job's end writes it. The job itself goes on.
            log.info("import job %s: progress not written this time", job.pk)

    return report
