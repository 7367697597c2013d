"""The product's automatic e-mails (reminders, digests): one way to build them, one way to link
back to the site."""

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction

logger = logging.getLogger(__name__)
T = TypeVar("T")


def site_url(path: str) -> str:
    """The absolute address of ``path`` on the configured site (``SITE_URL``), for e-mails."""
    site: str = settings.SITE_URL
    return site.rstrip("/") + path


def automatic_message(
    *,
    subject: str,
    lines: Sequence[str],
    to: str,
    connection: Any = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    """A plain-text e-mail to ``to`` from the product's sender address, marked as automatic, with
    any further ``headers`` (e.g. ``List-Unsubscribe``)."""
    return EmailMultiAlternatives(
        subject=subject,
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        # RFC 3834: ask out-of-office responders not to answer an automatic message.
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )


def reachable(person: Any) -> bool:
    """An automatic e-mail goes to an active account with an e-mail address."""
    return bool(person.is_active and person.email)


@dataclass
class Delivery(Generic[T]):
    """What ``deliver_once`` did: the items whose e-mail went out; how many were sent already (this
    day's record was there, or a concurrent run inserted it first); how many recipients cannot be
    reached (inactive account, no e-mail address); how many the mail server refused."""

    sent: list[T] = field(default_factory=list)
    already_sent: int = 0
    unreachable: int = 0
    failed: int = 0


def deliver_once(
    items: Iterable[T],
    *,
    message: Callable[[T, Any], EmailMessage],
    record: Callable[[T], object],
    recipient: Callable[[T], Any],
    what: str,
    already: Collection[object] = (),
    connection: Any = None,
) -> Delivery[T]:
    """Send each item's ``message`` over one mail connection, and ``record`` it (the row that makes
    it once a day) in the same transaction: a refused e-mail rolls the row back, so the next run
    tries again; a row a concurrent run inserted first (IntegrityError) means it is not sent
    twice. An item whose ``recipient`` (a user) is inactive or has no e-mail address, or whose id
    is in ``already`` (recorded earlier today), is counted and not sent. ``what`` and the
    recipient's id name a failure in the log (an id, not an address)."""
    done: Delivery[T] = Delivery()
    own_connection = connection is None
    connection = connection or get_connection()
    if own_connection:
        connection.open()
    try:
        for item in items:
            person = recipient(item)
            if not reachable(person):
                done.unreachable += 1
                continue
            if person.pk in already:
                done.already_sent += 1
                continue
            email = message(item, connection)
            try:
                with transaction.atomic():
                    record(item)
                    email.send()
            except IntegrityError:
                done.already_sent += 1
                continue
            except OSError:  # smtplib.SMTPException, socket and TLS errors are all OSErrors
                logger.exception("%s to user %s could not be sent", what, person.pk)
                done.failed += 1
                continue
            done.sent.append(item)
    finally:
        if own_connection:
            connection.close()
    return done
