"""Who may do what in which municipality.

Django groups (one per role, created by migrations) say *what* a role may do; memberships say *where*.
A user may do X in municipality M only when they hold a role in M whose group has permission X.
Everything here is evaluated on the server for each request; results are cached on the user object,
which lives for one request.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser, Permission
from django.utils.translation import gettext_lazy as _

from .models import Membership, Municipality, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_CACHE_ATTR = "_municipality_access_cache"


def _role_permissions(user) -> dict[int, set[str]]:
    """Map municipality id → set of "app_label.codename" the user holds there."""
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is not None:
        return cache
    memberships = list(Membership.objects.filter(user=user).values_list("municipality_id", "role"))
    roles = {role for _, role in memberships}
    perms_by_role: dict[str, set[str]] = {role: set() for role in roles}
    rows = Permission.objects.filter(group__name__in=roles).values_list(
        "group__name", "content_type__app_label", "codename"
    )
    for role, app_label, codename in rows:
        perms_by_role[role].add(f"{app_label}.{codename}")
    cache = {}
    for municipality_id, role in memberships:
        cache.setdefault(municipality_id, set()).update(perms_by_role.get(role, set()))
    setattr(user, _CACHE_ATTR, cache)
    return cache


def forget(user) -> None:
    """Drop the cached permissions, e.g. after a membership changed within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def municipality_ids_for(user, perm: str | None = None) -> set[int] | None:
    """Ids of the municipalities where ``user`` has ``perm`` (any role when ``perm`` is None).

    Returns None for a superuser, meaning "every municipality"; callers must not treat None as empty.
    """
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return set()
    if not user.is_active:
        return set()
    if user.is_superuser:
        return None
    access = _role_permissions(user)
    if perm is None:
        return set(access)
    return {mid for mid, perms in access.items() if perm in perms}


def has_perm_anywhere(user, perm: str) -> bool:
    """Whether ``user`` has ``perm`` in at least one municipality (a superuser: in all)."""
    ids = municipality_ids_for(user, perm)
    return ids is None or bool(ids)


def has_perm_in(user, perm: str, municipality: Municipality | int | None) -> bool:
    if municipality is None:
        return bool(user.is_authenticated and user.is_active and user.is_superuser)
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    ids = municipality_ids_for(user, perm)
    return ids is None or municipality_id in ids


def is_member(user, municipality: Municipality) -> bool:
    ids = municipality_ids_for(user)
    return ids is None or municipality.pk in ids


def member_municipalities(user):
    ids = municipality_ids_for(user)
    if ids is None:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=ids)


def readable_municipalities(user):
    """Municipalities whose read-only pages the user may see: their own, and every published one."""
    ids = municipality_ids_for(user)
    if ids is None:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=ids) | Municipality.objects.published()


def can_read(user, municipality: Municipality) -> bool:
    return municipality.is_published or is_member(user, municipality)


def filter_by_municipality(queryset, user, perm: str, path: str = "municipality"):
    """Restrict ``queryset`` to rows whose municipality (reached by ``path``) grants ``perm``."""
    ids = municipality_ids_for(user, perm)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": ids})


# Roles that may take data out of the product (exports, the API): not council members.
EXPORT_ROLES = frozenset({"analyst", "hr_officer", "administrator"})


def export_municipality_ids(user) -> set[int] | None:
    """Municipalities whose data the user may export (None: all, for a superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    return set(
        Membership.objects.filter(user=user, role__in=EXPORT_ROLES).values_list(
            "municipality_id", flat=True
        )
    )


def can_export(user, municipality) -> bool:
    ids = export_municipality_ids(user)
    return ids is None or municipality.pk in ids


def roles_of(user) -> Iterable[tuple[int, str]]:
    return Membership.objects.filter(user=user).values_list("municipality_id", "role")


# How a person is named to someone who may not see names: by their role in the municipality.
ROLE_PHRASES: dict[str, "StrOrPromise"] = {
    Role.COUNCIL_MEMBER: _("a council member"),
    Role.HR_OFFICER: _("an HR officer"),
    Role.ANALYST: _("an analyst"),
    Role.ADMINISTRATOR: _("an administrator"),
}


def person_label(person, *, viewer, municipality: Municipality) -> str:
    """How ``person`` (who recorded a status change, a recommendation's contact …) is named to
    ``viewer`` on ``municipality``'s pages: by name to a member of the municipality; to anyone else
    (an anonymous visitor of a published municipality, a member of another one) by their role in
    the municipality, never by name. Reads ``person.memberships`` (prefetch it for a list)."""
    if is_member(viewer, municipality):
        return person.get_full_name() or person.get_username()
    role = next(
        (m.role for m in person.memberships.all() if m.municipality_id == municipality.pk), ""
    )
    return str(ROLE_PHRASES.get(role, _("a member of staff")))
