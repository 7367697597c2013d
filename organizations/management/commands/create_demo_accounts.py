from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from organizations import services
from organizations.demo import DEMO_ACCOUNTS
from organizations.models import Municipality, User


class Command(BaseCommand):
    help = "Create (or reset) one demo account per role and print the credentials. Demo only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Never do this on a real installation.",
        )

    @transaction.atomic
    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo accounts have well-known passwords; refusing to create them with DEBUG off."
            )
        rows = []
        for username, first, last, code, role, password in DEMO_ACCOUNTS:
            try:
                municipality = Municipality.objects.get(code=code)
            except Municipality.DoesNotExist:
                raise CommandError(
                    f"Municipality {code} is missing: run load_seed_data first."
                ) from None
            user, _ = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(password)
            user.save()
            services.membership_set(
                user=user, municipality=municipality, role=role, acting_user=None
            )
            # The command speaks English (its other lines are): the role's name too, not Danish
            # "Byrådsmedlem" inside an English sentence.
            with translation.override("en"):
                rows.append((username, password, str(role.label), municipality.name))
        self.stdout.write("Demo accounts (FOR THE LOCAL DEMO ONLY – well-known passwords):")
        for username, password, role_label, municipality_name in rows:
            self.stdout.write(
                f"  {username:<15} password {password:<20} {role_label} in {municipality_name}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} demo accounts ready."))
