"""manage.py generate_demo_data --municipalities N --scale S [--seed K] [--first F] [--replace]"""

import time

from django.core.management.base import BaseCommand, CommandError

from synthetic import generator


class Command(BaseCommand):
    help = (
        "Create synthetic municipalities for capacity tests and benchmarks: 'Syntetisk kommune "
        "001' … with codes 901–999 (no real municipality has them), reports, recommendations "
        "with status histories, employment plans with monthly measurements, institutions with "
        "staffing snapshots and a projection scenario. 98 municipalities at scale 1 are about "
        "the whole country (10,000 recommendations, 1,000,000 measurements, 6,000 "
        "institutions). Deterministic for a seed. Re-running refuses when synthetic "
        "municipalities with the same numbers exist; --replace deletes those (and only those) "
        "first. Real municipalities are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=int, required=True, help="how many (1–99)")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="data per municipality relative to an average Danish municipality (default 1)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--first",
            type=int,
            default=1,
            help="number of the first municipality (default 1; code 900 + number)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete existing synthetic municipalities with the same numbers first",
        )

    def handle(self, *args, **options):
        start = time.perf_counter()

        def log(line):
            self.stdout.write(line)
            self.stdout.flush()

        try:
            counts = generator.generate(
                options["municipalities"],
                scale=options["scale"],
                seed=options["seed"],
                first=options["first"],
                replace=options["replace"],
                log=log,
            )
        except (generator.Refused, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.as_dict().items())
        self.stdout.write(f"Created {summary} in {time.perf_counter() - start:.1f} s.")
