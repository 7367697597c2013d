"""Admin behaviour that knows no domain, shared by the apps' admin classes."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst


class ReadOnlyAdminMixin:
    """A list and detail page nobody can add to, change or delete from (history, audit rows)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose every input is named after its column (WCAG 1.3.1, 4.1.2): Django names
    a row's inputs only through the table's header cells, which does not label a form control."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):  # type: ignore[valid-type,misc]
            def add_fields(self, form: Any, index: int | None) -> None:
                super().add_fields(form, index)
                for field in form.fields.values():
                    if field.label and not field.widget.is_hidden:
                        # A foreign key's select sits inside the admin's wrapper (the add and
                        # change links): the label belongs on the select itself.
                        widget = getattr(field.widget, "widget", field.widget)
                        widget.attrs.setdefault("aria-label", capfirst(field.label))

        return LabelledFormSet


def filtered_list_view(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """For a view that reads the changelist's filters from its address (an export of the list as
    shown): filters the changelist would refuse (a field that does not exist, a value of the wrong
    kind) send the person back to the list with Django's own message, never a server error."""

    @functools.wraps(view)
    def checked(model_admin: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(model_admin, request, *args, **kwargs)
        except (IncorrectLookupParameters, ValidationError, ValueError):
            opts = model_admin.model._meta
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            return HttpResponseRedirect(f"{changelist}?{ERROR_FLAG}=1")

    return checked
