"""The daily e-mail to each person who follows something: the status changes recorded since the
last one, of the recommendations they follow (directly or through their report) and may still see.

- What is a status change is read from the history (``recommendations.selectors.status_changes``):
  a change recorded after the person started following, up to the end of the day it is sent for.
- What they may see is asked again at sending (``selectors.follows_visible_to``): someone who lost
  access to a municipality, or whose recommendation was moved out of their sight, hears nothing
  more about it.
- At most one e-mail a person a day (``FollowDigestSent``, unique per person and day), and never
  the same change twice (``FollowChangeSent``, unique per person and history entry): both are
  written in the transaction that sends, so a refused e-mail records nothing and is retried.
- Nothing is sent when nothing changed, nor to an inactive account or one without an address.

Each e-mail carries ``List-Unsubscribe`` with the person's signed link and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058): the mail program's own
"unsubscribe" stops every follow without logging in (``followup.follows``).
"""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.mail import automatic_message, deliver_once, site_url
from organizations.models import Municipality, User
from recommendations.models import Recommendation, StatusUpdate
from recommendations.selectors import status_changes

from . import selectors
from .follows import unsubscribe_token
from .models import FollowChangeSent, FollowDigestSent
from .reminders import DIGEST_LANGUAGE, DigestResult

WIDTH = 72


@dataclass
class Change:
    update: StatusUpdate
    municipality: Municipality  # the address its link points to: where it was followed


@dataclass
class FollowDigest:
    user: User
    changes: list[Change] = field(default_factory=list)

    @property
    def recommendation_count(self) -> int:
        return len({c.update.recommendation_id for c in self.changes})


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def changes_for(user: User, until: datetime.datetime) -> list[Change]:
    """The status changes not yet told to ``user``, of what they follow and may still see,
    recorded after they started following it and before ``until``: a fixed number of queries
    (the user's roles, their follows, the changes) whatever the number of follows."""
    follows = list(selectors.follows_visible_to(user).select_related("municipality"))
    if not follows:
        return []
    condition = Q(pk__in=[])
    for follow in follows:
        if follow.recommendation_id is not None:
            target = Q(recommendation=follow.recommendation_id)
        else:
            target = Q(recommendation__report=follow.report_id)
        condition |= target & Q(created_at__gte=follow.created_at)
    told = FollowChangeSent.objects.filter(user=user).values("status_update")
    updates = status_changes(
        StatusUpdate.objects.filter(condition, created_at__lt=until).exclude(pk__in=told)
    )
    direct = {f.recommendation_id: f.municipality for f in follows if f.recommendation_id}
    by_report = {f.report_id: f.municipality for f in follows if f.report_id}
    changes = []
    for update in updates:
        municipality = direct.get(update.recommendation_id) or by_report.get(
            update.recommendation.report_id
        )
        if municipality is not None:
            changes.append(Change(update, municipality))
    return changes


def recipients(exclude: Iterable[int] = ()) -> list[User]:
    """The active people with an e-mail address who follow something (one query)."""
    return list(
        User.objects.filter(is_active=True, follows__isnull=False)
        .exclude(email="")
        .exclude(pk__in=list(exclude))
        .distinct()
        .order_by("pk")
    )


def due(today: datetime.date, users: Iterable[User] | None = None) -> list[FollowDigest]:
    """Who gets which changes on ``today`` (nothing sent, nothing recorded)."""
    until = _end_of(today)
    digests = []
    for user in recipients() if users is None else users:
        changes = changes_for(user, until)
        if changes:
            digests.append(FollowDigest(user, changes))
    return digests


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _recommendation_url(recommendation: Recommendation, municipality: Municipality) -> str:
    return site_url(reverse("recommendation-detail", args=[municipality.slug, recommendation.pk]))


def unsubscribe_url(user: User) -> str:
    return site_url(reverse("follow-unsubscribe", args=[unsubscribe_token(user)]))


