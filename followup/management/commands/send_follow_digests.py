from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.commands import add_date_option, date_option
from followup import follow_digests


class Command(BaseCommand):
    help = (
        "E-mail each person who follows recommendations or reports the status changes since their "
        "last such e-mail: at most one a day, never the same change twice, nothing when nothing "
        "changed. Run daily."
    )

    def add_arguments(self, parser):
        add_date_option(parser)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print who would get an e-mail and its subject; send and record nothing.",
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        today = date_option(date)
        if dry_run:
            messages = follow_digests.preview(today or timezone.localdate())
            for message in messages:
                self.stdout.write(f"{', '.join(message.to)}: {message.subject}")
            self.stdout.write(f"Would send {len(messages)} follow digest(s); nothing was sent.")
            return
        result = follow_digests.send(today=today)
        line = (
            f"Sent {result.sent} follow digest(s); {result.already_sent} already sent today, "
            f"{result.unreachable} follower(s) without an active account or e-mail address."
        )
        if result.failed:
            # A non-zero exit makes cron/systemd report it; the next run retries them.
            raise CommandError(
                f"{line} {result.failed} could not be sent (see the log) and will be retried on "
                "the next run."
            )
        self.stdout.write(line)
