"""Recording every write to the project's models, and the attempts at the door: failed logins and
password reset requests (``record_account_event``).

``connect()`` (called from AuditConfig.ready) attaches handlers to each model of the project apps, read
from the app registry, so this app imports none of them and a new model is audited without a change
here. For an update, ``pre_save`` reads the row's old values (and its municipality) in one query;
``post_save`` compares and records only what changed. Deletes record the last values; many-to-many
changes record the old and new sets of ids.

Each entry also raises its municipality's data generation (every municipality's, for a row they all
share) in the same transaction: the version of the dashboards' caches (organizations.generation).

Not seen by signals, and so not recorded: ``QuerySet.update()``, ``bulk_create()`` and raw SQL. The
services write row by row; keep it that way for anything a user does. A bulk path calls
``municipality_bump_generation`` itself, or inserts new rows with ``organizations.writes.create_many``,
whose ``bulk_created`` signal ``record_many`` answers with the entries ``post_save`` would have written
for each row, in one bulk insert.
"""

from __future__ import annotations

import functools
import logging
from collections import deque
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from core.bulk import insert_columns, insert_rows
from organizations.generation import municipality_bump_generation
from organizations.writes import bulk_created

from .request import client_ip, current_actor, current_request

log = logging.getLogger(__name__)

AUDITED_APPS = (
    "core",  # import jobs: who started which import, and how it ended
    "organizations",
    "employment_plan",
    "recommendations",
    "followup",
    "workforce",
    "dashboards",
    "api",  # API keys created and revoked (never their secret or its digest)
)
# Bookkeeping that is not a user's write: the e-mail jobs' records of what they have sent.
EXCLUDED_MODELS = {
    "recommendations.remindersent",
    "followup.rounddigestsent",
    "followup.followdigestsent",
    "followup.followchangesent",
}
# Where a model's municipality is, when the nearest "municipality" is not the owner's.
MUNICIPALITY_PATHS = {
    # The municipality of a comparison measurement is the one compared with; the owner is the plan's.
    "employment_plan.comparisonmeasurement": "indicator__plan__municipality",
}
# Fields whose changes are not worth an entry on their own (the generation is bookkeeping, raised
# by record() below, never saved from an instance).
IGNORED_FIELDS = {"last_login", "data_generation"}
# Rows no dashboard shows: a change to them leaves every municipality's generation alone.
NO_GENERATION = {"organizations.user", "core.importjob", "api.apikey", "followup.follow"}
# Values never written to the log, only that they changed.
MASKED_FIELDS = {"password"}
MASK = "***"
# Fields that name the person who made the record, for writes outside a request.
ACTOR_FIELDS = ("author", "entered_by", "actor")
# The attribute a service sets on an instance to name who acts: ``obj._audit_actor = acting_user``.
ACTOR_ATTRIBUTE = "_audit_actor"

_PRE = "_audit_pre"
_M2M = "_audit_m2m"


# Which models ---------------------------------------------------------------------------------------
def audited_models() -> list[type[models.Model]]:
    result = []
    for label in AUDITED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            label = model._meta.label_lower
            if label in EXCLUDED_MODELS or label == "audit.auditentry":
                continue
            result.append(model)
    return result


# Where: the municipality of a record -----------------------------------------------------------------
_path_cache: dict[str, str | None] = {}


def municipality_path(model) -> str | None:
    """The lookup from ``model`` to its municipality ("pk" for a municipality), or None."""
    label = model._meta.label_lower
    if label in _path_cache:
        return _path_cache[label]
    municipality_model = apps.get_model("organizations", "Municipality")
    path: str | None
    if model is municipality_model:
        path = "pk"
    else:
        path = MUNICIPALITY_PATHS.get(label) or _find_path(model, municipality_model)
    _path_cache[label] = path
    return path


def _forward_relations(model):
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model not in (model, user_model):
            yield field