def _change_lines(update: StatusUpdate) -> list[str]:
    """ "3. marts 2027: I gang → Forsinket" and the reason given, if any."""
    assert update.old_status is not None  # status_changes: a change has an old status
    lines = _wrapped(
        _("%(date)s: %(old)s → %(new)s")
        % {
            "date": formats.date_format(update.effective_on, "DATE_FORMAT"),
            "old": update.old_status.label,
            "new": update.new_status.label,
        },
        "  ",
    )
    if update.note.strip():
        lines += _wrapped(_("Reason: %(reason)s") % {"reason": update.note.strip()}, "    ")
    return lines


def render(digest: FollowDigest, connection=None) -> EmailMultiAlternatives:
    user = digest.user
    stop = unsubscribe_url(user)
    count = digest.recommendation_count
    with translation.override(DIGEST_LANGUAGE):
        lines = [_("Hello %(name)s,") % {"name": user.get_full_name() or user.username}, ""]
        lines += textwrap.wrap(
            ngettext(
                "The status of %(count)d recommendation you follow has changed:",
                "The status of %(count)d recommendations you follow has changed:",
                count,
            )
            % {"count": count},
            WIDTH,
        )
        by_recommendation: dict[int, list[Change]] = {}
        for change in digest.changes:
            by_recommendation.setdefault(change.update.recommendation_id, []).append(change)
        report_id = None
        for changes in by_recommendation.values():
            recommendation = changes[0].update.recommendation
            lines.append("")
            if recommendation.report_id != report_id:  # status_changes orders them per report
                report_id = recommendation.report_id
                report = recommendation.report.title
                lines += _wrapped(_("Report: %(report)s") % {"report": report}, "") + [""]
            lines += _wrapped(f"{recommendation.number}. {recommendation.title}", "")
            for change in changes:
                lines += _change_lines(change.update)
            lines.append("  " + _recommendation_url(recommendation, changes[0].municipality))
        lines.append("")
        lines += textwrap.wrap(
            _(
                "You get this e-mail because you follow these recommendations or their report; "
                "at most one a day, and only when a status has changed."
            ),
            WIDTH,
        )
        lines += ["", _("See and change what you follow:"), "  " + site_url(reverse("my-follows"))]
        lines += ["", _("Stop these e-mails (no login needed):"), "  " + stop]
        subject = ngettext(
            "Status changed: %(count)d recommendation you follow",
            "Status changed: %(count)d recommendations you follow",
            count,
        ) % {"count": count}
    return automatic_message(
        subject=subject,
        lines=lines,
        to=user.email,
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{stop}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def preview(today: datetime.date) -> list[EmailMultiAlternatives]:
    """The messages ``send`` would send on ``today`` (nothing sent, nothing recorded)."""
    already = FollowDigestSent.objects.filter(sent_on=today).values_list("user_id", flat=True)
    return [render(d) for d in due(today, recipients(exclude=already))]


def unreachable_count() -> int:
    """People who follow something but cannot get an e-mail: inactive, or without an address."""
    return (
        User.objects.filter(follows__isnull=False)
        .filter(Q(is_active=False) | Q(email=""))
        .distinct()
        .count()
    )


def send(*, today: datetime.date | None = None, connection=None) -> DigestResult:
    today = today or timezone.localdate()
    already = set(FollowDigestSent.objects.filter(sent_on=today).values_list("user_id", flat=True))
    digests = due(today, recipients(exclude=already))

    def record(digest) -> None:
        # With the e-mail (deliver_once): each change told is recorded once per person.
        sent = FollowDigestSent.objects.create(
            user=digest.user, sent_on=today, change_count=len(digest.changes)
        )
        FollowChangeSent.objects.bulk_create(
            FollowChangeSent(digest=sent, user=digest.user, status_update=change.update)
            for change in digest.changes
        )

    delivery = deliver_once(
        digests,
        message=render,
        record=record,
        recipient=lambda digest: digest.user,
        what="Follow digest",
        connection=connection,
    )
    return DigestResult(
        sent=len(delivery.sent),
        already_sent=len(already) + delivery.already_sent,
        unreachable=unreachable_count(),
        failed=delivery.failed,
    )
