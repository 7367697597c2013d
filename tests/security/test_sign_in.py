"""Single sign-on against a real OpenID Connect provider on the loopback address (tests/oidc_provider):
the authorisation code flow with PKCE, the roles the claims map to at every sign-in, and the
refusals — no mapped role, a forged state or nonce, a token signed with another key."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from audit.models import AuditEntry
from organizations.models import Membership, Role, User
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.oidc_provider import KEY, authorize, local_path, running_provider, with_query

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def idp():
    with running_provider() as provider:
        yield provider


@pytest.fixture
def sso(idp, settings, allerod):
    """The product with the test provider as Allerød's identity provider."""
    settings.OIDC_PROVIDERS = idp.config(municipality=allerod.code)
    return idp


def start(client, next_url=None):
    """The product's sign-in button: the address of the provider's login page."""
    url = reverse("oidc_login", args=[KEY])
    response = client.get(url, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, sub, **changes):
    """``sub`` signs in: the product sends the browser to the provider, the person logs in there,
    the provider sends the browser back. ``changes``: parameters an attacker altered on the way."""
    authorization_url = start(client)
    callback = authorize(with_query(authorization_url, **changes.pop("request", {})), sub)
    return client.get(local_path(with_query(callback, **changes)))


def signed_in_as(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def roles_of(username):
    return {
        (m.municipality.slug, m.role)
        for m in Membership.objects.filter(user__username=username).select_related("municipality")
    }


def test_sign_in_gives_the_mapped_role_and_lands_on_the_municipality_page(client, sso, allerod):
    sso.set_user(
        "hanne-sub", groups=["opf-hr", "other"], email="hanne@allerod.dk", given_name="Hanne"
    )
    authorization_url = start(client)
    # Authorisation code flow with PKCE, a state and a nonce.
    assert authorization_url.startswith(f"{sso.url}/oauth2/authorize?")
    for parameter in ("response_type=code", "code_challenge_method=S256", "state=", "nonce="):
        assert parameter in authorization_url

    callback = authorize(authorization_url, "hanne-sub")
    response = client.get(local_path(callback))

    assert response.status_code == 302
    assert response["Location"] == reverse("municipality-detail", args=[allerod.slug])
    user = signed_in_as(client)
    assert user is not None and user.username == f"{KEY}+hanne-sub"
    assert (user.first_name, user.email) == ("Hanne", "hanne@allerod.dk")
    assert not user.has_usable_password()
    assert roles_of(user.username) == {("allerod", Role.HR_OFFICER)}
    front_page = client.get(response["Location"])
    assert front_page.status_code == 200
    # No password here to change: the provider holds it.
    assert reverse("password_change") not in front_page.content.decode()
    entry = AuditEntry.objects.get(action="sign_in")
    assert entry.object_id == str(user.pk)
    assert entry.changes == {
        "provider": KEY,
        "subject": "hanne-sub",
        "granted": ["201:hr_officer"],
        "removed": [],
    }


def test_an_account_of_the_provider_is_told_where_its_password_is_changed(client, sso, allerod):
    """No password here, so no form: by its address the page says where the password is changed,
    and a POST with a "new password" changes nothing (the account keeps no usable password)."""
    sso.set_user("hanne-sub", groups=["opf-hr"])
    sign_in(client, "hanne-sub")
    page = client.get(reverse("password_change"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "single sign-on" in text and "<form" not in text.split("<main", 1)[1]
    posted = client.post(
        reverse("password_change"),
        {
            "old_password": "",
            "new_password1": "a long passphrase 7",
            "new_password2": "a long passphrase 7",
        },
    )
    assert posted.status_code == 200 and "single sign-on" in posted.content.decode()
    user = signed_in_as(client)
    assert user is not None and not user.has_usable_password()


def test_a_changed_group_changes_the_right_at_the_next_sign_in(client, sso, allerod):
    sso.set_user("ada-sub", groups=["opf-administrators"])
    sign_in(client, "ada-sub")
    ada = signed_in_as(client)
    assert ada.is_staff and roles_of(ada.username) == {("allerod", Role.ADMINISTRATOR)}
    client.post(reverse("logout"))

    # At the provider, she moves from the administrators to the analysts.
    sso.set_user("ada-sub", groups=["opf-analysts"])
    response = sign_in(client, "ada-sub")

    assert response.status_code == 302
    ada.refresh_from_db()
    assert roles_of(ada.username) == {("allerod", Role.ANALYST)}
    assert not ada.is_staff
    assert client.get(reverse("admin:index")).status_code == 302  # the admin sends her away
    latest = AuditEntry.objects.filter(action="sign_in").first()
    assert latest is not None
    assert latest.changes["granted"] == ["201:analyst"]
    assert latest.changes["removed"] == ["201:administrator"]


def test_a_group_removed_at_the_provider_removes_the_right_and_access(client, sso, allerod):
    sso.set_user("rita-sub", groups=["opf-council"])
    sign_in(client, "rita-sub")
    client.post(reverse("logout"))
    sso.set_user("rita-sub", groups=[])

    response = sign_in(client, "rita-sub")

    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert roles_of(f"{KEY}+rita-sub") == set()
    refused = AuditEntry.objects.get(action="sign_in_refused")
    assert refused.changes["removed"] == ["201:council_member"]


def test_someone_whose_claims_map_to_no_role_is_refused_with_a_danish_page(client, sso):
    sso.set_user("outsider-sub", groups=["kantine"])

    response = sign_in(client, "outsider-sub")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Du har ikke adgang til systemet" in page
    assert "giver en rolle i dette system" in page
    assert signed_in_as(client) is None
    assert roles_of(f"{KEY}+outsider-sub") == set()
    refused = AuditEntry.objects.get(action="sign_in_refused")
    assert refused.changes == {
        "provider": KEY,
        "subject": "outsider-sub",
        "refused": "no mapped role",
    }


def test_a_provider_grants_nothing_in_a_municipality_it_does_not_govern(
    client, sso, settings, allerod, norddjurs
):
    """Allerød's identity provider cannot make anyone an administrator of Norddjurs, whatever its
    role map says: it governs the municipalities listed (by default its own)."""
    settings.OIDC_PROVIDERS = sso.config(
        municipality=allerod.code,
        municipalities=[allerod.code],
        roles={"opf-hr": "hr_officer", "opf-nd": "707:administrator"},
    )
    sso.set_user("sneaky-sub", groups=["opf-hr", "opf-nd"])

    sign_in(client, "sneaky-sub")

    assert roles_of(f"{KEY}+sneaky-sub") == {("allerod", Role.HR_OFFICER)}


def test_each_municipality_has_its_own_provider_and_answers_are_not_mixed_up(
    client, sso, settings, allerod, norddjurs
):
    """Two providers on one installation, each with its own callback: the answer to a sign-in
    started at Allerød's is refused at Norddjurs's callback."""
    settings.OIDC_PROVIDERS = {
        **sso.config(municipality=allerod.code),
        **sso.config("norddjurs", municipality=norddjurs.code),
    }
    sso.set_user("nora-sub", groups=["opf-hr"])
    callback = authorize(start(client), "nora-sub")
    at_norddjurs = local_path(callback).replace(f"/sso/{KEY}/", "/sso/norddjurs/")

    assert client.get(at_norddjurs).status_code == 403
    assert signed_in_as(client) is None

    callback = authorize(
        client.get(reverse("oidc_login", args=["norddjurs"]))["Location"], "nora-sub"
    )
    assert "/sso/norddjurs/svar/" in callback
    assert client.get(local_path(callback))["Location"] == reverse(
        "municipality-detail", args=[norddjurs.slug]
    )
    assert roles_of("norddjurs+nora-sub") == {("norddjurs", Role.HR_OFFICER)}


def test_a_forged_state_is_refused(client, sso):
    sso.set_user("hanne-sub", groups=["opf-hr"])

    response = sign_in(client, "hanne-sub", state="forged-state")

    assert response.status_code == 403
    assert "kunne ikke bekræftes" in response.content.decode()
    assert signed_in_as(client) is None
    assert AuditEntry.objects.get(action="sign_in_refused").changes["refused"] == "unknown state"


def test_a_forged_nonce_is_refused(client, sso):
    """The code the browser brings back was issued for another nonce than the one this browser's
    sign-in asked for (an injected code)."""
    sso.set_user("hanne-sub", groups=["opf-hr"])

    response = sign_in(client, "hanne-sub", request={"nonce": "attackers-nonce"})

    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert not User.objects.filter(username=f"{KEY}+hanne-sub").exists()
    assert "Nonce" in AuditEntry.objects.get(action="sign_in_refused").changes["refused"]


def test_a_token_signed_with_another_key_is_refused(client, sso):
    sso.set_user("hanne-sub", groups=["opf-hr"])
    sso.publish_another_key()
    try:
        response = sign_in(client, "hanne-sub")
    finally:
        sso.published_keys = None

    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert not User.objects.filter(username=f"{KEY}+hanne-sub").exists()
    assert (
        "signature" in AuditEntry.objects.get(action="sign_in_refused").changes["refused"].lower()
    )


def test_a_deactivated_account_loses_its_session(client, sso):
    sso.set_user("hanne-sub", groups=["opf-hr"])
    sign_in(client, "hanne-sub")
    User.objects.filter(username=f"{KEY}+hanne-sub").update(is_active=False)

    assert signed_in_as(client) is not None  # the session row is still there …
    assert not client.get(
        reverse("home")
    ).wsgi_request.user.is_authenticated  # … but lets no one in


def test_a_code_is_used_once(client, sso):
    sso.set_user("hanne-sub", groups=["opf-hr"])
    callback = authorize(start(client), "hanne-sub")
    assert client.get(local_path(callback)).status_code == 302
    client.post(reverse("logout"))

    assert client.get(local_path(callback)).status_code == 403
    assert signed_in_as(client) is None


def test_signing_out_ends_the_session_here_and_at_the_provider(client, sso):
    sso.set_user("hanne-sub", groups=["opf-hr"])
    sign_in(client, "hanne-sub")

    response = client.post(reverse("logout"))

    assert signed_in_as(client) is None
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{sso.url}/oauth2/end_session?")
    assert "id_token_hint=" in location
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2F" in location


def test_the_login_page_offers_the_provider(client, sso):
    page = client.get(reverse("login")).content.decode()
    assert "Log ind med Testkommunens login" in page
    assert reverse("oidc_login", args=[KEY]) in page


def test_an_unreachable_provider_gets_a_page_that_says_so(client, settings, allerod, idp):
    # Port 9 (discard) on the loopback address: nothing listens, the connection is refused at once.
    settings.OIDC_PROVIDERS = idp.config(municipality=allerod.code, issuer="http://127.0.0.1:9")

    response = client.get(reverse("oidc_login", args=[KEY]))

    assert response.status_code == 503
    assert "Testkommunens login kan ikke nås lige nu" in response.content.decode()


def test_an_unknown_provider_is_not_found(client, sso):
    assert client.get(reverse("oidc_login", args=["nobody"])).status_code == 404
    assert client.get(reverse("oidc_callback", args=["nobody"])).status_code == 404


# Local accounts -----------------------------------------------------------------------------------
def test_with_local_login_off_only_a_superuser_logs_in_with_a_password(
    client, settings, hr_officer
):
    settings.LOCAL_LOGIN = False
    root = UserFactory.create(username="root", is_superuser=True, is_staff=True)
    root.set_password(PASSWORD)
    root.save()

    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in page

    refused = client.post(reverse("login"), {"username": "hanne", "password": PASSWORD})
    assert refused.status_code == 200 and signed_in_as(client) is None
    admin_refused = client.post(reverse("admin:login"), {"username": "hanne", "password": PASSWORD})
    assert admin_refused.status_code == 200 and signed_in_as(client) is None

    client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    assert signed_in_as(client) == root


def test_with_local_login_on_the_password_form_stays(client, hr_officer):
    assert 'name="password"' in client.get(reverse("login")).content.decode()
    client.post(reverse("login"), {"username": "hanne", "password": PASSWORD})
    assert signed_in_as(client) == hr_officer


# The role map -----------------------------------------------------------------------------------
BROKER = {
    "municipality_claim": "municipality_code",
    "municipalities": [201, 707],
    "roles_claim": "roles",
    "roles": {"hr": (None, "hr_officer"), "admin": (None, "administrator"), "kl": (101, "analyst")},
}


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        # The widest of several roles in one municipality.
        ({"municipality_code": "201", "roles": ["hr", "admin"]}, {201: "administrator"}),
        # A space-separated claim, as some brokers send it.
        ({"municipality_code": 707, "roles": "hr other"}, {707: "hr_officer"}),
        # A municipality the broker does not govern, or none at all: nothing.
        ({"municipality_code": "999", "roles": ["admin"]}, {}),
        ({"roles": ["hr"]}, {}),
        ({"municipality_code": "201", "roles": ["kl"]}, {}),
    ],
)
def test_roles_from_claims(claims, expected):
    from organizations.oidc import roles_from_claims

    assert roles_from_claims(BROKER, claims) == expected
