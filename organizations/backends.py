"""The per-account pause in the authentication flow (organizations.login).

Listed after django-axes' backend, which refuses a locked-out user name and address first, and before
the ModelBackend, which checks the password: a paused user name is refused without its password being
checked, from every address and on every login form (the site's and the admin's)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
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


class PasswordBackend(ModelBackend):
    """The password check. With ``LOCAL_LOGIN`` off (single sign-on only, docs/sign-in.md) only a
    superuser may log in with a password: anyone else is refused as for a wrong password, on every
    login form, so a local account left over cannot get round the identity provider."""

    def user_can_authenticate(self, user) -> bool:
        if not settings.LOCAL_LOGIN and not getattr(user, "is_superuser", False):
            return False
        return super().user_can_authenticate(user)
