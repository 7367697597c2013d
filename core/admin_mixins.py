"""Admin behaviour that knows no domain, shared by the apps' admin classes."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class ReadOnlyAdminMixin:
    """A list and detail page nobody can add to, change or delete from (history, audit rows)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
