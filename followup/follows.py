"""Following a recommendation or a report: the writes, and the signed link that stops it without
logging in.

A signed-in person follows what they may see, under the municipality's address they read it at
(``selectors.follows_visible_to`` asks the same rule again whenever the follow is used). Starting
and stopping are audited (audit.signals) with the person as actor, also when the link in the
e-mail stops it: whoever clicks it, the link is the person's own.

The link carries the person's id signed with the site's secret (``django.core.signing``, salted
for this use only): nothing is stored for it, a changed character breaks it, and it never expires
(an old e-mail's link still stops the e-mails). It identifies the person, not one follow: the
e-mails' unsubscribe link stops them all, as a one-click unsubscribe (RFC 8058) means.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from audit.request import acting_as
from organizations import writes
from organizations.models import Municipality, User
from recommendations.models import Recommendation, Report

from . import selectors
from .models import Follow

if TYPE_CHECKING:
    from django.db.models import QuerySet

UNSUBSCRIBE_SALT = "followup.follows.unsubscribe"


class BadToken(Exception):
    """The unsubscribe link is not one this site made (garbled, cut off or tampered with)."""


def _field(target: Recommendation | Report) -> str:
    return "recommendation" if isinstance(target, Recommendation) else "report"


def _may_see(user: User, municipality: Municipality, target: Recommendation | Report) -> bool:
    """The pages' rule: ``visible_to`` under the municipality's address."""
    model = type(target)
    return model.objects.visible_to(user, municipality).filter(pk=target.pk).exists()


@transaction.atomic
def follow_start(
    *, target: Recommendation | Report, municipality: Municipality, acting_user: User
) -> Follow:
    """``acting_user`` follows ``target`` (read under ``municipality``'s address). Following it
    again changes nothing. Refused (PermissionDenied) for what they may not see."""
    if not (acting_user.is_authenticated and acting_user.is_active):
        raise PermissionDenied
    if not _may_see(acting_user, municipality, target):
        raise PermissionDenied
    existing = selectors.follow_of(acting_user, target)
    if existing is not None:
        return existing
    follow = Follow(user=acting_user, municipality=municipality, **{_field(target): target})
    follow.full_clean()
    writes.set_actor(follow, acting_user)
    try:
        with transaction.atomic():
            follow.save()
    except IntegrityError:  # the same click twice at once: the other one saved it
        found = selectors.follow_of(acting_user, target)
        assert found is not None
        return found
    return follow


@transaction.atomic
def follow_stop(*, target: Recommendation | Report, acting_user: User) -> int:
    """``acting_user`` no longer follows ``target``; returns how many follows ended (0 or 1)."""
    return _stop(Follow.objects.filter(user=acting_user, **{_field(target): target}), acting_user)


def _stop(follows: QuerySet[Follow], actor: User) -> int:
    """Delete each follow on its own, so that each is audited."""
    count = 0
    for follow in follows.select_for_update().order_by("pk"):
        writes.set_actor(follow, actor)
        follow.delete()
        count += 1
    return count


def unsubscribe_token(user: User) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)


def token_user(token: str) -> User:
    """The person an unsubscribe link was made for, or BadToken."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise BadToken from None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        raise BadToken
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise BadToken
    return user


@transaction.atomic
def follows_stop_by_token(*, token: str) -> tuple[User, int]:
    """Stop everything the link's person follows (BadToken for a link this site did not make);
    the person is the actor in the audit log, whoever is signed in. Returns the person and how many
    follows ended."""
    user = token_user(token)
    with acting_as(user):
        return user, _stop(Follow.objects.filter(user=user), user)
