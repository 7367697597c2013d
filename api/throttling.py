"""How fast the API answers whom (rates in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, docs/api.md).

DRF checks its throttles after authentication and permissions, so a request with a wrong key, or
none, would never reach them. ``api.views.ThrottledApiMixin`` therefore checks the two limits of a client
address first: every request from the address (``api_address``), and the requests from it that
failed authentication (``api_failure``, counted when authentication fails). The limit of each key
(or each person's session) is DRF's ordinary throttle, ``KeyRateThrottle``. Past a limit the answer
is 429 with a ``Retry-After`` header and a message in the person's language.

The counters live in the cache ``api_throttle`` (the database cache in production, shared by every
application server).
"""

from __future__ import annotations

import math

from django.core.cache import caches
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from audit.request import client_ip

from .models import ApiKey

CACHE_ALIAS = "api_throttle"


class TooManyRequests(exceptions.APIException):
    """429, with the seconds to wait in the message and (DRF's handler) in ``Retry-After``."""

    status_code = 429
    default_code = "throttled"

    def __init__(self, wait: float | None) -> None:
        seconds = max(1, math.ceil(wait or 1))
        self.wait = seconds
        super().__init__(
            ngettext(
                "Too many requests. Try again in %(seconds)d second.",
                "Too many requests. Try again in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds}
        )


class _RateThrottle(SimpleRateThrottle):
    num_requests: int  # set from the rate by SimpleRateThrottle.__init__
    duration: int

    def __init__(self) -> None:
        self.cache = caches[CACHE_ALIAS]
        super().__init__()

    def get_rate(self) -> str | None:
        # Read now, not when the class was defined, so changed settings (tests) apply.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)

    def key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class KeyRateThrottle(_RateThrottle):
    """Requests with one key; with a session (no key), those of one person."""

    scope = "api_key"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiKey):
            return self.key_for(f"key-{request.auth.pk}")
        if request.user and request.user.is_authenticated:
            return self.key_for(f"user-{request.user.pk}")
        return None


class AddressRateThrottle(_RateThrottle):
    """Every request from one client address (the one the login lockout and the audit log use)."""

    scope = "api_address"

    def get_cache_key(self, request, view) -> str | None:
        return self.key_for(client_ip(request) or "unknown")


class FailureRateThrottle(AddressRateThrottle):
    """Requests from one address that failed authentication. ``allow_request`` only looks; the
    failure is counted by ``record_failure`` once authentication has failed."""

    scope = "api_failure"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:  # no rate configured: nothing is counted
            self.key = None
            return True
        self.key = self.get_cache_key(request, view)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests

    def record_failure(self) -> None:
        if self.key is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
