from django.utils.functional import SimpleLazyObject

from . import access


def navigation(request):
    """The municipalities a visitor can open, for the navigation; queried only if a page uses it."""
    user = getattr(request, "user", None)
    return {
        "nav_municipalities": SimpleLazyObject(
            lambda: (
                list(access.readable_municipalities(user).order_by("name").distinct())
                if user is not None
                else []
            )
        ),
        # Ids of the municipalities the user is a member of: pages for members only (the
        # follow-up rounds) are linked for these.
        "member_municipality_ids": SimpleLazyObject(
            lambda: (
                set(access.member_municipalities(user).values_list("pk", flat=True))
                if user is not None and user.is_authenticated
                else set()
            )
        ),
    }