def _find_path(model, municipality_model, max_depth: int = 4) -> str | None:
    """Breadth first along foreign keys; a field called "municipality" wins within a level."""
    queue = deque([(model, "")])
    seen = {model}
    while queue:
        current, prefix = queue.popleft()
        if prefix.count("__") >= max_depth:
            continue
        fields = sorted(_forward_relations(current), key=lambda f: f.name != "municipality")
        for field in fields:
            if field.related_model is municipality_model:
                return prefix + field.name
        for field in fields:
            if field.related_model not in seen:
                seen.add(field.related_model)
                queue.append((field.related_model, f"{prefix}{field.name}__"))
    return None


def municipality_id_of(instance) -> int | None:
    """Follow the path from ``instance``, using loaded relations and at most one query."""
    path = municipality_path(type(instance))
    if path is None:
        return None
    if path == "pk":
        return instance.pk
    parts = path.split("__")
    obj = instance
    for index, part in enumerate(parts):
        field = obj._meta.get_field(part)
        value = getattr(obj, field.attname)
        if value is None:
            return None
        if index == len(parts) - 1:
            return value
        if field.is_cached(obj):
            obj = getattr(obj, part)
            continue
        rest = "__".join(parts[index + 1 :])
        return (
            field.related_model._base_manager.filter(**{field.target_field.attname: value})
            .values_list(rest, flat=True)
            .first()
        )
    return None


# What: values and differences ------------------------------------------------------------------------
def _tracked_fields(model, update_fields=None):
    if update_fields is None:
        return _all_tracked_fields(model)
    return [field for field in _all_tracked_fields(model) if field.name in update_fields]


@functools.cache
def _all_tracked_fields(model: Any) -> tuple:
    """Once per model: a bulk import asks for every row."""
    fields = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in IGNORED_FIELDS:
            continue
        # A model's own bookkeeping (an import job's rows and progress): never an entry of its own.
        if field.name in getattr(model, "AUDIT_IGNORED_FIELDS", ()):
            continue
        if getattr(field, "auto_now", False):
            continue
        fields.append(field)
    return tuple(fields)


def _normalise(field, value):
    if value is None or field.is_relation:
        return value
    try:
        return field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value


def _shown(field, value):
    if field.name in MASKED_FIELDS:
        return MASK if value else value
    return value


def _snapshot(instance, *, created: bool = False) -> dict:
    """The row's non-empty tracked values by field name (masked where they must not be logged);
    ``created``: as the changes of a created row, ``[None, value]`` each (one pass: an import
    snapshots every row)."""
    model: Any = type(instance)
    snapshot = {}
    for name, attname, masked in _snapshot_fields(model):
        value = getattr(instance, attname)
        # Empty: None, "", [] or {} (not 0 or False). Inline: an import snapshots every row.
        if value is not None and (value or not isinstance(value, str | list | dict)):
            shown = (MASK if value else value) if masked else value
            snapshot[name] = [None, shown] if created else shown
    return snapshot


@functools.cache
def _snapshot_fields(model: Any) -> tuple[tuple[str, str, bool], ...]:
    """(name, attname, masked) of each tracked field: a bulk import snapshots every row."""
    return tuple((f.name, f.attname, f.name in MASKED_FIELDS) for f in _all_tracked_fields(model))


def _repr(instance) -> str:
    try:
        return str(instance)[:300]
    except Exception:  # a broken __str__ must never stop a write
        return f"{instance._meta.verbose_name} {instance.pk}"


# Who ------------------------------------------------------------------------------------------------
def _actor_of(instance):
    actor = current_actor()
    if actor is not None:
        return actor
    # Services name who acts on the instance they save (imports and commands run outside a request).
    actor = getattr(instance, ACTOR_ATTRIBUTE, None)
    if actor is not None:
        return actor
    for name in ACTOR_FIELDS:
        try:
            field = instance._meta.get_field(name)
        except Exception:  # noqa: S112 - the model simply has no such field
            continue
        if getattr(instance, field.attname, None) is not None:
            return getattr(instance, name)
    return None


