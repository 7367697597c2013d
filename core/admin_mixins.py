"""Admin behaviour that knows no domain, shared by the apps' admin classes."""


class ReadOnlyAdminMixin:
    """A list and detail page nobody can add to, change or delete from (history, audit rows)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
