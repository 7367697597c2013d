from django import template

from core.text import format_number
from employment_plan import progress, wording

register = template.Library()


@register.filter
def unit_value(value, unit):
    """A value with its unit in the active language's number format: “12,5 %”, “6.800.000 kr.”."""
    return wording.format_value(value, unit)


@register.filter
def number(value):
    return format_number(value)


@register.filter
def percent(value):
    """Progress as a whole percentage."""
    if value is None:
        return "–"
    return wording.format_value(round(value), progress.PERCENT)


def _plain(value) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | tuple):
        return "; ".join(_plain(v) for v in value)
    return str(value)


@register.filter
def inconsistency_numbers(inconsistency):
    """The numbers of an inconsistency mapping, beside its note, in words: [("Level stated",
    "12,5"), …]."""
    if not isinstance(inconsistency, dict):
        return []
    return [
        (wording.inconsistency_label(key), _plain(value))
        for key, value in inconsistency.items()
        if key != "note"
    ]
