"""The answer to a request that failed: 503 "try again in a moment" when the database could not be
reached, Django's 500 page otherwise.

This is the project's ``handler500`` rather than a middleware: Django turns an exception into a
response at every middleware layer (``convert_exception_to_response``), so a middleware would never
see one raised in another middleware (a session or login lookup); every uncaught exception, wherever
it was raised, ends here with the exception still in hand.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext
from django.views import defaults

# The DB-API's errors of the database's operation (connection refused or lost, the server shutting
# down, a deadlock, SQLite's "database is locked"): a later attempt can succeed. Programming and
# integrity errors are bugs or refusals and stay 500s (or are handled where they occur).
UNAVAILABLE = (OperationalError, InterfaceError)
# A restart takes well under a second and a failover a few seconds.
RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        return database_unavailable(request)
    return defaults.server_error(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After. Touches no database: no request context (its processors read the user
    and the navigation), no session, only the active language."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        message = gettext("The service is temporarily unavailable – please try again shortly.")
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
