"""Slowing down guessing at the door: the per-account pause on logins and the limits on password
reset requests. django-axes locks a user name *from one address* (AXES_* settings); an attacker who
rotates addresses is never locked by that, so each user name also has a count of its failures from
anywhere, here.

A ``Limit`` counts attempts per value (a user name, an e-mail address, a client address) in the
cache, which every application server shares (production: the database cache). From the ``free``-th
counted attempt on, each one starts a pause of ``first_pause``, doubling with every further one up to
``longest_pause``; attempts refused during a pause are not counted and do not extend it, so an
attacker can keep an account paused only by guessing once per pause, and the real user is let in
again at most ``longest_pause`` after the last guess. A count not added to for ``memory`` seconds
after its pause ends starts over; a successful login, or a completed password reset, clears the
account's count at once.

The numbers (docs/security.md, "Logging in"):

- logins, per user name as typed: 9 failures are free (the same person from one address is locked
  by axes after 5), the 10th pauses the name for 1 minute, then 2, 4, 8 and at most 15 minutes;
- reset requests, per e-mail address (any case): the 3rd pauses it for 15 minutes, then 30, at most
  60; per client address: the 20th pauses it for 15 minutes.

One switch turns the login protection on and off: ``AXES_ENABLED`` (the tests switch it off, as
``client.login()`` passes no request, and on in the tests of the protection itself). Counting is a
read and a write of the cache, not atomic: requests racing each other may be counted as one.

Nothing here says whether an account exists: a user name or e-mail address that names nobody is
counted and paused exactly like one that does. The audit log records every failure and every reset
request (``audit.signals``, on Django's ``user_login_failed`` and on ``password_reset_requested``).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal
from django.http import HttpRequest

MINUTE = 60


def _clock() -> float:
    """Now, in seconds (a function, so a test can move time on)."""
    return time.time()


@dataclass(frozen=True)
class Limit:
    name: str
    free: int
    first_pause: int
    longest_pause: int
    memory: int = 60 * MINUTE

    def _key(self, value: str) -> str:
        # Hashed: any text a person types becomes a short key every cache backend accepts.
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        return f"limit:{self.name}:{digest}"

    def wait(self, value: str) -> int:
        """Seconds left of the pause of ``value`` (0: not paused)."""
        state = cache.get(self._key(value))
        if not state:
            return 0
        return max(0, math.ceil(state["until"] - _clock()))

    def count(self, value: str) -> int:
        """Count an attempt for ``value``; the pause it starts, in seconds (0: none)."""
        key = self._key(value)
        count = (cache.get(key) or {"count": 0})["count"] + 1
        pause = 0
        if count >= self.free:
            doublings = min(count - self.free, 16)
            pause = min(self.first_pause * 2**doublings, self.longest_pause)
        cache.set(key, {"count": count, "until": _clock() + pause}, timeout=pause + self.memory)
        return pause

    def forget(self, value: str) -> None:
        cache.delete(self._key(value))


LOGIN_ACCOUNT = Limit("login-account", free=10, first_pause=MINUTE, longest_pause=15 * MINUTE)
RESET_EMAIL = Limit("reset-email", free=3, first_pause=15 * MINUTE, longest_pause=60 * MINUTE)
RESET_ADDRESS = Limit("reset-address", free=20, first_pause=15 * MINUTE, longest_pause=15 * MINUTE)


def enabled() -> bool:
    return bool(getattr(settings, "AXES_ENABLED", True))


# Logins ---------------------------------------------------------------------------------------------
# Marks on the request of a login attempt, set by ``backends.AccountPauseBackend``: it runs after
# axes, so a request it never saw was refused by the lockout before its password was checked.
PASSED_LOCKOUT = "login_passed_lockout"
PAUSED_FOR = "login_paused_for"

FAILED = "failed"
BLOCKED = "blocked"


def attempt_outcome(request: HttpRequest | None) -> str:
    """Why a login attempt failed: ``FAILED`` (its password was checked and was wrong, or the
    account may not log in) or ``BLOCKED`` (refused before that: the address and user name are
    locked out, or the user name is paused)."""
    if request is None:
        return FAILED
    passed: bool = getattr(request, PASSED_LOCKOUT, False)
    paused: int = getattr(request, PAUSED_FOR, 0)
    return BLOCKED if not passed or paused else FAILED


def login_wait(request: HttpRequest, username: str | None) -> int:
    """Checked before the password: seconds left of the pause of ``username``, marked on the request
    for ``LoginPauseMiddleware`` (0: go ahead)."""
    setattr(request, PASSED_LOCKOUT, True)
    wait = LOGIN_ACCOUNT.wait(username) if enabled() and username else 0
    setattr(request, PAUSED_FOR, wait)
    return wait


def on_login_failed(sender: Any, credentials: dict[str, Any], request=None, **kwargs: Any) -> None:
    """A wrong password counts towards the user name's pause; a refused attempt does not."""
    username = credentials.get("username")
    if request is None or not enabled() or not username:
        return
    if attempt_outcome(request) == FAILED:
        LOGIN_ACCOUNT.count(str(username))


def on_logged_in(sender: Any, request=None, user=None, **kwargs: Any) -> None:
    if user is not None:
        LOGIN_ACCOUNT.forget(user.get_username())


def account_recovered(username: str) -> None:
    """A completed password reset: whoever set the new password reads the account's e-mail, so the
    user name's pause and its lockouts end (axes, for every address)."""
    from axes.utils import reset

    LOGIN_ACCOUNT.forget(username)
    reset(username=username)


# Password reset requests ----------------------------------------------------------------------------
# Sent for every reset request, with ``request``, ``email`` (as typed) and ``blocked``; the audit log
# records it (organizations cannot import audit, which comes after it).
password_reset_requested = Signal()


def reset_request_wait(request: HttpRequest, email: str) -> int:
    """A reset request for ``email``: seconds to wait if the e-mail address or the client's address
    asked too often (nothing is sent then), else 0 and the request is counted. The same answer
    whether or not an account has that address."""
    address = get_client_ip_address(request) or ""
    wait = 0
    if enabled():
        wait = max(RESET_EMAIL.wait(email.casefold()), RESET_ADDRESS.wait(address))
        if not wait:
            RESET_EMAIL.count(email.casefold())
            RESET_ADDRESS.count(address)
    password_reset_requested.send(
        sender=reset_request_wait, request=request, email=email, blocked=bool(wait)
    )
    return wait


def minutes(seconds: int) -> int:
    """A wait as whole minutes, rounded up (a person is told "1 minute", never "0 minutes")."""
    return max(1, math.ceil(seconds / MINUTE))


# Sign-in through an identity provider ---------------------------------------------------------------
# Sent for every sign-in through a provider (organizations.oidc), let in or refused, with ``request``,
# ``provider`` (its key), ``subject`` (the provider's id of the person, "" if it never said), ``user``
# (the account, or None), ``granted`` and ``removed`` (memberships as "<code>:<role>") and ``refused``
# (why it was refused, for the log; "" when let in). The audit log records it.
provider_sign_in = Signal()
