"""The daily e-mails, one job after another, for the one systemd unit that starts them
(deploy/opfoelgning-reminders.service): a job that fails does not keep the others from running."""

import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.commands import add_date_option, date_option

log = logging.getLogger(__name__)

# In the order they run: the reminders to contact persons (docs/reminders.md), the follow-up rounds'
# digests and the follow e-mails (docs/followup-rounds.md). Each sends at most once a day.
JOBS = ("send_followup_reminders", "send_round_digests", "send_follow_digests")


class Command(BaseCommand):
    help = (
        "Send the daily e-mails: " + ", ".join(JOBS) + ", each in turn. A job that fails is "
        "reported and the next still runs; the command then exits non-zero naming it. Run daily."
    )

    def add_arguments(self, parser):
        add_date_option(parser)

    def handle(self, *args, date=None, **options):
        date_option(date)  # a malformed --date stops everything before anything is sent
        extra = ["--date", date] if date else []
        failed = []
        for job in JOBS:
            try:
                call_command(job, *extra, stdout=self.stdout, stderr=self.stderr)
            except Exception as exc:  # noqa: BLE001 - one job's failure must not stop the others
                log.exception("daily mail: %s failed", job)
                self.stderr.write(f"{job} failed: {exc}")
                failed.append(job)
        if failed:
            # A non-zero exit makes systemd report it; each job retries what it did not send.
            raise CommandError(f"Failed: {', '.join(failed)}; the other daily e-mails were sent.")