def record(*, instance, action: str, changes: dict, municipality_id=None, object_repr=None) -> None:
    using = instance._state.db or "default"
    entry = _entry(instance, action, changes, municipality_id, object_repr, _client_ip())
    entry.save(force_insert=True, using=using)
    _bump_generation(type(instance), {municipality_id}, using)


# Rows per INSERT of record_many (fewer on SQLite, where Django keeps within its parameter limit).
BATCH_SIZE = 2000


def record_many(*, instances, batch_size: int = BATCH_SIZE) -> None:
    """The entries ``on_post_save`` writes for each of ``instances`` (saved, of one model) when it is
    created, for rows ``create_many`` inserted (no signal is sent): one bulk insert of the
    entries (in batches of ``batch_size``) and the generation of their municipalities raised once."""
    instances = list(instances)
    if not instances:
        return
    model = type(instances[0])
    assert all(type(instance) is model for instance in instances), "one model at a time"
    assert all(instance.pk is not None for instance in instances), "saved instances only"
    using = instances[0]._state.db or "default"
    ip_address = _client_ip()
    municipality_of = _municipality_resolver(model)
    municipality_ids = set()
    AuditEntry = apps.get_model("audit", "AuditEntry")
    columns = insert_columns(AuditEntry)
    now = timezone.now()  # one statement's rows: one time (and one clock reading, not 50,000)

    def rows():
        for instance in instances:
            municipality_id = municipality_of(instance)
            municipality_ids.add(municipality_id)
            values = _entry_values(
                instance, "create", _created(instance), municipality_id, None, ip_address, now
            )
            yield [values[name] for name in columns]

    # Values rather than AuditEntry instances: building 50,000 model instances costs more than
    # the insert.
    insert_rows(AuditEntry, columns, rows(), len(instances), using=using, batch_size=batch_size)
    _bump_generation(model, municipality_ids, using)


def _entry(instance, action, changes, municipality_id, object_repr, ip_address, time=None):
    """The unsaved entry for a write to ``instance``, at ``time`` (now by default)."""
    AuditEntry = apps.get_model("audit", "AuditEntry")
    return AuditEntry(
        **_entry_values(instance, action, changes, municipality_id, object_repr, ip_address, time)
    )


def _entry_values(instance, action, changes, municipality_id, object_repr, ip_address, time=None):
    """The values of an entry for a write to ``instance`` by attribute name: the one place that
    says what an entry holds."""
    actor = _actor_of(instance)
    known = bool(getattr(actor, "pk", None))
    return {
        # The id, not the instance: assigning a related object costs more than the rest of the
        # entry, and nothing reads it back from the unsaved entry.
        "actor_id": actor.pk if known else None,
        "actor_name": actor.get_username() if known else "",
        "ip_address": ip_address,
        "municipality_id": municipality_id,
        "action": action,
        "model_label": instance._meta.label_lower,
        "object_id": str(instance.pk),
        "object_repr": object_repr if object_repr is not None else _repr(instance),
        "changes": changes,
        "time": time or timezone.now(),
    }


def _client_ip():
    request = current_request()
    return client_ip(request) if request is not None else None


def _bump_generation(model, municipality_ids: set, using: str) -> None:
    """Raise the generation of the entries' municipalities (every one's, for a row of none)."""
    if model._meta.label_lower in NO_GENERATION:
        return
    municipality_bump_generation(
        municipality_ids=None if None in municipality_ids else municipality_ids, using=using
    )


def _created(instance) -> dict:
    """The changes of a created row: every value it was saved with."""
    return _snapshot(instance, created=True)


def _municipality_resolver(model):
    """``_safe_municipality_id`` for many instances of ``model``: those that share the first foreign
    key of the path share the municipality, so it is looked up (at most) once per key."""
    path = municipality_path(model)
    if not path or "__" not in path:
        return _safe_municipality_id
    attname = model._meta.get_field(path.split("__")[0]).attname
    found: dict = {}

    def resolve(instance):
        key = getattr(instance, attname)
        if key not in found:
            found[key] = _safe_municipality_id(instance)
        return found[key]

    return resolve


