"""The template side of ``core.text`` that Django's own filters lack: ``{{ name|genitive }}``.
Numbers on pages go through ``employment_plan``'s ``number``/``unit_value`` filters, which call
``core.text`` too; dates through Django's ``date:"SHORT_DATE_FORMAT"``."""

from django import template

from core import text

register = template.Library()


@register.filter
def genitive(name: object) -> str:
    return text.genitive(str(name))
