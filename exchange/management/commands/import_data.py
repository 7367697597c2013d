"""Import a file too large for the browser, through the one import pipeline (core.importing): the
same columns, checks, services and all-or-nothing transaction as the admin's import.

    manage.py import_data measurements FILE --user hr --plan "Beskæftigelsesplan 2026" [--dry-run]
    manage.py import_data recommendations FILE --user hr [--dry-run]
    manage.py import_data staffing FILE --user hr --municipality allerod [--date 2026-01-01]

Every row is checked first (with a progress line: rows done, rows per second, time left); nothing is
saved unless every row is valid, and then everything is saved in one transaction. ``--dry-run``
stops after the check. The acting user's permissions apply exactly as in the admin, and the history
records them as the author.
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import importing
from core.importing import CHANGED, NEW, UNCHANGED
from core.tabular import TableError
from employment_plan.models import EmploymentPlan
from exchange.progress_line import Progress
from organizations.models import Municipality

# The command line's limits: far beyond a browser upload's, still bounded (a zip bomb is refused).
LIMITS = {"max_rows": 2_000_000, "max_bytes": 1024**3, "max_unpacked": 4 * 1024**3}
SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("subject", choices=sorted(importing.SUBJECTS))
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the acting user's username")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")
        parser.add_argument("--plan", help="measurements: the employment plan's id or title")
        parser.add_argument("--municipality", help="staffing: the municipality's slug or code")
        parser.add_argument("--date", help="staffing from a staff list: the snapshot's date")

    def handle(self, *args, **options):
        subject = importing.SUBJECTS[options["subject"]]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        if not subject.may_import(user):
            raise CommandError(f"{user.username} may not import {subject.key} here.")
        try:
            chosen = importing.clean_options(subject, user, self._option_data(options))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        started = time.monotonic()
        try:
            with path.open("rb") as handle:
                table = importing.read(handle, **LIMITS)
            preview = self._run(subject, table, user, chosen, options["dry_run"])
        except TableError as exc:
            raise CommandError(f"The file was refused: {exc}") from None
        except PermissionDenied:
            raise CommandError(f"{user.username} may not import {subject.key} here.") from None
        elapsed = time.monotonic() - started
        verb = "Checked (dry run, nothing saved)" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb}: {len(preview.rows):,} rows in {elapsed:,.1f} s — "
            f"created {preview.count(NEW):,}, updated {preview.count(CHANGED):,}, "
            f"unchanged {preview.count(UNCHANGED):,}."
        )

    def _run(self, subject, table, user, chosen, dry_run):
        table, refused = subject.transform(table, chosen)
        progress = Progress(len(table.rows), stream=self.stderr, label="checking")
        if refused:
            self._refuse(importing.Preview(subject.key, refused))
        preview, _context = importing.check(
            subject, table, user=user, options=chosen, progress=progress
        )
        progress.finish()
        self._refuse(preview)
        if dry_run:
            return preview
        progress.phase("checking again and saving")
        applied = importing.apply(subject, table, user=user, options=chosen, progress=progress)
        progress.finish()
        self._refuse(applied)
        return applied

    def _option_data(self, options) -> dict:
        """The command's arguments as the subject's options form reads them (ids, ISO dates)."""
        data = {}
        if options["plan"]:
            wanted = options["plan"]
            plans = EmploymentPlan.objects.all()
            plan = (plans.filter(pk=wanted).first() if wanted.isdigit() else None) or plans.filter(
                title=wanted
            ).first()
            if plan is None:
                raise CommandError(f"No employment plan {wanted!r}.")
            data["plan"] = plan.pk
        if options["municipality"]:
            wanted = options["municipality"]
            municipality = Municipality.objects.filter(slug=wanted).first() or (
                Municipality.objects.filter(code=wanted).first() if wanted.isdigit() else None
            )
            if municipality is None:
                raise CommandError(f"No municipality {wanted!r}.")
            data["municipality"] = municipality.pk
        if options["date"]:
            data["date"] = options["date"]
        return data

    def _refuse(self, preview):
        if preview.ok:
            return
        problems = preview.errors
        for row, column, message in problems[:SHOWN_ERRORS]:
            where = f"row {row}" if row else "file"
            if column:
                where += f", column “{column}”"
            self.stderr.write(f"  {where}: {message}")
        if len(problems) > SHOWN_ERRORS:
            self.stderr.write(f"  … and {len(problems) - SHOWN_ERRORS:,} more.")
        raise CommandError(f"Nothing was imported: {len(problems):,} problem(s) in the file.")
