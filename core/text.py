"""Numbers, percentages, dates and names as a reader of the active language writes them: the one
place that formats them for pages, chart labels, alt texts and object names (Danish: 1.050,5;
12,0 %; 31.12.2022; Allerøds, Norddjurs'). Exports keep raw values; the writers format cells.

Templates use ``employment_plan``'s number filters and ``core/templatetags/text.py``'s ``genitive``.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats
from django.utils.translation import get_language


def format_number(value: Decimal | float | int | None, places: int | None = None) -> str:
    """A number with the language's separators; trailing zeros dropped (64.0 → "64", 0.1200 →
    "0,12"), or rounded to ``places`` decimals when given. None is "–"."""
    if value is None:
        return "–"
    value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
        return formats.number_format(value, places, use_l10n=True, force_grouping=True)
    normal = value.normalize()
    if normal == normal.to_integral_value():
        normal = normal.quantize(Decimal(1))
    return formats.number_format(normal, use_l10n=True, force_grouping=True)


def format_percent(share: Decimal | float | int | None, places: int = 1) -> str:
    """A share (0.12) as a percentage with ``places`` decimals: "12,0 %"."""
    if share is None:
        return "–"
    share = Decimal(str(share)) if isinstance(share, float) else Decimal(share)
    return f"{format_number(share * 100, places)}\u00a0%"


def format_date(day: datetime.date | None) -> str:
    """A date in the language's short format: 31.12.2022."""
    if day is None:
        return "–"
    return _short_date(day, get_language())


# Django's date formatting reads its format string character by character; an import's audit entries
# name each row by its date, thousands of rows on a few hundred dates.
@functools.lru_cache(maxsize=4096)
def _short_date(day: datetime.date, language: str | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@receiver(setting_changed)
def _forget_short_dates(**kwargs: object) -> None:
    _short_date.cache_clear()


def format_datetime(moment: datetime.datetime) -> str:
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def genitive(name: str, language: str | None = None) -> str:
    """The possessive of a name: Danish "Allerøds", "Norddjurs'" (a name ending in s, x or z takes
    an apostrophe only); English "Allerød's", "Norddjurs'"."""
    language = (language or get_language() or "da").split("-")[0]
    if name[-1:].lower() in {"s", "x", "z"}:
        return f"{name}'"
    if language == "da":
        return f"{name}s"
    return f"{name}'s"
