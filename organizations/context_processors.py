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
        )
    }
