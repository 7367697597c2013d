"""The request a write happens in: who is acting, and from which address.

The audit log needs the actor without every service passing the request around, so a middleware keeps
the current request in a context variable (safe across threads and async tasks). Outside a request
(management commands, seed data) there is none, and the actor is whoever the service was told is
acting, or the system.
"""

import ipaddress
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_current_request: ContextVar = ContextVar("audit_current_request", default=None)
_acting_user: ContextVar = ContextVar("audit_acting_user", default=None)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` reverse proxies the address
    the outermost trusted proxy received the connection from.

    X-Forwarded-For is read from the right: each trusted proxy appends the address it saw, so the
    entries a client writes itself are further left and never chosen. Used by the login lockout
    (AXES_CLIENT_IP_CALLABLE) and recorded in the audit log.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR") or None
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            candidate = forwarded[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def current_request():
    return _current_request.get()


def current_actor():
    """The logged-in user of the current request, or the user set with :func:`acting_as`."""
    user = _acting_user.get()
    if user is not None:
        return user
    request = _current_request.get()
    if request is None:
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


@contextmanager
def _bound(var, value):
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)


def acting_as(user):
    """Attribute the writes inside the block to ``user`` (for commands acting on someone's behalf)."""
    return _bound(_acting_user, user)


def in_request(request):
    return _bound(_current_request, request)
