"""Every admin address, malformed: no server error (issue: hardening, item 2). Each URL pattern of
the admin (changelists, add, change, history, delete, export, import, the custom views) is asked for
with ids that are not ids and query strings that are not filters, by GET and by POST, as each staff
persona; every answer is a 4xx or a redirect (with a message), never a 5xx."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import member

pytestmark = pytest.mark.django_db

# Not ids: a word, a negative, an id that exists nowhere. Not filters: an unknown one, a value of the
# wrong kind for a key and for a date, an ordering that is not a column.
BAD_IDS = ["abc", "-1", "99999999"]
BAD_QUERIES = ["bogus=1", "municipality__id__exact=abc", "date__gte=not-a-date", "o=abc"]
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def admin_routes(patterns=None, prefix=""):
    """Every admin route as its pattern text, e.g. ``admin/recommendations/recommendation/<path:object_id>/change/``."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if text.startswith("admin/") or (not prefix and str(pattern.pattern) == "admin/"):
                yield from admin_routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern) and text.startswith("admin/"):
            if "(?P" in text or text.startswith("^"):
                continue  # the app index's regex: asked for below with a bad app label
            yield text


def addresses():
    for route in sorted(set(admin_routes())):
        names = PARAMETER.findall(route)
        if not names:
            for query in ["", *BAD_QUERIES]:
                yield "/" + route + (f"?{query}" if query else "")
            continue
        for bad in BAD_IDS:
            filled = route
            for converter, _name in names:
                value = "99999999" if converter == "int" else bad
                filled = PARAMETER.sub(value, filled, count=1)
            yield "/" + filled
    yield "/admin/no_such_app/"
    yield "/admin/recommendations/no_such_model/"


ADDRESSES = list(dict.fromkeys(addresses()))  # an id only an int converter takes comes out the same


@pytest.fixture
def staff(allerod):
    from organizations.models import Role

    return {
        "hr_officer": member("crawl-hr", allerod, Role.HR_OFFICER),
        "administrator": member("crawl-admin", allerod, Role.ADMINISTRATOR),
    }


def test_the_crawl_covers_every_kind_of_admin_page():
    text = "\n".join(ADDRESSES)
    for kind in ("/change/", "/delete/", "/history/", "/export/", "/import/", "/add/", "/status/"):
        assert kind in text, kind
    assert len(ADDRESSES) > 500


@pytest.mark.long
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("persona", ["hr_officer", "administrator"])
def test_no_malformed_admin_address_gives_a_server_error(staff, persona, method):
    client = Client(raise_request_exception=False)
    client.force_login(staff[persona])
    send = getattr(client, method)
    failures = [
        f"{method.upper()} {address}: {status}"
        for address in ADDRESSES
        if (status := send(address).status_code) >= 500
    ]
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
