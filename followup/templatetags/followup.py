"""The frozen annex stores plain JSON (dates as ISO text, numbers as decimal text); these turn them
back into values that Django's date and number formats then show in the reader's language."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def iso_date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def decimal_text(value: str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
