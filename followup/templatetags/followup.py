"""The frozen annex stores plain JSON (dates as ISO text, numbers as decimal text); these turn them
back into values that Django's date and number formats then show in the reader's language.

``follow_button`` puts the "Følg" button on a recommendation's or a report's page: the pages belong
to ``recommendations``, which knows nothing of following (it comes before ``followup``), so the
template asks this app."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.urls import reverse

from recommendations.models import Recommendation, Report

from ..selectors import follow_of

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


@register.inclusion_tag("followup/_follow_button.html", takes_context=True)
def follow_button(context, target: Recommendation | Report) -> dict:
    """ "Følg" or "Følger ✓ – stop med at følge" for a signed-in reader; nothing for a visitor."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    municipality = context["municipality"]
    name = "follow-recommendation" if isinstance(target, Recommendation) else "follow-report"
    return {
        "show": True,
        "following": follow_of(user, target) is not None,
        "is_report": isinstance(target, Report),
        "action": reverse(name, args=[municipality.slug, target.pk]),
        "csrf_token": context.get("csrf_token"),
    }
