"""Personal API keys, stored only as a hash (django-rest-knox).

The secret is shown once, when the key is created (``api.services.api_key_create``); the database
keeps its SHA-512 digest and its first characters (``token_key``, which narrows the lookup and lets
the owner tell their keys apart). Neither works as a key: ``tests/api/test_api_keys.py`` tries every
stored value in the Authorization header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager
from knox.settings import CONSTANTS

if TYPE_CHECKING:
    from organizations.models import User


class ApiKeyQuerySet(models.QuerySet[Any]):
    def owned_by(self, user: User) -> ApiKeyQuerySet:
        """The keys a person lists and may revoke on their key page: their own."""
        return self.filter(user=user)


class ApiKeyManager(AuthTokenManager.from_queryset(ApiKeyQuerySet)):  # type: ignore[misc]
    pass


class ApiKey(AbstractAuthToken):
    """A key a person's tools (Power BI, Excel Power Query, scripts) send as ``Authorization: Token
    …``. Knox's token with a numeric id (so the audit log and the revoke button can name it), the
    digest kept unique instead of as the primary key, and a name the owner chose."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("What the key is for, e.g. “Power BI, monthly report”."),
    )

    objects: ClassVar[ApiKeyManager] = ApiKeyManager()

    # The digest is never written to the audit log: it is recorded that a key was created or
    # revoked, whose it was and its first characters, not the hash.
    AUDIT_IGNORED_FIELDS = ("digest",)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user})"
