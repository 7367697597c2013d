"""Admin behaviour that knows no domain, shared by the apps' admin classes."""

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """A list and detail page nobody can add to, change or delete from (history, audit rows)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
