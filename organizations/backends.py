"""The per-account pause in the authentication flow (organizations.login).

Listed after django-axes' backend, which refuses a locked-out user name and address first, and before
the ModelBackend, which checks the password: a paused user name is refused without its password being
checked, from every address and on every login form (the site's and the admin's)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import login


class AccountPauseBackend:
    """Authenticates nobody: raises PermissionDenied for a paused user name (Django then stops and
    sends ``user_login_failed``), otherwise lets the next backend check the password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        if login.login_wait(request, username):
            raise PermissionDenied
        return None
