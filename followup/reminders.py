"""E-mails of a follow-up round, at most one a day per person (``RoundDigestSent``):

- the day a round opens, each owner gets the list of their items (``OPENED``);
- ``reminder_days`` before the deadline, each owner who still has items not updated gets those
  (``REMINDER``);
- on the deadline, the municipality's administrators (who may open rounds) get what is missing
  (``MISSING``), if anything is.

A person's entries of every round due that day go into one digest, in Danish, with a link to "Mine
opgaver" (owners) or to the round's page (administrators). Nobody gets a digest with nothing in it,
and an entry is only ever about a round of a municipality where the person holds the role it needs.
``preview`` renders the same messages without sending or recording anything (the admin's preview).
"""

from __future__ import annotations

import datetime
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.mail import automatic_message, deliver_once, reachable, site_url
from organizations import access
from organizations.models import User

from . import selectors
from .models import DigestKind, FollowUpRound, RoundDigestSent, RoundItem, RoundState

if TYPE_CHECKING:
    from collections.abc import Iterable

# Every municipality served today works in Danish (as recommendations.reminders).
DIGEST_LANGUAGE = "da"
OPEN_PERM = "followup.open_followupround"


@dataclass
class Entry:
    kind: str
    round: FollowUpRound
    items: list[RoundItem]


@dataclass
class Digest:
    user: User
    entries: list[Entry] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(len(e.items) for e in self.entries)


@dataclass(frozen=True)
class DigestResult:
    sent: int = 0
    already_sent: int = 0
    unreachable: int = 0  # inactive account or no e-mail address
    failed: int = 0  # the mail server refused; nothing recorded, retried next run


def due(today: datetime.date, rounds: Iterable[FollowUpRound] | None = None) -> list[Digest]:
    """Who gets what on ``today``, one Digest per person (nothing sent, nothing recorded)."""
    if rounds is None:
        rounds = FollowUpRound.objects.filter(state=RoundState.OPEN).select_related(
            "municipality", "body"
        )
    digests: dict[int, Digest] = {}

    def add(user: User, kind: str, round: FollowUpRound, items: list[RoundItem]) -> None:
        if items:
            digests.setdefault(user.pk, Digest(user)).entries.append(Entry(kind, round, items))

    for round in rounds:
        if round.state != RoundState.OPEN or round.opened_at is None:
            continue
        opened_on = timezone.localdate(round.opened_at)
        reminder_on = round.deadline - datetime.timedelta(days=round.reminder_days)
        if today not in (opened_on, reminder_on, round.deadline):
            continue
        rows = list(selectors.items(round).filter(owner__isnull=False))
        by_owner: dict[int, list[RoundItem]] = defaultdict(list)
        for row in rows:
            by_owner[row.owner_id].append(row)  # type: ignore[index]  # filtered: has an owner
        for owner_rows in by_owner.values():
            owner = owner_rows[0].owner
            assert owner is not None
            # The owner must still hold a role that may update in the round's municipality.
            if not access.is_member(owner, round.municipality):
                continue
            if today == opened_on:
                add(owner, DigestKind.OPENED, round, owner_rows)
            elif today == reminder_on:
                add(owner, DigestKind.REMINDER, round, [r for r in owner_rows if not r.updated])  # type: ignore[attr-defined]
        if today == round.deadline:
            missing = [r for r in rows if not r.updated]  # type: ignore[attr-defined]
            missing += list(selectors.items(round).filter(owner__isnull=True))
            for admin in administrators(round):
                add(admin, DigestKind.MISSING, round, missing)
    return sorted(digests.values(), key=lambda d: d.user.pk)


def administrators(round: FollowUpRound) -> list[User]:
    """The active members of the round's municipality who may open rounds there (not superusers
    from elsewhere: a digest names the municipality's own items to its own people)."""
    users = User.objects.filter(
        is_active=True, memberships__municipality=round.municipality_id
    ).distinct()
    return [
        u for u in users.order_by("pk") if access.has_perm_in(u, OPEN_PERM, round.municipality_id)
    ]


