"""Failed logins: every one is in the audit log; a user name that fails from anywhere is paused for a
short, growing time (organizations.login), so an attacker who rotates addresses is slowed while the
real user is let in again soon after; administrators see the recent failures of their own members."""

import pytest
from django.contrib.auth import SESSION_KEY, authenticate
from django.core import serializers
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditEntry
from organizations import login
from tests.conftest import PASSWORD
from tests.factories import UserFactory

# PostgreSQL: the audit log and the lockout's counters.
pytestmark = pytest.mark.postgres

ADDRESS = "198.51.100.7"
GUESS = "Sommer2024!"


def attempt(username, password, address=ADDRESS, url="login"):
    client = Client()
    response = client.post(
        reverse(url), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response, SESSION_KEY in client.session


def rotate(username, count, first=1):
    """``count`` wrong guesses for ``username``, each from an address of its own (so django-axes,
    which counts per user name and address, never locks any of them): through ``authenticate()``,
    as the login forms check a password, without drawing a page for each."""
    for number in range(first, first + count):
        request = RequestFactory().post(reverse("login"), REMOTE_ADDR=f"203.0.113.{number}")
        assert authenticate(request, username=username, password=GUESS) is None


@pytest.fixture
def later(monkeypatch):
    """Moves the pauses' clock on by some seconds."""
    now = [login._clock()]
    monkeypatch.setattr(login, "_clock", lambda: now[0])

    def move(seconds):
        now[0] += seconds

    return move


@pytest.mark.django_db
def test_a_login_failure_appears_in_the_audit_log(axes_on, hr_officer):
    response, logged_in = attempt("hanne", GUESS)
    assert response.status_code == 200 and not logged_in
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.get_action_display() == "Login mislykkedes"
    assert (entry.object_repr, entry.ip_address) == ("hanne", ADDRESS)
    assert entry.object_id == str(hr_officer.pk)  # the account the user name names
    assert entry.actor is None and entry.actor_name == "" and entry.municipality is None
    # A user name of no account (they are case-sensitive), in the admin's login form, as typed.
    attempt("HANNE", GUESS, url="admin:login")
    typo = AuditEntry.objects.get(action="login_failed", object_repr="HANNE")
    assert typo.object_id == ""
    # Never the password.
    assert GUESS not in serializers.serialize("json", AuditEntry.objects.all())


@pytest.mark.django_db
def test_an_attempt_refused_by_the_lockout_is_recorded_as_refused(axes_on, hr_officer):
    for _ in range(5):
        attempt("hanne", GUESS)
    response, logged_in = attempt("hanne", PASSWORD)
    assert response.status_code == 429 and not logged_in
    attempts = AuditEntry.objects.filter(action__startswith="login").order_by("id")
    actions = list(attempts.values_list("action", flat=True))
    assert actions == ["login_failed"] * 5 + ["login_blocked"]


def test_the_pause_starts_at_the_tenth_failure_doubles_and_stops_at_fifteen_minutes(axes_on):
    pauses = [login.LOGIN_ACCOUNT.count("hanne") for _ in range(16)]
    assert pauses == [0] * 9 + [60, 120, 240, 480, 900, 900, 900]


@pytest.mark.django_db
def test_an_attacker_rotating_addresses_is_paused_and_the_real_user_gets_in_after_it(
    axes_on, hr_officer, administrator, later
):
    rotate("hanne", 10)
    # The right password, from an address that never failed: refused, with a page saying why.
    response, logged_in = attempt("hanne", PASSWORD, address="192.0.2.44")
    assert response.status_code == 429 and not logged_in
    page = response.content.decode()
    assert "Login er sat på pause" in page
    assert "sat på pause i 1 minut." in page
    assert "hanne" not in page  # the page names no user name
    assert reverse("password_reset") in page
    # The admin's login form is paused as well; another user name is not.
    assert attempt("hanne", PASSWORD, url="admin:login")[0].status_code == 429
    assert attempt("ada", PASSWORD, address="192.0.2.44")[1]
    # Guesses during the pause are refused unchecked: recorded, neither counted nor extending it.
    for number in range(11, 14):
        assert attempt("hanne", GUESS, address=f"203.0.113.{number}")[0].status_code == 429
    assert AuditEntry.objects.filter(action="login_blocked", object_repr="hanne").count() == 5
    later(61)
    assert attempt("hanne", PASSWORD, address="192.0.2.44")[1]


@pytest.mark.django_db
def test_a_successful_login_starts_the_count_over(axes_on, hr_officer):
    rotate("hanne", 9)
    assert attempt("hanne", PASSWORD)[1]
    rotate("hanne", 1, first=20)
    assert attempt("hanne", PASSWORD)[1]  # ten failures in all, but not ten since the last login


# The administrators' view ------------------------------------------------------------------------
def _names_on_the_page(client):
    response = client.get(reverse("admin:audit_auditentry_login_failures"))
    assert response.status_code == 200
    page = response.content.decode()
    return page, {name for name in NAMES if f'<th scope="row">{name}</th>' in page}


NAMES = ("hanne", "rita", "niels", "no-such-person")


@pytest.mark.django_db
def test_administrators_see_the_recent_failures_of_their_own_members(
    axes_on, hr_officer, council_member, administrator, outsider
):
    for name in NAMES:
        attempt(name, GUESS)
    rotate("hanne", 9)  # ten in all: paused now
    client = Client()
    client.force_login(administrator)
    page, names = _names_on_the_page(client)
    assert names == {"hanne", "rita"}  # Allerød's members; not Norddjurs's, not a made-up name
    assert "1 minut endnu" in page  # hanne is paused
    assert (
        reverse("admin:audit_auditentry_login_failures")
        in client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    )
    client.force_login(outsider)
    assert _names_on_the_page(client)[1] == {"niels"}
    client.force_login(UserFactory.create(username="root", is_superuser=True, is_staff=True))
    assert _names_on_the_page(client)[1] == set(NAMES)
    # Nobody else: the HR officer may not read the audit log, the public and council members are
    # sent to the admin's login page.
    client.force_login(hr_officer)
    assert client.get(reverse("admin:audit_auditentry_login_failures")).status_code == 403
    for visitor in (council_member, None):
        client = Client()
        if visitor:
            client.force_login(visitor)
        response = client.get(reverse("admin:audit_auditentry_login_failures"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
