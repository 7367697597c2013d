"""The admin's one write path: every ModelAdmin that edits data saves through its entity's services
(``organizations.writes``) and refuses a stale form.

``VersionedAdminMixin`` gives a ModelAdmin
- the version check: the change form carries the record's version (``StaleEditForm``); a form opened
  before someone else's save is refused with what changed and by whom, before the record, its inlines
  or its many-to-many values are written;
- ``save_model`` → ``<entity>_create`` / ``<entity>_update`` with the version the form saw and the
  form's many-to-many values; ``delete_model`` (and the bulk delete) → ``<entity>_delete``;
- inline rows through ``writes.child_save`` / ``child_delete`` (permission in the parent's
  municipality, validated, audited), versioned by their parent.
"""

from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from . import writes
from .admin_history import ModelAdminMixinBase
from .admin_scoping import MunicipalityScopedAdmin
from .forms import versioned

VERSION_FIELD = "version_seen"


class VersionedAdminMixin(ModelAdminMixinBase):
    """Mixin for ModelAdmin; set ``write_services`` to the entity's ``writes.EntityServices``."""

    write_services: writes.EntityServices

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form = versioned(self.form)

    # The form carries the version ---------------------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        if not self.has_change_permission(request, obj):
            return fieldsets
        name, options = fieldsets[0]
        first = (name, {**options, "fields": [*options["fields"], VERSION_FIELD]})
        return [first, *fieldsets[1:]]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service that refuses a save the form accepted (a change between the form's check and
        the save, a rule only the service knows) rolls back the whole save and sends the user back
        to the form with the reason, never a server error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    # Saving through the services ------------------------------------------------------------------
    def _many_to_many(self, form) -> dict:
        return {
            field.name: form.cleaned_data[field.name]
            for field in self.model._meta.many_to_many
            if field.name in form.cleaned_data
        }

    def save_model(self, request, obj, form, change):
        services = self.write_services
        if change:
            services.update(
                **{services.arg: obj},
                expected_version=form.cleaned_data.get(VERSION_FIELD),
                acting_user=request.user,
                m2m=self._many_to_many(form),
            )
        else:
            services.create(
                **{services.arg: obj}, acting_user=request.user, m2m=self._many_to_many(form)
            )

    def save_related(self, request, form, formsets, change):
        # The many-to-many values went with the record through its service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _child_path(self, formset) -> str | None:
        if not isinstance(self, MunicipalityScopedAdmin):
            return None
        parent = self.municipality_path
        return formset.fk.name if parent == "pk" else f"{formset.fk.name}__{parent}"

    def save_formset(self, request, form, formset, change):
        path = self._child_path(formset)
        rows = formset.save(commit=False)
        for child in formset.deleted_objects:
            self.delete_child(child, acting_user=request.user, path=path)
        for child in rows:
            self.save_child(child, acting_user=request.user, path=path)
        formset.save_m2m()

    def save_child(self, child, *, acting_user, path):
        """One inline row, saved as part of this record (``writes.child_save``). An admin whose
        inline rows have services of their own (rules the generic write does not know) calls
        them here."""
        writes.child_save(child, acting_user=acting_user, path=path)

    def delete_child(self, child, *, acting_user, path):
        writes.child_delete(child, acting_user=acting_user, path=path)

    def delete_model(self, request, obj):
        self.write_services.delete(**{self.write_services.arg: obj}, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
