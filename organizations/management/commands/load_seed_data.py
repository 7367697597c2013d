import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organizations.seeding import CREATED, UNCHANGED, UPDATED, SeedError, SeedLoader


class Command(BaseCommand):
    help = (
        "Load the facts of the source documents (fixtures/) idempotently by natural key, "
        "all or nothing, and print what was created, updated or left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", default=str(settings.SEED_DATA_DIR), help="Folder with the seed files."
        )

    def handle(self, *args, directory, **options):
        loader = SeedLoader(directory)
        try:
            with transaction.atomic():
                for app_config in apps.get_app_configs():
                    module_name = f"{app_config.name}.seed"
                    if importlib.util.find_spec(module_name) is None:
                        continue
                    importlib.import_module(module_name).load(loader)
        except SeedError as exc:
            raise CommandError(f"Seed data not loaded (nothing changed): {exc}") from None
        for line in loader.summary_lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seed data loaded: {loader.total(CREATED)} created, "
                f"{loader.total(UPDATED)} updated, {loader.total(UNCHANGED)} unchanged."
            )
        )
