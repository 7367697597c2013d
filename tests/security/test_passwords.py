"""Passwords: every signed-in person changes their own, council members too (who have no admin)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import PASSWORD

# PostgreSQL: writes and the audit log.
pytestmark = pytest.mark.postgres

NEW_PASSWORD = "a new and long passphrase 42"


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
