from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from employment_plan.demo import create_demo_measurements


class Command(BaseCommand):
    help = (
        "Add demo measurements (data source “Demodata”, comment “[Demo] …”) to Allerød's "
        "Beskæftigelsesplan 2026, so its barometer shows statuses. Demo only; adds nothing when "
        "run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for the local demo; refusing with DEBUG off.")
        created = create_demo_measurements()
        self.stdout.write(f"Demo measurements: {created} added (data source Demodata).")
