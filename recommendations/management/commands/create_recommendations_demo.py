from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommendations.demo import create_demo_history


class Command(BaseCommand):
    help = (
        "Add a demo status history (marked [Demo]) to Allerød's seeded recommendations. "
        "Demo only; adds nothing when run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for the local demo; refusing with DEBUG off.")
        created = create_demo_history()
        self.stdout.write(f"Demo status history: {created} updates added (marked [Demo]).")
