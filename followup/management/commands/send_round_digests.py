import datetime

from django.core.management.base import BaseCommand, CommandError

from followup.reminders import send


class Command(BaseCommand):
    help = (
        "E-mail the follow-up rounds' digests due today: to owners when a round opens and before "
        "its deadline, to administrators at the deadline; at most one a day per person. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="Act as if today were this date (for tests and backfills). Default: today.",
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date is not None:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(
                    f"--date {date!r} is not a date; use the form YYYY-MM-DD, e.g. 2027-03-01."
                ) from None
        result = send(today=today)
        self.stdout.write(
            f"Sent {result.sent} round digest(s); {result.already_sent} already sent today, "
            f"{result.unreachable} without an active account or e-mail address, "
            f"{result.failed} refused by the mail server."
        )
