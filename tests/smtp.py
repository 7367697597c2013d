"""A real SMTP server (aiosmtpd) on the loopback address, started by a test: what the product sends
is read back as the mail server received it."""

import asyncio
import email
import email.policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """What the SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


class AnyPortController(Controller):
    """aiosmtpd's server on a port the system chooses (port 0), read back once it listens."""

    def _trigger_server(self):
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = AnyPortController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox
    controller.stop()
