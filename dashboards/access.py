"""Who may take data out of the dashboards. Reading follows the municipality (members, or anyone
when published); exporting needs a role whose work is analysis, so a published page never becomes an
anonymous bulk download."""

from organizations.access import has_perm_in
from organizations.models import Membership, Role

EXPORT_ROLES = frozenset({Role.ANALYST, Role.HR_OFFICER, Role.ADMINISTRATOR})


def can_export(user, municipality) -> bool:
    """Analysts, HR officers and administrators of ``municipality`` (and superusers)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not has_perm_in(user, "recommendations.view_recommendation", municipality):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, municipality=municipality, role__in=list(EXPORT_ROLES)
    ).exists()
