"""The product's automatic e-mails (reminders, digests): one way to build them."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


def automatic_message(
    *, subject: str, lines: Sequence[str], to: str, connection: Any = None
) -> EmailMultiAlternatives:
    """A plain-text e-mail to ``to`` from the product's sender address, marked as automatic."""
    return EmailMultiAlternatives(
        subject=subject,
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        # RFC 3834: ask out-of-office responders not to answer an automatic message.
        headers={"Auto-Submitted": "auto-generated"},
    )
