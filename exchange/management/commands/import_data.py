"""Import a file too large for the browser, with the same checks and services as the admin's import.

    manage.py import_data measurements FILE --user hr --plan "Beskæftigelsesplan 2026" [--dry-run]
    manage.py import_data recommendations FILE --user hr [--dry-run]
    manage.py import_data staffing FILE --user hr --municipality allerod [--date 2026-01-01]

Every row is checked first (with a progress line: rows done, rows per second, time left); nothing is
saved unless every row is valid, and then everything is saved in one transaction. ``--dry-run``
stops after the check. The acting user's permissions apply exactly as in the admin, and the history
records them as the author.
"""

import datetime
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.tabular import TableError, read_table
from exchange.progress_line import Progress
from organizations import access
from organizations.models import Municipality

SUBJECTS = ("recommendations", "measurements", "staffing")
# The command line's limits: far beyond a browser upload's, still bounded (a zip bomb is refused).
LIMITS = {"max_rows": 2_000_000, "max_bytes": 1024**3, "max_unpacked": 4 * 1024**3}
SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("subject", choices=SUBJECTS)
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the acting user's username")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")
        parser.add_argument("--plan", help="measurements: the employment plan's id or title")
        parser.add_argument("--municipality", help="staffing: the municipality's slug or code")
        parser.add_argument("--date", help="staffing from a staff list: the snapshot's date")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        started = time.monotonic()
        try:
            summary = getattr(self, f"_{options['subject']}")(path, user, options)
        except TableError as exc:
            raise CommandError(f"The file was refused: {exc}") from None
        except PermissionDenied:
            raise CommandError(
                f"{user.username} may not import {options['subject']} here."
            ) from None
        elapsed = time.monotonic() - started
        verb = "Checked (dry run, nothing saved)" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb}: {summary['rows']:,} rows in {elapsed:,.1f} s — created {summary['created']:,}, "
            f"updated {summary['updated']:,}, unchanged {summary['unchanged']:,}."
        )

    # Subjects ----------------------------------------------------------------------------------
    def _recommendations(self, path, user, options):
        from recommendations import importing

        header, rows = self._read(path)
        progress = Progress(len(rows), stream=self.stderr, label="checking")
        result = importing.preview(header, rows, user=user, on_progress=progress)
        progress.finish()
        self._refuse_errors(
            result.header_errors,
            [(r.row, column, message) for r in result.rows for column, message in r.errors],
        )
        summary = {
            "rows": len(rows),
            "created": 0,
            "updated": result.count("change"),
            "unchanged": result.count("unchanged"),
        }
        if not options["dry_run"]:
            progress.phase("saving")
            applied = importing.apply(header, rows, user=user, on_progress=progress)
            progress.finish()
            self._refuse_errors(
                applied.header_errors,
                [(r.row, column, message) for r in applied.rows for column, message in r.errors],
            )
        return summary

    def _measurements(self, path, user, options):
        from employment_plan import importing
        from employment_plan.models import EmploymentPlan

        if not options["plan"]:
            raise CommandError("--plan is required for measurements (the plan's id or title).")
        plans = EmploymentPlan.objects.select_related("municipality")
        wanted = options["plan"]
        plan = (plans.filter(pk=wanted).first() if wanted.isdigit() else None) or plans.filter(
            title=wanted
        ).first()
        if plan is None:
            raise CommandError(f"No employment plan {wanted!r}.")
        rows = importing.read_rows(path.name, path.read_bytes(), **LIMITS)
        progress = Progress(len(rows), stream=self.stderr, label="checking")
        result = importing.measurements_import(
            plan=plan, rows=rows, acting_user=user, dry_run=True, on_progress=progress
        )
        progress.finish()
        self._refuse_errors([], result.errors)
        summary = {
            "rows": len(rows),
            "created": result.count("create"),
            "updated": result.count("update"),
            "unchanged": result.count("unchanged"),
        }
        if not options["dry_run"]:
            progress.phase("checking again and saving")
            applied = importing.measurements_import(
                plan=plan, rows=rows, acting_user=user, dry_run=False, on_progress=progress
            )
            progress.finish()
            self._refuse_errors([], applied.errors)
        return summary

    def _staffing(self, path, user, options):
        from workforce import importing

        wanted = options["municipality"] or ""
        municipality = Municipality.objects.filter(slug=wanted).first() or (
            Municipality.objects.filter(code=wanted).first() if wanted.isdigit() else None
        )
        if municipality is None:
            raise CommandError("--municipality is required for staffing (its slug or code).")
        if not access.has_perm_in(user, importing.IMPORT_PERM, municipality):
            raise PermissionDenied
        date = None
        if options["date"]:
            try:
                date = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD.") from None
        header, rows = self._read(path)
        self.stderr.write(f"checking {len(rows):,} rows …")
        result = importing.preview(header, rows, municipality=municipality, date=date)
        self._refuse_errors([], result.errors)
        counts = {
            a: sum(1 for s in result.snapshots if s["action"] == a)
            for a in ("create", "update", "unchanged")
        }
        summary = {
            "rows": len(rows),
            "created": counts["create"],
            "updated": counts["update"],
            "unchanged": counts["unchanged"],
        }
        if not options["dry_run"]:
            progress = Progress(len(result.snapshots), stream=self.stderr, label="saving")
            with transaction.atomic():
                importing.apply(result, acting_user=user, on_progress=progress)
            progress.finish()
        return summary

    # Helpers -----------------------------------------------------------------------------------
    def _read(self, path):
        with path.open("rb") as handle:
            return read_table(handle, **LIMITS)

    def _refuse_errors(self, header_errors, row_errors):
        if not header_errors and not row_errors:
            return
        for message in header_errors:
            self.stderr.write(f"  {message}")
        for row, column, message in row_errors[:SHOWN_ERRORS]:
            where = f"row {row}" if row else "file"
            if column:
                where += f", column “{column}”"
            self.stderr.write(f"  {where}: {message}")
        if len(row_errors) > SHOWN_ERRORS:
            self.stderr.write(f"  … and {len(row_errors) - SHOWN_ERRORS:,} more.")
        raise CommandError(
            f"Nothing was imported: {len(header_errors) + len(row_errors):,} problem(s) in the file."
        )
