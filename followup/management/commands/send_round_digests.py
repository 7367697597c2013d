from django.core.management.base import BaseCommand, CommandError

from core.commands import add_date_option, date_option
from followup.reminders import send


class Command(BaseCommand):
    help = (
        "E-mail the follow-up rounds' digests due today: to owners when a round opens and before "
        "its deadline, to administrators at the deadline; at most one a day per person. Run daily."
    )

    def add_arguments(self, parser):
        add_date_option(parser)

    def handle(self, *args, date=None, **options):
        today = date_option(date)
        result = send(today=today)
        line = (
            f"Sent {result.sent} round digest(s); {result.already_sent} already sent today, "
            f"{result.unreachable} without an active account or e-mail address."
        )
        if result.failed:
            # A non-zero exit makes cron/systemd report it; the next run retries them.
            raise CommandError(
                f"{line} {result.failed} could not be sent (see the log) and will be retried on "
                "the next run."
            )
        self.stdout.write(line)
