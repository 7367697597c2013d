from django.core.management.base import BaseCommand, CommandError

from core.commands import add_date_option, date_option
from recommendations.reminders import send_followup_reminders


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


class Command(BaseCommand):
    help = (
        "E-mail each contact person one digest of their recommendations that need an update "
        "(stale or past the follow-up date), at most once a day. Run it daily from cron."
    )

    def add_arguments(self, parser):
        add_date_option(parser)

    def handle(self, *args, date=None, **options):
        today = date_option(date)

        result = send_followup_reminders(today=today)

        parts = [
            f"Sent {_count(result.contacts_emailed, 'digest', 'digests')} covering "
            f"{_count(result.recommendations_listed, 'recommendation', 'recommendations')}",
            f"{_count(result.contacts_already_reminded, 'contact', 'contacts')} "
            f"already reminded {'today' if today is None else 'on ' + today.isoformat()}",
        ]
        if result.contacts_unreachable:
            parts.append(
                f"{_count(result.contacts_unreachable, 'contact', 'contacts')} skipped "
                "(inactive or without an e-mail address)"
            )
        line = "; ".join(parts) + "."
        if result.contacts_failed:
            # A non-zero exit makes cron/systemd report it; the next run retries them.
            raise CommandError(
                f"{line} {_count(result.contacts_failed, 'digest', 'digests')} could not be "
                "sent (see the log) and will be retried on the next run."
            )
        self.stdout.write(self.style.SUCCESS(line))
