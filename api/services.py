"""Every write to API keys: a person creates a key (shown once) and revokes it; the system revokes a
person's keys when their password changes, their account is deactivated or they no longer hold a role
that may export (``api.signals``). Each key created or revoked is in the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from knox.models import get_digest_token
from knox.settings import CONSTANTS, knox_settings

from organizations import access, writes

from .models import ApiKey

if TYPE_CHECKING:
    from organizations.models import User


def may_have_keys(user: User) -> bool:
    """Keys are for the roles that may take data out (the API's own rule, ``MayExport``)."""
    ids = access.export_municipality_ids(user)
    return ids is None or bool(ids)


@transaction.atomic
def api_key_create(*, user: User, name: str = "", acting_user: User | None) -> tuple[ApiKey, str]:
    """A new key for ``user``: the stored row and the secret, which is not stored and is shown to
    the person this once. Only the person themself (or the system) creates their key."""
    if acting_user is not None and acting_user.pk != user.pk:
        raise PermissionDenied
    if not may_have_keys(user):
        raise PermissionDenied
    digest, secret = get_digest_token()  # knox: the secret, with our prefix, and its SHA-512
    key = ApiKey(
        user=user,
        name=name.strip(),
        digest=digest,
        token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH],
        expiry=timezone.now() + knox_settings.TOKEN_TTL,
    )
    key.full_clean()
    writes.set_actor(key, acting_user)
    key.save(force_insert=True)
    return key, secret


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, acting_user: User | None) -> None:
    """The key stops working at once. Its owner or a superuser revokes it (None: the system)."""
    if acting_user is not None and not (
        acting_user.pk == api_key.user_id or acting_user.is_superuser
    ):
        raise PermissionDenied
    writes.set_actor(api_key, acting_user)
    api_key.delete()


@transaction.atomic
def api_keys_revoke_all(*, user: User, acting_user: User | None) -> int:
    """Revoke every key of ``user``, one by one so each is in the audit log; how many there were."""
    keys = list(ApiKey.objects.owned_by(user).select_related("user"))
    for key in keys:
        api_key_revoke(api_key=key, acting_user=acting_user)
    return len(keys)
