"""Every write to organisations, units, professions, bodies, source documents, user accounts and
memberships goes through here (``<entity>_<verb>(*, …, acting_user)``, see ``writes``)."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import access, writes
from .models import (
    STAFF_ROLES,
    Body,
    Membership,
    Municipality,
    OrganisationalUnit,
    Profession,
    Role,
    SourceDocument,
    User,
)

MUNICIPALITY = writes.entity_services(Municipality, "municipality")
municipality_create, municipality_update, municipality_delete = MUNICIPALITY
UNIT = writes.entity_services(OrganisationalUnit, "unit")
unit_create, unit_update, unit_delete = UNIT
# Shared lists (no municipality): superusers only. A body of a municipality is still shared in the
# sense that no municipality role may change it.
PROFESSION = writes.entity_services(Profession, "profession")
profession_create, profession_update, profession_delete = PROFESSION
BODY = writes.entity_services(Body, "body")
body_create, body_update, body_delete = BODY
SOURCE_DOCUMENT = writes.entity_services(SourceDocument, "source_document")
source_document_create, source_document_update, source_document_delete = SOURCE_DOCUMENT
USER = writes.entity_services(User, "user")
user_create, user_update, user_delete = USER

MEMBERSHIP_MANAGE_PERM = "organizations.change_membership"


@transaction.atomic
def user_set_password(*, user: User, password: str, acting_user: User | None) -> User:
    """``user``'s new password, set by the person themselves: after giving the old one (the password
    change page) or from the link of a reset e-mail, which proves they read the account's e-mail
    (``acting_user`` is then the account too). A superuser may set anyone's; ``None`` is the system.
    The audit log records that the password changed, never the password."""
    if acting_user is not None and acting_user.pk != user.pk and not acting_user.is_superuser:
        raise PermissionDenied
    user.set_password(password)
    return writes.update_checked(user, acting_user=acting_user, update_fields=["password"])


def _sync_user_roles(user: User) -> None:
    """A user's Django groups and staff flag follow from their memberships."""
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    user.groups.set(Group.objects.filter(name__in=roles))
    is_staff = user.is_superuser or bool(roles & {r.value for r in STAFF_ROLES})
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    access.forget(user)


def _check_may_manage(acting_user: User | None, municipality: Municipality) -> None:
    if acting_user is not None and not access.has_perm_in(
        acting_user, MEMBERSHIP_MANAGE_PERM, municipality
    ):
        raise PermissionDenied


@transaction.atomic
def membership_set(
    *,
    user: User,
    municipality: Municipality,
    role: Role | str,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Membership:
    """Give ``user`` the role ``role`` in ``municipality``, replacing any role they had there.

    ``acting_user`` None means the system (seed data, demo accounts, tests). ``expected_version``:
    the version of the membership the form was opened on.
    """
    _check_may_manage(acting_user, municipality)
    membership = Membership.objects.filter(user=user, municipality=municipality).first()
    if membership is None:
        return membership_create(
            membership=Membership(user=user, municipality=municipality, role=role),
            acting_user=acting_user,
        )
    membership.role = role
    return membership_update(
        membership=membership, expected_version=expected_version, acting_user=acting_user
    )


@transaction.atomic
def membership_create(
    *, membership: Membership, acting_user: User | None, m2m: writes.M2M | None = None
) -> Membership:
    _check_may_manage(acting_user, membership.municipality)
    membership.version = 0
    membership.full_clean()
    writes.set_actor(membership, acting_user)
    membership.save()
    _sync_user_roles(membership.user)
    return membership


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    expected_version: int | None,
    acting_user: User | None,
    m2m: writes.M2M | None = None,
) -> Membership:
    """A new role; the person and the municipality of a membership are fixed."""
    _check_may_manage(acting_user, membership.municipality)
    writes.update(
        membership,
        expected_version=expected_version,
        acting_user=acting_user,
        checked=True,
    )
    _sync_user_roles(membership.user)
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, acting_user: User | None, expected_version: int | None = None
) -> None:
    _check_may_manage(acting_user, membership.municipality)
    writes.check_version(Membership, membership.pk, expected_version)
    user = membership.user
    writes.set_actor(membership, acting_user)
    membership.delete()
    _sync_user_roles(user)


MEMBERSHIP = writes.EntityServices(
    create=membership_create, update=membership_update, delete=membership_remove, arg="membership"
)


@transaction.atomic
def memberships_sync(
    *,
    user: User,
    wanted: dict[Municipality, Role],
    governed: list[Municipality] | None,
    acting_user: User | None,
) -> tuple[list[str], list[str]]:
    """Make ``user``'s memberships in the ``governed`` municipalities (None: in every one) exactly
    ``wanted``, one membership service call per change, so each is audited. Used at every sign-in
    through an identity provider: a role removed there is removed here. Returns the memberships
    granted and removed, as "<municipality code>:<role>"."""
    granted: list[str] = []
    removed: list[str] = []
    current = Membership.objects.filter(user=user).select_related("municipality")
    if governed is not None:
        current = current.filter(municipality__in=governed)
    by_municipality = {m.municipality_id: m for m in current}
    for municipality, role in wanted.items():
        existing = by_municipality.pop(municipality.pk, None)
        if existing is not None and existing.role == role:
            continue
        if existing is not None:
            removed.append(f"{municipality.code}:{existing.role}")
        membership_set(user=user, municipality=municipality, role=role, acting_user=acting_user)
        granted.append(f"{municipality.code}:{role}")
    for membership in by_municipality.values():
        removed.append(f"{membership.municipality.code}:{membership.role}")
        membership_remove(membership=membership, acting_user=acting_user)
    return granted, removed
