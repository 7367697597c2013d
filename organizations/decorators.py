from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import access
from .models import Municipality


def municipality_view(view):
    """Resolve the ``slug`` in the URL to a municipality the visitor may read, or refuse.

    Anonymous visitors are sent to the login page for an unpublished municipality; a logged-in
    outsider gets 404, so the page does not even confirm that the data exists.
    """

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        municipality = get_object_or_404(Municipality, slug=slug)
        if not access.can_read(request.user, municipality):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        return view(request, municipality, *args, **kwargs)

    return wrapper
