"""Who may see or take out or change which rows: one QuerySet method per rule, on each model's manager.

Kausal Watch's ``Action.objects.visible_for_user(user, plan)`` is the model. The admin, the pages, the
exports, the importers and the API call the same methods, so they agree by construction
(tests/security/test_scoping_agreement.py proves it). Memberships and permissions themselves are
known only to :mod:`organizations.access`; these methods turn its municipality ids into filters.

A model's QuerySet names the lookup from a row to its municipality (``municipality_path``) and
whether a row without a municipality is *cross-municipal* — shared by every municipality, like KL's
reports — rather than nobody's (``cross_municipal``).

| method | rule |
|---|---|
| ``editable_by(user, *perms)`` | rows of the municipalities where one of the user's roles grants one of ``perms`` (default: the model's change permission); cross-municipal rows only for superusers |
| ``exportable_by(user)`` | rows of the municipalities where the user holds a role that may take data out (``access.EXPORT_ROLES``), and the cross-municipal rows for such a user |
| ``visible_to(user, municipality=None)`` | what a reader may see; defined where a model has readers outside the admin (``recommendations.models.ReportQuerySet``) |
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from django.contrib.auth import get_permission_codename
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


class ScopedQuerySet(models.QuerySet[Any]):
    #: The lookup from a row to its municipality ("pk" for the municipality itself).
    municipality_path = "municipality"
    #: A row whose municipality is empty is shared by every municipality (KL's and KKR's reports).
    cross_municipal = False
    #: Scope ``first_hop__in (SELECT pk …)`` instead of joining along the path: the database can
    #: then walk an index on the first hop in the changelist's order and stop at the page instead
    #: of sorting every row of the municipality (a million measurements at 100×).
    scope_by_subquery = False

    # The rules ---------------------------------------------------------------------------------
    def editable_by(self, user: "User | AnonymousUser", *perms: str) -> Self:
        """Rows of the municipalities where one of the user's roles grants one of ``perms`` (default:
        this model's change permission). The admin passes its view and change permissions for its
        lists, add and change for its drop-downs; the importers their import permission. Rows
        without a municipality only for superusers (who get every row)."""
        from . import access

        perms = perms or (self._perm("change"),)
        ids: set[int] = set()
        for perm in perms:
            found = access.municipality_ids_for(user, perm)
            if found is None:
                return self.all()
            ids |= found
        return self.in_municipalities(ids)

    def exportable_by(self, user: "User | AnonymousUser") -> Self:
        """Rows the user may take out of the product (exports, the API): those of the municipalities
        where they hold an exporting role (``access.EXPORT_ROLES``: not council members), and the
        cross-municipal rows — public documents — for anyone who may export at all."""
        from . import access

        ids = access.export_municipality_ids(user)
        if ids is None:
            return self.all()
        return self.in_municipalities(ids, cross_municipal=bool(ids))

    # The building block ------------------------------------------------------------------------
    def in_municipalities(
        self, ids: Iterable[int] | None, *, cross_municipal: bool = False
    ) -> Self:
        """Rows of the municipalities ``ids`` (None: every row), and with ``cross_municipal`` the
        rows shared by every municipality."""
        if ids is None:
            return self.all()
        path = self.municipality_path
        cross = cross_municipal and self.cross_municipal
        if self.scope_by_subquery and "__" in path and not cross:
            first, rest = path.split("__", 1)
            related = self.model._meta.get_field(first).related_model
            inner = related._default_manager.filter(**{f"{rest}__in": ids}).values("pk")
            return self.filter(**{f"{first}__in": inner})
        condition = Q(**{f"{path}__in": ids})
        if cross:
            condition |= Q(**{f"{path}__isnull": True})
        return self.filter(condition)

    def _perm(self, action: str) -> str:
        opts = self.model._meta
        return f"{opts.app_label}.{get_permission_codename(action, opts)}"


def municipality_path(model: type[models.Model]) -> str:
    """The lookup from ``model`` to its municipality, as its QuerySet declares it."""
    return scoped(model).municipality_path


def is_scoped(model: type[models.Model]) -> bool:
    return isinstance(model._default_manager.all(), ScopedQuerySet)


def scoped(model: type[models.Model]) -> ScopedQuerySet:
    """``model``'s rows as a ScopedQuerySet; refuses a model whose manager does not declare how its
    rows belong to a municipality (so no list is left unscoped by omission)."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet):  # is_scoped(model)
        raise TypeError(f"{model._meta.label} has no ScopedQuerySet manager")
    return queryset
