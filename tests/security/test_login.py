"""Logging in: the lockout after repeated failures (django-axes), password rules, sessions ending on a
password change, and CSRF on every form."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.request import client_ip
from tests.conftest import PASSWORD

# PostgreSQL: the login lockout's counters.
pytestmark = pytest.mark.postgres

ADDRESS = "198.51.100.7"
OTHER_ADDRESS = "203.0.113.9"


def attempt(client, username, password, address=ADDRESS):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_settings_say_five_failures_fifteen_minutes_per_username_and_address():
    from datetime import timedelta

    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == django_settings.AXES_COOLOFF_TIME
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.django_db
def test_four_failures_still_let_the_right_password_in(axes_on, client, hr_officer):
    for _ in range(4):
        response = attempt(client, "hanne", "wrong")
        assert response.status_code == 200
        assert not logged_in(client)
    response = attempt(client, "hanne", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_after_five_failures_even_the_right_password_is_refused_with_a_clear_message(
    axes_on, client, hr_officer
):
    for _ in range(5):
        attempt(client, "hanne", "wrong")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # the page in English
    with translation.override("en"):
        response = attempt(client, "hanne", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    text = response.content.decode()
    assert "Login blocked" in text
    assert "15 minutes" in text
    assert text.count("<h1") == 1
    assert 'href="/static/css/site.css"' in text or "site.css" in text  # the site's own layout


@pytest.mark.django_db
def test_the_lockout_is_per_username_and_address(axes_on, client, hr_officer, administrator):
    for _ in range(5):
        attempt(client, "hanne", "wrong")
    # The same person from another address, and another person from the same address, get in.
    assert attempt(Client(), "hanne", PASSWORD, address=OTHER_ADDRESS).status_code == 302
    assert attempt(Client(), "ada", PASSWORD, address=ADDRESS).status_code == 302
    assert attempt(Client(), "hanne", PASSWORD, address=ADDRESS).status_code == 429


@pytest.mark.django_db
def test_the_lockout_ends_after_fifteen_minutes(axes_on, client, hr_officer):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(5):
        attempt(client, "hanne", "wrong")
    assert attempt(client, "hanne", PASSWORD).status_code == 429
    # Sixteen minutes later (the attempts are what the cool-off is measured from).
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(
            attempt_time=row.attempt_time - timedelta(minutes=16)
        )
    assert attempt(client, "hanne", PASSWORD).status_code == 302


def _request(meta):
    from django.test import RequestFactory

    return RequestFactory().get("/", **meta)


def test_client_address_is_remote_addr_without_a_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = _request({"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": "1.2.3.4"})
    assert client_ip(request) == ADDRESS


def test_client_address_behind_one_proxy_is_the_one_it_saw_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged 1.2.3.4; our proxy appended the address it really saw.
    request = _request({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": f"1.2.3.4, {ADDRESS}"})
    assert client_ip(request) == ADDRESS
    # Without the header (a request that bypassed the proxy) the connection's address is used.
    assert client_ip(_request({"REMOTE_ADDR": "10.0.0.2"})) == "10.0.0.2"
    assert client_ip(_request({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "junk"})) == (
        "10.0.0.2"
    )


@pytest.mark.django_db
def test_lockout_behind_a_proxy_counts_the_forwarded_address(axes_on, client, hr_officer):
    axes_on.TRUSTED_PROXY_COUNT = 1
    proxy: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.2"}  # extra environ, as the client takes it
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "hanne", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=ADDRESS,
            **proxy,
        )
    locked = Client().post(
        reverse("login"),
        {"username": "hanne", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=ADDRESS,
        **proxy,
    )
    assert locked.status_code == 429
    other = Client().post(
        reverse("login"),
        {"username": "hanne", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=OTHER_ADDRESS,
        **proxy,
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short", "password123", "12345678901234", "hanne-hansen"],
)
def test_weak_passwords_are_refused(password):
    from organizations.models import User

    user = User(username="hanne-hansen", first_name="Hanne", last_name="Hansen")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_strong_password_is_accepted():
    validate_password("correct horse battery staple")


@pytest.mark.django_db
def test_changing_the_password_ends_other_sessions(client, hr_officer):
    client.force_login(hr_officer)
    assert client.get(reverse("admin:index")).status_code == 200
    hr_officer.set_password("a new and long passphrase 42")
    hr_officer.save()
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert not logged_in(client)


@pytest.mark.django_db
def test_login_without_csrf_token_is_refused(hr_officer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "hanne", "password": PASSWORD})
    assert response.status_code == 403
    assert not logged_in(client)


TEMPLATE_DIRS = [Path(django_settings.BASE_DIR) / "templates"] + sorted(
    Path(django_settings.BASE_DIR).glob("*/templates")
)


def _templates():
    for folder in TEMPLATE_DIRS:
        yield from sorted(folder.rglob("*.html"))


POST_FORM = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.I | re.S)


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    missing = []
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        for body in POST_FORM.findall(text):
            if "csrf_token" not in body:
                missing.append(str(template))
    assert not missing, f"POST forms without {{% csrf_token %}}: {missing}"
