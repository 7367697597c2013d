"""The daily digest to each contact person of the recommendations that need an update (issue #3).

Which recommendations need one is decided in ``freshness``/``selectors.needs_update``; this module
groups them per contact, renders one e-mail each and records that it was sent, at most once a day.
"""

import contextlib
import datetime
import textwrap
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.mail import automatic_message, deliver_once, site_url
from core.text import format_date
from organizations.models import User

from .freshness import freshness
from .models import Recommendation, ReminderSent
from .selectors import needs_update

# Every municipality served today works in Danish; a per-municipality language would go here.
DIGEST_LANGUAGE = "da"


@dataclass(frozen=True)
class ReminderResult:
    contacts_emailed: int = 0
    recommendations_listed: int = 0
    contacts_already_reminded: int = 0
    contacts_unreachable: int = 0  # inactive account or no e-mail address
    contacts_failed: int = 0  # the mail server refused; nothing recorded, retried next run


def send_followup_reminders(
    *, today: datetime.date | None = None, connection=None
) -> ReminderResult:
    """E-mail each active contact with an address one digest of their flagged recommendations,
    unless they already got one on ``today``. Returns what was done."""
    today = today or timezone.localdate()
    by_contact = _flagged_by_contact(today)
    already = _already_reminded(by_contact, today)

    delivery = deliver_once(
        list(by_contact.values()),
        message=lambda recs, connection: _digest(_contact(recs), recs, today, connection),
        record=lambda recs: ReminderSent.objects.create(
            contact=_contact(recs), sent_on=today, recommendation_count=len(recs)
        ),
        recipient=_contact,
        already=already,
        what="Follow-up reminder",
        connection=connection,
    )
    return ReminderResult(
        contacts_emailed=len(delivery.sent),
        recommendations_listed=sum(len(recommendations) for recommendations in delivery.sent),
        contacts_already_reminded=delivery.already_sent,
        contacts_unreachable=delivery.unreachable,
        contacts_failed=delivery.failed,
    )


def _contact(recommendations: list[Recommendation]) -> User:
    contact = recommendations[0].contact
    assert contact is not None  # only recommendations with a contact are read
    return contact


def _flagged_by_contact(today: datetime.date) -> dict[int, list[Recommendation]]:
    """One query for every flagged recommendation that has a contact, grouped in Python."""
    queryset = (
        needs_update(Recommendation.objects.filter(contact__isnull=False), today)
        .select_related("contact", "status", "report", "report__municipality")
        .order_by("contact_id", "report__title", "report_id", "sort_key", "pk")
    )
    grouped: dict[int, list[Recommendation]] = {}
    for recommendation in queryset:
        contact_id = recommendation.contact_id
        assert contact_id is not None  # filtered on contact__isnull=False
        grouped.setdefault(contact_id, []).append(recommendation)
    return grouped


def _already_reminded(contact_ids, today: datetime.date) -> set[int]:
    """Read up front so that a re-run neither renders nor tries to insert; the unique constraint
    still decides when two runs overlap."""
    return set(
        ReminderSent.objects.filter(sent_on=today, contact_id__in=contact_ids).values_list(
            "contact_id", flat=True
        )
    )


def recommendation_url(recommendation: Recommendation) -> str:
    """The absolute address of the recommendation's page, or of its admin page until the public
    page exists (or for a cross-municipal report, which has no municipality in its address)."""
    path = None
    municipality = recommendation.report.municipality
    if municipality is not None:
        with contextlib.suppress(NoReverseMatch):
            path = reverse(
                "recommendation-detail", kwargs={"slug": municipality.slug, "pk": recommendation.pk}
            )
    if path is None:
        path = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    return site_url(path)


def _reasons(recommendation: Recommendation, state: dict) -> list[str]:
    texts = []
    if "stale" in state["reasons"]:
        texts.append(_("not updated for %(days)d days") % {"days": state["days_since_update"]})
    if "overdue" in state["reasons"]:
        due = format_date(recommendation.follow_up_due)
        texts.append(_("follow-up date %(date)s has passed") % {"date": due})
    return texts


def _digest(contact, recommendations, today, connection) -> EmailMultiAlternatives:
    with translation.override(DIGEST_LANGUAGE):
        subject = _("Recommendations that need an update: %(count)d") % {
            "count": len(recommendations)
        }
        lines = [
            _("Hello %(name)s,") % {"name": contact.get_full_name() or contact.username},
            "",
            _("These recommendations, for which you are the contact person, need an update:"),
        ]
        report_id = None
        for recommendation in recommendations:
            if recommendation.report_id != report_id:
                report_id = recommendation.report_id
                lines += ["", recommendation.report.title]
            state = freshness(recommendation, today)
            lines += [
                f"  {recommendation.number}. {recommendation.title}",
                "     "
                + _("Status: %(status)s. Days since last update: %(days)d.")
                % {"status": recommendation.status.label, "days": state["days_since_update"]},
                "     "
                + _("Why: %(reasons)s") % {"reasons": "; ".join(_reasons(recommendation, state))},
                f"     {recommendation_url(recommendation)}",
            ]
        closing = _(
            "Open each recommendation to record where it stands. You get at most one "
            "reminder a day while any of your recommendations need an update."
        )
        lines += ["", textwrap.fill(closing, width=72)]
    return automatic_message(subject=subject, lines=lines, to=contact.email, connection=connection)
