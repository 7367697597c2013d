from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workforce.demo import create_workforce_demo


class Command(BaseCommand):
    help = (
        "Create synthetic Allerød institutions, staffing and two projection scenarios, calibrated "
        "to the seeded 2023 facts and marked as demo data. Deterministic; a second run adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for the local demo; refusing with DEBUG off.")
        created = create_workforce_demo()
        self.stdout.write(
            f"Workforce demo: {created['institutions']} institutions, "
            f"{created['snapshots']} staffing snapshots added (marked as demo data)."
        )
