"""The one write path every service builds on: check the permission in the record's municipality,
check the version the user saw, validate, save, name the actor for the audit log — in the caller's
transaction, so the audit row and the change commit together or not at all.

A service of an app is then a few lines, e.g.::

    @transaction.atomic
    def report_update(*, report, expected_version, acting_user, m2m=None):
        return writes.update(report, expected_version=expected_version, acting_user=acting_user,
                             m2m=m2m)

Where a record belongs is what its QuerySet declares (``organizations.scoping``: the lookup from
the model to its municipality, "pk" for a municipality itself); a model without a ScopedQuerySet is
a shared list that belongs to no municipality, which only superusers change. ``path`` overrides it
only for an inline row, reached through its parent. ``acting_user`` None is the system (seed data,
imports run as a command, tests); it is not permission-checked.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.apps import apps
from django.contrib.auth import get_permission_codename
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Field, Model
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.bulk import insert_new

from . import access
from .models import Versioned

if TYPE_CHECKING:
    from .models import Municipality, User

_M = TypeVar("_M", bound=Model)
_VM = TypeVar("_VM", bound="Versioned")
# The many-to-many values of a save: field name → the related rows (or their ids).
M2M = dict[str, Any]

# Bookkeeping fields a stale message does not list as "what changed".
QUIET_FIELDS = {"version", "last_updated_at", "updated_at"}
# How far back the audit log is read for a stale message (a long history is not read in full).
STALE_ENTRIES_READ = 50


class StaleEdit(ValidationError):
    """The record changed after the form was opened: nothing was written."""


def set_actor(instance: Model, acting_user: User | None) -> None:
    """Name who acts on ``instance`` for the audit log (outside a request it cannot know).

    The one place that knows the attribute the audit signals read."""
    if acting_user is not None:
        # A plain attribute on the instance, not a field: audit.signals reads it (ACTOR_ATTRIBUTE).
        instance._audit_actor = acting_user  # type: ignore[attr-defined]


# Sent with ``instances`` (saved, with their pks) after ``create_many`` inserted them: ``bulk_create``
# sends no ``post_save``, so the audit log records them on this (audit.signals.record_many).
bulk_created = Signal()


def create_many(
    model: type[_M], instances: list[_M], *, acting_user: User | None, batch_size: int
) -> list[_M]:
    """Insert new rows of ``model`` (``core.bulk.insert_new``: ``batch_size`` a statement, where the
    database allows that many) with the audit entries and the generation bump that saving each
    would have written. Nothing is checked here: the caller has checked the permission and each
    row, and holds the transaction (the entries must commit with the rows)."""
    using = router.db_for_write(model)
    assert transaction.get_connection(using).in_atomic_block, "create_many needs a transaction"
    for instance in instances:
        set_actor(instance, acting_user)
    saved = insert_new(instances, using=using, batch_size=batch_size)
    bulk_created.send(sender=model, instances=saved)
    return saved


def perm_for(model: type[Model], action: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{get_permission_codename(action, opts)}"


def check_permission(
    acting_user: User | None, perm: str, municipality: Municipality | int | None
) -> None:
    """``municipality`` None: a shared record, which only superusers change."""
    if acting_user is not None and not access.has_perm_in(acting_user, perm, municipality):
        raise PermissionDenied


class Default:
    """The marker for "where the record's QuerySet says it belongs" (``scoping``)."""


FROM_MODEL = Default()


def resolve_path(instance: Model, path: str | None | Default) -> str | None:
    return model_path(type(instance)) if isinstance(path, Default) else path


def municipality_of(instance: Model, path: str | None) -> Any:
    """The municipality id ``instance`` belongs to as it is in memory (None: none)."""
    if path is None:
        return None
    if path == "pk":
        return instance.pk
    current = instance
    parts = path.split("__")
    for index, part in enumerate(parts):
        field = current._meta.get_field(part)
        assert isinstance(field, Field), f"{path}: {part} is not a field of {type(current)}"
        if index == len(parts) - 1:
            return getattr(current, field.attname)
        if getattr(current, field.attname) is None:
            return None
        current = getattr(current, part)
    return None


def _stored_municipality(model: type[Model], pk: Any, path: str | None) -> Any:
    if path is None:
        return None
    if path == "pk":
        return pk
    return model._base_manager.filter(pk=pk).values_list(path, flat=True).first()


def _check_municipalities(
    acting_user: User | None, perm: str, municipality_ids: Collection[int | None]
) -> None:
    for municipality_id in municipality_ids:
        check_permission(acting_user, perm, municipality_id)


def _set_many(instance: Model, m2m: M2M | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)


def create(
    instance: _VM,
    *,
    acting_user: User | None,
    path: str | None | Default = FROM_MODEL,
    m2m: M2M | None = None,
) -> _VM:
    path = resolve_path(instance, path)
    """Save a new record (version 0) and its many-to-many values."""
    check_permission(acting_user, perm_for(type(instance), "add"), municipality_of(instance, path))
    instance.version = 0
    instance.full_clean()
    set_actor(instance, acting_user)
    instance.save()
    _set_many(instance, m2m)
    return instance


def lock_version(model: type[Model], pk: Any) -> int:
    """Lock the row until the transaction ends (PostgreSQL; SQLite locks the whole database on the
    first write) and return its version. Without a join: PostgreSQL re-checks a joined row after
    waiting and may then find none."""
    rows = model._base_manager.select_for_update().filter(pk=pk).values_list("version", flat=True)
    version: int | None = rows.first()
    if version is None:
        raise ValidationError(
            _("This record was deleted by someone else after you opened it. Nothing was saved.")
        )
    return version


def check_version(model: type[Model], pk: Any, expected_version: int | str | None) -> int:
    """Lock the row and refuse when it is no longer at ``expected_version`` (None: not checked,
    for writes that no form precedes: imports, recomputations)."""
    current = lock_version(model, pk)
    if expected_version is not None and int(expected_version) != current:
        raise StaleEdit(stale_message(model, pk, int(expected_version)), code="stale")
    return current


def update(
    instance: _VM,
    *,
    expected_version: int | str | None,
    acting_user: User | None,
    path: str | None | Default = FROM_MODEL,
    m2m: M2M | None = None,
    update_fields: list[str] | None = None,
    checked: bool = False,
) -> _VM:
    """Save a changed record if it is still at the version the user saw, bumping its version.

    The permission is checked in the municipality the record is in and, when the edit moves it, in
    the one it moves to. ``checked``: the caller checked the permission already (a status change
    checks its own permission; a recomputation follows a checked write)."""
    path = resolve_path(instance, path)
    model = type(instance)
    current = check_version(model, instance.pk, expected_version)
    if not checked:
        perm = perm_for(model, "change")
        stored = _stored_municipality(model, instance.pk, path)
        _check_municipalities(acting_user, perm, {stored, municipality_of(instance, path)})
    if update_fields is None:
        instance.full_clean()
    instance.version = current + 1
    set_actor(instance, acting_user)
    if update_fields is not None:
        instance.save(update_fields=[*update_fields, "version"])
    else:
        instance.save()
    _set_many(instance, m2m)
    return instance


def update_checked(
    instance: _VM,
    *,
    acting_user: User | None,
    path: str | None | Default = FROM_MODEL,
    update_fields: list[str] | None = None,
) -> _VM:
    """``update`` for a service that checked the permission itself and holds the row (a status
    change, a recomputed baseline, an import): whatever version a form saw, it is stale after."""
    return update(
        instance,
        expected_version=None,
        acting_user=acting_user,
        path=path,
        update_fields=update_fields,
        checked=True,
    )


def delete(
    instance: Model,
    *,
    acting_user: User | None,
    path: str | None | Default = FROM_MODEL,
    expected_version: int | str | None = None,
) -> None:
    path = resolve_path(instance, path)
    model = type(instance)
    check_version(model, instance.pk, expected_version)
    check_permission(
        acting_user, perm_for(model, "delete"), _stored_municipality(model, instance.pk, path)
    )
    set_actor(instance, acting_user)
    instance.delete()


def child_save(child: _M, *, acting_user: User | None, path: str | None) -> _M:
    """A row edited as part of its parent (an inline: budget lines, a scenario's rates …): the
    parent's version covers it; a child that has a version of its own has it bumped too."""
    if child.pk is None or child._state.adding:
        if isinstance(child, Versioned):  # the models with a ``version``
            return create(child, acting_user=acting_user, path=path)
        check_permission(acting_user, perm_for(type(child), "add"), municipality_of(child, path))
    else:
        if isinstance(child, Versioned):
            return update(child, expected_version=None, acting_user=acting_user, path=path)
        model = type(child)
        perm = perm_for(model, "change")
        stored = _stored_municipality(model, child.pk, path)
        _check_municipalities(acting_user, perm, {stored, municipality_of(child, path)})
    child.full_clean()
    set_actor(child, acting_user)
    child.save()
    return child


def child_delete(child: Model, *, acting_user: User | None, path: str | None) -> None:
    model = type(child)
    check_permission(
        acting_user, perm_for(model, "delete"), _stored_municipality(model, child.pk, path)
    )
    set_actor(child, acting_user)
    child.delete()


# Services of an entity --------------------------------------------------------------------------------
class EntityServices(Generic[_M]):
    """``<entity>_create``, ``<entity>_update`` and ``<entity>_delete`` of one model, and the keyword
    they take the record by (``arg``); the admin's ``VersionedAdminMixin`` calls them. Unpacks as
    (create, update, delete)."""

    def __init__(
        self,
        *,
        create: Callable[..., _M],
        update: Callable[..., _M],
        delete: Callable[..., None],
        arg: str,
    ) -> None:
        self.create, self.update, self.delete, self.arg = create, update, delete, arg

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        # The three differ in what they return (the record, the record, None).
        return iter((self.create, self.update, self.delete))


def entity_services(
    model: type[_VM],
    arg: str,
    *,
    own_create: Callable[..., _VM] | None = None,
    own_update: Callable[..., _VM] | None = None,
) -> EntityServices[_VM]:
    """The plain create/update/delete services of ``model``: everything in this module, nothing
    more. An entity with rules of its own (a recommendation's first status, a measurement's
    baseline) writes those services by hand on top of ``create``/``update`` and passes them as
    ``own_create``/``own_update``; the rest are generated. Where a record belongs is what its
    QuerySet declares (``scoping.municipality_path``)."""
    path = model_path(model)
    module = sys._getframe(1).f_globals.get("__name__", __name__)
    label = model._meta.verbose_name

    def record(kwargs: dict[str, Any]) -> _VM:
        instance: _VM = kwargs.pop(arg)
        if kwargs:
            raise TypeError(f"unexpected arguments: {sorted(kwargs)}")
        return instance

    @transaction.atomic
    def create_(*, acting_user: User | None, m2m: M2M | None = None, **kwargs: Any) -> _VM:
        return create(record(kwargs), acting_user=acting_user, path=path, m2m=m2m)

    @transaction.atomic
    def update_(
        *,
        expected_version: int | str | None,
        acting_user: User | None,
        m2m: M2M | None = None,
        **kwargs: Any,
    ) -> _VM:
        instance = record(kwargs)
        return update(
            instance, expected_version=expected_version, acting_user=acting_user, path=path, m2m=m2m
        )

    @transaction.atomic
    def delete_(
        *, acting_user: User | None, expected_version: int | str | None = None, **kwargs: Any
    ) -> None:
        instance = record(kwargs)
        delete(instance, acting_user=acting_user, path=path, expected_version=expected_version)

    for function, verb, doc in (
        (create_, "create", "Create a %s (version 0)."),
        (update_, "update", "Save a changed %s made on ``expected_version``."),
        (delete_, "delete", "Delete a %s."),
    ):
        function.__name__ = function.__qualname__ = f"{arg}_{verb}"
        function.__module__ = module
        function.__doc__ = doc % label
    return EntityServices(
        create=own_create or create_, update=own_update or update_, delete=delete_, arg=arg
    )


# What changed meanwhile ----------------------------------------------------------------------------
def stale_message(model: type[Model], pk: Any, seen_version: int) -> str:
    """ "Changed by hanne at 10:32: title, decision" for every save after ``seen_version``, read from
    the audit log (which names the actor and the fields of every write)."""
    changes = changes_since(model, pk, seen_version)
    if changes:
        detail = "; ".join(
            _("by %(who)s at %(time)s: %(fields)s")
            % {"who": who, "time": when, "fields": ", ".join(fields) or _("no visible fields")}
            for who, when, fields in changes
        )
    else:
        detail = _("by %(who)s") % {"who": _("the system")}
    return _(
        "This was changed by someone else after you opened it, %(changes)s. Nothing was saved: "
        "reload the page to see the change, then try again."
    ) % {"changes": detail}


def changes_since(
    model: type[Model], pk: Any, seen_version: int
) -> list[tuple[str, str, list[str]]]:
    """(who, when, field labels) for each save after ``seen_version``, oldest first. Many-to-many
    changes recorded right after a save are counted with it."""
    AuditEntry = apps.get_model("audit", "AuditEntry")
    # Saves only: an account's failed logins are entries of the account too, and a burst of them
    # must not push its last saves out of the entries read.
    entries = list(
        AuditEntry.objects.filter(
            model_label=model._meta.label_lower,
            object_id=str(pk),
            action__in=("create", "update", "delete"),
        ).order_by("-id")[:STALE_ENTRIES_READ]
    )
    entries.reverse()
    result: list[tuple[str, str, list[str]]] = []
    started = False
    for entry in entries:
        version = (entry.changes or {}).get("version")
        bumped = isinstance(version, list) and len(version) == 2 and _int(version[1]) > seen_version
        if bumped:
            started = True
            result.append((entry.actor_name or _("the system"), _when(entry.time), []))
        elif not started:
            continue
        fields = result[-1][2]
        for name in entry.changes or {}:
            label = _label(model, name)
            if label and label not in fields:
                fields.append(label)
    return result


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _label(model: type[Model], name: str) -> str | None:
    if name in QUIET_FIELDS or "." in name:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    assert isinstance(field, Field), f"{name} is not a field of {model}"  # audited: forward fields
    return str(capfirst(field.verbose_name))


def _when(time: datetime.datetime) -> str:
    local = timezone.localtime(time)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return local.strftime("%d.%m.%Y %H:%M")


def model_path(model: type[Model]) -> str | None:
    """The lookup from ``model`` to its municipality, as its ScopedQuerySet declares it; None for
    the lists every municipality shares (professions, statuses …), which only superusers change."""
    from . import scoping

    return scoping.municipality_path(model) if scoping.is_scoped(model) else None
