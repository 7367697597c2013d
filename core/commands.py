"""Options the management commands share."""

import argparse
import datetime

from django.core.management.base import CommandError


def add_date_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="Act as if today were this date (for tests and backfills). Default: today.",
    )


def date_option(value: str | None) -> datetime.date | None:
    """``--date`` as a date (None: today), or a CommandError that shows the form it takes."""
    if value is None:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            f"--date {value!r} is not a date; use the form YYYY-MM-DD, e.g. 2025-03-31."
        ) from None
