"""The admin's history page (HISTORIK) from the audit log, the one record of who changed what.

``AuditHistoryAdmin`` is part of every shared ModelAdmin base (``MunicipalityScopedAdmin``,
``SharedListAdmin``). It replaces Django's page of admin log entries (which knew only what was done
in the admin) with the object's audit entries: time, actor, action and each changed field with its
old and new value. Entries of a municipality the user holds no role in are left out (a record that
moved between municipalities keeps its old municipality's entries there). A ModelAdmin adds its own
sections with ``history_sections`` (a recommendation: its status history).

The audit app reads the project's models from the app registry and imports none of them, so this
module reads ``AuditEntry`` from the registry too, instead of importing upward.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import access

HISTORY_LIMIT = 500

if TYPE_CHECKING:
    # The admin mixins are mixed into ModelAdmin: to the type checker they are ModelAdmins.
    from django.contrib.admin import ModelAdmin

    ModelAdminMixinBase = ModelAdmin[Any]
else:
    ModelAdminMixinBase = object


@dataclass
class Change:
    field: str
    old: str
    new: str


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _shown(value, field, related: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_shown(v, field, related) for v in value)
    if field is not None and field.is_relation:
        found = related.get((field.related_model, str(value)))
        return f"{found} (#{value})" if found is not None else f"#{value}"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _related_names(model, entries) -> dict:
    """The current name of every record the entries point to, one query per related model."""
    wanted: dict = {}
    for entry in entries:
        for name, pair in (entry.changes or {}).items():
            field = _field(model, name)
            if field is None or not field.is_relation:
                continue
            for value in pair:
                for one in value if isinstance(value, list) else [value]:
                    if one is not None:
                        wanted.setdefault(field.related_model, set()).add(str(one))
    found = {}
    for related_model, ids in wanted.items():
        pk = related_model._meta.pk
        clean = set()
        for raw in ids:
            try:
                clean.add(pk.to_python(raw))
            except Exception:  # noqa: S112 - a value that is no key is shown as it is
                continue
        for obj in related_model._base_manager.filter(pk__in=clean):
            found[(related_model, str(obj.pk))] = obj
    return found


def describe(model, entries) -> list[tuple[object, list[Change]]]:
    """Each entry with its changes in words: field names as the form shows them, choices by
    their label, related records by their name."""
    related = _related_names(model, entries)
    described = []
    for entry in entries:
        changes = []
        for name, (old, new) in sorted((entry.changes or {}).items()):
            field = _field(model, name)
            label = capfirst(str(field.verbose_name)) if field is not None else name
            changes.append(Change(label, _shown(old, field, related), _shown(new, field, related)))
        described.append((entry, changes))
    return described


class AuditHistoryAdmin(ModelAdminMixinBase):
    """Mixin for ModelAdmin: the history page lists the object's audit entries."""

    object_history_template = "admin/audit_history.html"

    def history_entries(self, request, obj):
        AuditEntry = apps.get_model("audit", "AuditEntry")
        entries = AuditEntry.objects.filter(
            model_label=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("-time", "-id")
        opts = self.opts
        ids = access.municipality_ids_for(request.user, f"{opts.app_label}.view_{opts.model_name}")
        more = access.municipality_ids_for(
            request.user, f"{opts.app_label}.change_{opts.model_name}"
        )
        if ids is not None and more is not None:
            entries = entries.filter(
                Q(municipality__isnull=True) | Q(municipality_id__in=ids | more)
            )
        return entries[:HISTORY_LIMIT]

    def history_sections(self, request, obj) -> list[tuple[str, str]]:
        """Further sections of the page as (heading, HTML)."""
        return []

    def history_view(self, request, object_id, extra_context=None):
        # As Django's own: looked up in the user's list first, then the permission is checked.
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            # Django's own helper for this, which django-stubs does not declare.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = list(self.history_entries(request, obj))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "entries": describe(self.model, entries),
            "sections": self.history_sections(request, obj),
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)
