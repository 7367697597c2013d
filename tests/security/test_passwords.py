"""Passwords: every signed-in person changes their own; anyone resets theirs by e-mail — sent through a
real SMTP server here — with the same answer whether or not an account has the address, limited like
logins, and audited."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from organizations import login
from organizations.models import User
from tests.conftest import PASSWORD

# PostgreSQL: writes and the audit log.
pytestmark = pytest.mark.postgres

NEW_PASSWORD = "a new and long passphrase 42"
ADDRESS = "198.51.100.7"


def logs_in(username, password) -> bool:
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return SESSION_KEY in client.session


def password_entries(user):
    return AuditEntry.objects.filter(
        model_label="organizations.user",
        object_id=str(user.pk),
        action="update",
        changes__has_key="password",
    )


# Changing one's own password ---------------------------------------------------------------------
@pytest.mark.django_db
def test_a_council_member_changes_their_own_password(client, council_member):
    client.force_login(council_member)
    front_page = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("password_change")}">Skift adgangskode</a>' in front_page
    form = client.get(reverse("password_change")).content.decode()
    for field in ("old_password", "new_password1", "new_password2"):
        assert f'<label for="id_{field}">' in form
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert "Din adgangskode er skiftet" in client.get(response["Location"]).content.decode()
    assert SESSION_KEY in client.session  # still logged in here
    assert logs_in("rita", NEW_PASSWORD) and not logs_in("rita", PASSWORD)
    entry = password_entries(council_member).latest("id")
    assert entry.actor == council_member and entry.changes["password"] == ["***", "***"]


@pytest.mark.django_db
def test_a_wrong_current_password_changes_nothing_and_the_error_is_at_the_field(
    client, council_member
):
    client.force_login(council_member)
    response = client.post(
        reverse("password_change"),
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    page = response.content.decode()
    # The input names its error; the summary at the top leads to the field.
    assert 'aria-invalid="true" aria-describedby="id_old_password_error"' in page
    assert '<span class="field-error" id="id_old_password_error">' in page
    assert '<a href="#id_old_password">' in page
    assert logs_in("rita", PASSWORD)
    assert not password_entries(council_member).exists()


# Resetting it by e-mail ----------------------------------------------------------------------------
@pytest.fixture
def hanne(hr_officer):
    User.objects.filter(pk=hr_officer.pk).update(email="hanne@allerod.dk")
    hr_officer.refresh_from_db()
    return hr_officer


def reset_link(text: str) -> str:
    match = re.search(r"http\S+/konto/nulstil/[^/\s]+/[^/\s]+/", text)
    assert match, text
    return match[0]


def set_new_password(client, link, password=NEW_PASSWORD):
    """Follow the link of the e-mail and choose ``password``; the page it ends on."""
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302  # Django moves the token from the address to the session
    form_url = response["Location"]
    assert "Vælg en ny adgangskode" in client.get(form_url).content.decode()
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    return client.get(response["Location"])


@pytest.mark.django_db
def test_a_password_is_reset_by_email_through_a_real_mail_server(
    axes_on, smtp_server, client, hanne, settings
):
    login_page = client.get(reverse("login")).content.decode()
    assert f'<a href="{reverse("password_reset")}">Glemt adgangskode?</a>' in login_page
    response = client.post(
        reverse("password_reset"), {"email": "Hanne@Allerod.dk"}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    [message] = smtp_server.messages
    assert message["To"] == "hanne@allerod.dk"
    assert message["Subject"] == "Ny adgangskode til Kommunal opfølgning"
    assert "Dit brugernavn er: hanne" in message.get_content()
    link = reset_link(message.get_content())
    assert link.startswith(settings.SITE_URL + "/konto/nulstil/")
    done = set_new_password(client, link)
    assert "Din nye adgangskode er gemt" in done.content.decode()
    assert logs_in("hanne", NEW_PASSWORD) and not logs_in("hanne", PASSWORD)
    # The link works once.
    used = client.get(urlsplit(link).path, follow=True).content.decode()
    assert "Linket virker ikke" in used
    # Audited: the request (the address as typed, from where) and the change, as hanne's own.
    request = AuditEntry.objects.get(action="reset_requested")
    assert (request.object_repr, request.ip_address) == ("Hanne@Allerod.dk", ADDRESS)
    assert password_entries(hanne).latest("id").actor == hanne


def _page_text(response) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'value="[^"]{64}"', "", response.content.decode())


@pytest.mark.django_db
def test_the_reset_answer_never_tells_whether_an_account_has_the_address(hanne, mailoutbox):
    answers = []
    for address in ("hanne@allerod.dk", "nobody@allerod.dk"):
        response = Client().post(reverse("password_reset"), {"email": address}, follow=True)
        answers.append((response.redirect_chain, response.status_code, _page_text(response)))
    assert answers[0] == answers[1]
    assert "Hvis en konto har den e-mailadresse, du skrev" in answers[0][2]
    assert [message.to for message in mailoutbox] == [["hanne@allerod.dk"]]


@pytest.mark.django_db
def test_reset_requests_are_limited_alike_for_known_and_unknown_addresses(
    axes_on, hanne, mailoutbox, monkeypatch
):
    now = [login._clock()]
    monkeypatch.setattr(login, "_clock", lambda: now[0])
    for address in ("hanne@allerod.dk", "nobody@allerod.dk"):
        answers = [
            Client().post(reverse("password_reset"), {"email": address}, REMOTE_ADDR=f"192.0.2.{n}")
            for n in range(4)
        ]
        assert [answer.status_code for answer in answers] == [302, 302, 302, 429]
        assert "Vent 15 minutter" in answers[-1].content.decode()
    assert len(mailoutbox) == 3  # three requests for hanne's address were sent; the fourth not
    actions = AuditEntry.objects.filter(action__startswith="reset").values_list("action", flat=True)
    assert sorted(actions) == ["reset_blocked"] * 2 + ["reset_requested"] * 6
    now[0] += 15 * 60 + 1  # after the pause, the real person may ask again
    assert (
        Client().post(reverse("password_reset"), {"email": "hanne@allerod.dk"}).status_code == 302
    )
    assert len(mailoutbox) == 4


@pytest.mark.django_db
def test_a_completed_reset_lets_a_locked_out_person_in_at_once(axes_on, hanne, mailoutbox):
    for number in range(10):  # locked out from ADDRESS (5 failures there), paused (10 in all)
        Client().post(
            reverse("login"),
            {"username": "hanne", "password": "guess"},
            REMOTE_ADDR=ADDRESS if number < 5 else f"203.0.113.{number}",
        )
    assert login.LOGIN_ACCOUNT.wait("hanne")
    client = Client()
    client.post(reverse("password_reset"), {"email": "hanne@allerod.dk"})
    set_new_password(client, reset_link(mailoutbox[0].body))
    response = Client().post(
        reverse("login"), {"username": "hanne", "password": NEW_PASSWORD}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302


def test_the_admins_password_page_tells_a_single_sign_on_account_where_to_change_it(
    client, hr_officer
):
    """An HR officer signing in through the municipality's identity provider has no password here:
    the admin's page, opened by its address, says where it is changed, and a POST changes nothing.
    Someone with a password still gets Django's form."""
    url = reverse("admin:password_change")
    client.force_login(hr_officer)
    assert 'name="old_password"' in client.get(url).content.decode()

    hr_officer.set_unusable_password()
    hr_officer.save()
    client.force_login(hr_officer)
    page = client.get(url).content.decode()
    assert "single sign-on" in page and 'name="old_password"' not in page
    posted = client.post(
        url,
        {
            "old_password": "",
            "new_password1": "a long passphrase 7",
            "new_password2": "a long passphrase 7",
        },
    )
    assert posted.status_code == 200 and "single sign-on" in posted.content.decode()
    hr_officer.refresh_from_db()
    assert not hr_officer.has_usable_password()
