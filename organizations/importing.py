"""What every import subject of a municipality's data shares (see core.importing)."""

from typing import Any

from core import importing

from . import access, writes


class MunicipalSubject(importing.Subject):
    """A subject imported by users with its permission in some municipality; each row is checked
    against the municipality it belongs to."""

    def may_import(self, user: Any) -> bool:
        return access.has_perm_anywhere(user, self.permission)

    def check_municipality(self, user: Any, municipality_id: int) -> None:
        """PermissionDenied unless ``user`` may import this subject in the municipality."""
        writes.check_permission(user, self.permission, municipality_id)
