"""A person's API keys stop working when what they were given for is gone:

- the password changes (any change of the stored hash: a new password, a reset, a superuser's change
  in the admin, ``manage.py changepassword``), as Django ends the person's other sessions;
- the account is deactivated;
- the person no longer holds a role that may export anywhere (the membership removed, or its role
  changed to council member).

Connected to the models' signals (``ApiConfig.ready``), so every path that saves them is covered;
the revocation itself is the service's, in the same transaction, with its audit entries.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from organizations.models import Membership, User

from . import services
from .models import ApiKey

_BEFORE = "_api_keys_before"


def _watched(update_fields) -> bool:
    return update_fields is None or bool({"password", "is_active"} & set(update_fields))


def remember_credentials(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or not _watched(update_fields):
        return
    before = User._base_manager.filter(pk=instance.pk).values_list("password", "is_active").first()
    setattr(instance, _BEFORE, before)


def revoke_on_credentials_change(sender, instance, created, raw=False, **kwargs):
    before = instance.__dict__.pop(_BEFORE, None)
    if raw or created or before is None:
        return
    password, is_active = before
    if password != instance.password or (is_active and not instance.is_active):
        services.api_keys_revoke_all(user=instance, acting_user=None)


def revoke_without_export_role(sender, instance, raw=False, **kwargs):
    if raw:
        return
    user = instance.user
    if ApiKey.objects.owned_by(user).exists() and not services.may_have_keys(user):
        services.api_keys_revoke_all(user=user, acting_user=None)


def connect() -> None:
    pre_save.connect(remember_credentials, sender=User, dispatch_uid="api:keys:user")
    post_save.connect(revoke_on_credentials_change, sender=User, dispatch_uid="api:keys:user")
    post_save.connect(revoke_without_export_role, sender=Membership, dispatch_uid="api:keys:role")
    post_delete.connect(revoke_without_export_role, sender=Membership, dispatch_uid="api:keys:role")
