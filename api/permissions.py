from rest_framework.permissions import BasePermission

from organizations import access


class MayExport(BasePermission):
    """The API hands data out, so it is for the roles that may export (analyst, HR officer,
    administrator) — a council member's token gets 403."""

    message = "Your role does not allow exporting data."

    def has_permission(self, request, view):
        ids = access.export_municipality_ids(request.user)
        return ids is None or bool(ids)