# Handlers ---------------------------------------------------------------------------------------------
def on_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    setattr(instance, _PRE, None)
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = _tracked_fields(sender, update_fields)
    path = municipality_path(sender)
    extra = {}
    if path and path != "pk" and "__" in path:
        extra["_audit_municipality"] = models.F(path)
    row = (
        sender._base_manager.using(instance._state.db or "default")
        .filter(pk=instance.pk)
        .values(*[f.attname for f in fields], **extra)
        .first()
    )
    setattr(instance, _PRE, row)


def on_post_save(sender, instance, created, raw=False, **kwargs):
    pre = getattr(instance, _PRE, None)
    if created or pre is None:
        record(
            instance=instance,
            action="create" if created else "update",
            changes=_created(instance),
            municipality_id=_safe_municipality_id(instance),
        )
        return
    setattr(instance, _PRE, None)
    changes = {}
    for field in _tracked_fields(sender):
        if field.attname not in pre:
            continue
        old = pre[field.attname]
        new = getattr(instance, field.attname)
        if _normalise(field, old) == _normalise(field, new):
            continue
        changes[field.name] = [_shown(field, old), _shown(field, new)]
    if not changes:
        return
    municipality_id = pre.get("_audit_municipality")
    first_hop = (municipality_path(sender) or "").split("__")[0]
    if "_audit_municipality" not in pre or first_hop in changes:
        municipality_id = _safe_municipality_id(instance)
    record(instance=instance, action="update", changes=changes, municipality_id=municipality_id)


def _safe_municipality_id(instance):
    try:
        return municipality_id_of(instance)
    except Exception:  # e.g. a raw fixture row whose parent is not loaded yet
        log.warning("audit: no municipality for %s %s", instance._meta.label, instance.pk)
        return None


def on_pre_delete(sender, instance, **kwargs):
    # Before the cascade removes the rows the path runs through.
    setattr(
        instance,
        _PRE,
        {
            "municipality": _safe_municipality_id(instance),
            "repr": _repr(instance),
            "values": _snapshot(instance),
        },
    )


def on_post_delete(sender, instance, **kwargs):
    pre = getattr(instance, _PRE, None) or {
        "municipality": None,
        "repr": _repr(instance),
        "values": _snapshot(instance),
    }
    record(
        instance=instance,
        action="delete",
        changes={name: [value, None] for name, value in pre["values"].items()},
        municipality_id=pre["municipality"],
        object_repr=pre["repr"],
    )


_through_fields: dict = {}


def _m2m_columns(sender, reverse):
    field = _through_fields[sender]
    if reverse:
        name = f"{field.model._meta.model_name}.{field.name}"
        return name, field.m2m_reverse_field_name(), field.m2m_field_name()
    return field.name, field.m2m_field_name(), field.m2m_reverse_field_name()


def on_m2m_changed(sender, instance, action, reverse, **kwargs):
    if action not in {
        "pre_add",
        "pre_remove",
        "pre_clear",
        "post_add",
        "post_remove",
        "post_clear",
    }:
        return
    name, own, other = _m2m_columns(sender, reverse)
    current = set(sender._base_manager.filter(**{own: instance.pk}).values_list(other, flat=True))
    store = instance.__dict__.setdefault(_M2M, {})
    if action.startswith("pre_"):
        store[sender] = current
        return
    old = store.pop(sender, None)
    if old is None or old == current:
        return
    record(
        instance=instance,
        action="update",
        changes={name: [sorted(old), sorted(current)]},
        municipality_id=_safe_municipality_id(instance),
    )


def on_bulk_created(sender, instances, **kwargs):
    record_many(instances=instances)


# At the door: failed logins and password reset requests -----------------------------------------------
# Longest text kept of what was typed (a user name is at most 150 characters, an e-mail address 254).
TYPED_MAX = 254


