"""Naming people on a municipality's pages (``organizations.access.person_label``)."""

from django import template

from organizations.access import person_label

register = template.Library()


@register.simple_tag(takes_context=True)
def person(context, user) -> str:
    """``user`` as the visitor may see them: by name for members of the page's municipality, by
    role for everyone else (the public sees the role, not the person)."""
    return person_label(user, viewer=context["request"].user, municipality=context["municipality"])
