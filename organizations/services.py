"""Every write to organisations and memberships goes through here."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import access
from .models import STAFF_ROLES, Membership, Municipality, Role, User

MEMBERSHIP_MANAGE_PERM = "organizations.change_membership"


def _sync_user_roles(user: User) -> None:
    """A user's Django groups and staff flag follow from their memberships."""
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    user.groups.set(Group.objects.filter(name__in=roles))
    is_staff = user.is_superuser or bool(roles & {r.value for r in STAFF_ROLES})
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    access.forget(user)


def _check_may_manage(acting_user, municipality: Municipality) -> None:
    if acting_user is not None and not access.has_perm_in(
        acting_user, MEMBERSHIP_MANAGE_PERM, municipality
    ):
        raise PermissionDenied


@transaction.atomic
def membership_set(
    *, user: User, municipality: Municipality, role: Role | str, acting_user: User | None
) -> Membership:
    """Give ``user`` the role ``role`` in ``municipality``, replacing any role they had there.

    ``acting_user`` None means the system (seed data, demo accounts, tests).
    """
    _check_may_manage(acting_user, municipality)
    membership = Membership.objects.filter(user=user, municipality=municipality).first()
    if membership is None:
        membership = Membership(user=user, municipality=municipality, role=role)
    else:
        membership.role = role
    if acting_user is not None:
        membership._audit_actor = acting_user
    membership.full_clean()
    membership.save()
    _sync_user_roles(user)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, acting_user: User | None) -> None:
    _check_may_manage(acting_user, membership.municipality)
    user = membership.user
    if acting_user is not None:
        membership._audit_actor = acting_user
    membership.delete()
    _sync_user_roles(user)