def record_account_event(
    *, action: str, typed: str, request, account_id=None, changes: dict | None = None
) -> None:
    """An entry for an attempt on an account rather than a write to a record: ``typed`` is the user
    name or e-mail address as typed (shortened; never a password), the address the request's, no
    actor (nobody is logged in), no municipality (the entry is about a person, and superusers see
    it in the log; administrators see their members' failed logins on the failures page,
    ``AuditEntry.objects.login_failures_visible_to``). ``account_id``: the account the user name
    names, if any. ``changes``: what the event did (a sign-in: the memberships it set)."""
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditEntry(
        changes=changes or {},
        ip_address=client_ip(request) if request is not None else None,
        action=action,
        model_label=settings.AUTH_USER_MODEL.lower(),
        object_id="" if account_id is None else str(account_id),
        object_repr=str(typed or "").replace("\x00", "")[:TYPED_MAX],
    ).save(force_insert=True)


def on_login_failed(sender, credentials, request=None, **kwargs):
    """Django's ``user_login_failed``: every failed login, on the site's form or the admin's —
    refused by the lockout or the pause (``login_blocked``) or with a wrong password
    (``login_failed``). Django has already replaced the password in ``credentials``."""
    from organizations import login

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    # The login forms refuse NUL characters; a caller of authenticate() might not (PostgreSQL would).
    typed = str(credentials.get(user_model.USERNAME_FIELD) or "").replace("\x00", "")
    account_id = (
        user_model._default_manager.filter(**{user_model.USERNAME_FIELD: typed})
        .values_list("pk", flat=True)
        .first()
        if typed
        else None
    )
    blocked = login.attempt_outcome(request) == login.BLOCKED
    record_account_event(
        action="login_blocked" if blocked else "login_failed",
        typed=typed,
        request=request,
        account_id=account_id,
    )


def on_password_reset_requested(sender, request, email, blocked, **kwargs):
    """Every reset request, sent or refused for asking too often; the entry does not say whether
    an account has the address (nor does the page)."""
    record_account_event(
        action="reset_blocked" if blocked else "reset_requested", typed=email, request=request
    )


def on_provider_sign_in(
    sender, request, provider, subject, user, granted, removed, refused, **kwargs
):
    """Every sign-in through an identity provider: who (provider and subject), and the memberships
    it granted and removed; or that it was refused, and why."""
    changes: dict = {"provider": provider, "subject": subject}
    if granted or removed:
        changes.update(granted=granted, removed=removed)
    if refused:
        changes["refused"] = refused
    record_account_event(
        action="sign_in_refused" if refused else "sign_in",
        typed=f"{provider}:{subject}",
        request=request,
        account_id=user.pk if user is not None else None,
        changes=changes,
    )


def connect() -> None:
    from django.contrib.auth.signals import user_login_failed

    from organizations.login import password_reset_requested, provider_sign_in

    user_login_failed.connect(on_login_failed, weak=False, dispatch_uid="audit:login_failed")
    password_reset_requested.connect(
        on_password_reset_requested, weak=False, dispatch_uid="audit:password_reset"
    )
    provider_sign_in.connect(on_provider_sign_in, weak=False, dispatch_uid="audit:sign_in")
    for model in audited_models():
        uid = f"audit:{model._meta.label_lower}"
        pre_save.connect(on_pre_save, sender=model, weak=False, dispatch_uid=uid)
        post_save.connect(on_post_save, sender=model, weak=False, dispatch_uid=uid)
        pre_delete.connect(on_pre_delete, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(on_post_delete, sender=model, weak=False, dispatch_uid=uid)
        bulk_created.connect(on_bulk_created, sender=model, weak=False, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            assert through is not None  # set on every many-to-many field once models are ready
            if through._meta.auto_created:
                _through_fields[through] = field
                m2m_changed.connect(
                    on_m2m_changed, sender=through, weak=False, dispatch_uid=f"{uid}.{field.name}"
                )
