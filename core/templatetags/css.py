"""Text from the database or the translations inside a CSS string, e.g. for ``content:``."""

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def css_string(value: object) -> SafeString:
    """``value`` as a quoted CSS string. Every character but letters, digits and spaces is written
    as a CSS escape (``\\22 `` for ``"``), so neither the string nor a ``<style>`` element around it
    can be closed early whatever the text holds; safe in a ``<style>`` element and an attribute."""
    escaped = "".join(
        char if char.isalnum() or char == " " else f"\\{ord(char):x} " for char in str(value)
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308  # every markup character is escaped above
