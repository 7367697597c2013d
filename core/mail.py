"""The product's automatic e-mails (reminders, digests): one way to build them, one way to link
back to the site."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


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