def render(digest: Digest, today: datetime.date, connection=None) -> EmailMultiAlternatives:
    user = digest.user
    with translation.override(DIGEST_LANGUAGE):
        lines = [_("Hello %(name)s,") % {"name": user.get_full_name() or user.username}, ""]
        for entry in digest.entries:
            round = entry.round
            deadline = formats.date_format(round.deadline, "DATE_FORMAT")
            if entry.kind == DigestKind.OPENED:
                intro = _(
                    "The follow-up round “%(round)s” has opened. Please update your items by "
                    "%(deadline)s:"
                )
            elif entry.kind == DigestKind.REMINDER:
                intro = _(
                    "Reminder: the deadline of “%(round)s” is %(deadline)s. These items of yours "
                    "are not updated yet:"
                )
            else:
                intro = _(
                    "The deadline of “%(round)s” is today, %(deadline)s. These items are not "
                    "updated:"
                )
            lines += textwrap.wrap(intro % {"round": round.title, "deadline": deadline}, 72)
            for item in entry.items:
                owner = selectors.owner_label(item.owner) or _("no owner")
                label = _item_label(item)
                lines.append(
                    f"  - {label}" + (f" ({owner})" if entry.kind == DigestKind.MISSING else "")
                )
            if entry.kind == DigestKind.MISSING:
                link = reverse("followup-round", args=[round.municipality.slug, round.pk])
            else:
                link = reverse("my-tasks")
            lines += ["  " + site_url(link), ""]
        lines += textwrap.wrap(
            _(
                "You get at most one e-mail like this a day. “My tasks” lists everything you "
                "have to update."
            ),
            72,
        )
        subject = _subject(digest)
    return automatic_message(subject=subject, lines=lines, to=user.email, connection=connection)


def _item_label(item: RoundItem) -> str:
    if item.recommendation is not None:
        return f"{item.recommendation.number}. {item.recommendation.title}"
    assert item.indicator is not None
    return _("Indicator %(code)s: %(title)s") % {
        "code": item.indicator.code,
        "title": item.indicator.title,
    }


def _subject(digest: Digest) -> str:
    kinds = {e.kind for e in digest.entries}
    count = digest.item_count
    if kinds == {DigestKind.MISSING}:
        text = ngettext(
            "Follow-up round: %(count)d item not updated at the deadline",
            "Follow-up round: %(count)d items not updated at the deadline",
            count,
        )
    else:
        text = ngettext(
            "Follow-up round: %(count)d item for you to update",
            "Follow-up round: %(count)d items for you to update",
            count,
        )
    return text % {"count": count}


def preview(
    today: datetime.date, rounds: Iterable[FollowUpRound] | None = None
) -> list[EmailMultiAlternatives]:
    """The messages ``send`` would send on ``today`` to those not yet sent one (nothing sent)."""
    already = set(RoundDigestSent.objects.filter(sent_on=today).values_list("user_id", flat=True))
    return [
        render(d, today)
        for d in due(today, rounds)
        if d.user.pk not in already and reachable(d.user)
    ]


def send(*, today: datetime.date | None = None, connection=None) -> DigestResult:
    today = today or timezone.localdate()
    digests = due(today)
    already = set(
        RoundDigestSent.objects.filter(
            sent_on=today, user_id__in=[d.user.pk for d in digests]
        ).values_list("user_id", flat=True)
    )
    delivery = deliver_once(
        digests,
        message=lambda digest, connection: render(digest, today, connection),
        record=lambda digest: RoundDigestSent.objects.create(
            user=digest.user,
            sent_on=today,
            kinds=sorted({e.kind for e in digest.entries}),
            item_count=digest.item_count,
        ),
        recipient=lambda digest: digest.user,
        already=already,
        what="Round digest",
        connection=connection,
    )
    return DigestResult(
        sent=len(delivery.sent),
        already_sent=delivery.already_sent,
        unreachable=delivery.unreachable,
        failed=delivery.failed,
    )
