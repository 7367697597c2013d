"""API keys (docs/api.md, docs/security.md "API keys"): stored only as a hash, shown once, revoked
by their owner and by a password change, a deactivation or the loss of the role that may export;
and the throttles: per key, per address, and per address for wrong keys, with a 429 that says when
to come back."""

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import URLPattern, reverse

from api import services as api_services
from api.models import ApiKey
from api.urls import router
from api.views import ThrottledApiMixin
from audit.models import AuditEntry
from organizations import services
from organizations.models import Membership, Role
from tests.factories import UserFactory, api_key, member

# PostgreSQL: the API's part of the suite (docs/security.md).
pytestmark = pytest.mark.postgres

LIST = "api-recommendation-list"


def get(client, key, **extra):
    return client.get(reverse(LIST), HTTP_AUTHORIZATION=f"Token {key}", **extra)


@pytest.fixture
def rates(settings):
    """Lower limits, so a burst past them is a few requests (the mechanism is the same)."""

    def _set(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return _set


@pytest.mark.django_db
def test_the_key_is_shown_once_and_the_database_holds_nothing_that_works_as_one(
    client, analyst, login
):
    page = login(analyst).post(reverse("api-token"), {"name": "Power BI"})
    secret = page.context["new_key"]
    assert secret.startswith("opf_") and secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]  # never_cache: not kept by the browser
    assert get(client, secret).status_code == 200

    later = client.get(reverse("api-token")).content.decode()
    row = ApiKey.objects.get(user=analyst)
    assert secret not in later and "Power BI" in later and row.token_key in later

    # What a dump of the database holds: the key's row and its audit entry.
    stored = [str(v) for v in ApiKey.objects.filter(pk=row.pk).values().get().values()]
    entry = AuditEntry.objects.get(model_label="api.apikey", action="create")
    stored += [str(new) for _old, new in entry.changes.values()]
    assert not any(secret in value for value in stored)
    assert "digest" not in entry.changes
    for value in stored:
        assert get(client, value).status_code == 401, value
    assert get(client, secret).status_code == 200


@pytest.mark.django_db
def test_revoking_a_key_stops_it_and_leaves_the_others(client, analyst, login):
    page = login(analyst)
    first = page.post(reverse("api-token"), {"name": "Excel"}).context["new_key"]
    second = page.post(reverse("api-token"), {"name": "Power BI"}).context["new_key"]
    excel = ApiKey.objects.get(user=analyst, name="Excel")
    response = page.post(reverse("api-token"), {"revoke": excel.pk}, follow=True)
    assert excel.token_key in response.content.decode()  # "the key beginning … is revoked"
    assert get(client, first).status_code == 401
    assert get(client, second).status_code == 200
    entry = AuditEntry.objects.get(model_label="api.apikey", action="delete")
    assert entry.actor == analyst and entry.object_repr.startswith(excel.token_key)
    # Another person's key is not theirs to revoke.
    other = ApiKey.objects.create(user=UserFactory.create())[0]
    assert page.post(reverse("api-token"), {"revoke": other.pk}).status_code == 404
    assert ApiKey.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_a_password_change_or_deactivation_stops_the_keys(client, analyst, hr_officer):
    key, hr_key = api_key(analyst), api_key(hr_officer)
    # Other changes to the account leave the keys alone.
    analyst.first_name = "Anna"
    services.user_update(user=analyst, expected_version=None, acting_user=None)
    assert get(client, key).status_code == 200

    analyst.set_password("a new and long password")
    analyst.save()
    assert get(client, key).status_code == 401
    assert not ApiKey.objects.filter(user=analyst).exists()

    hr_officer.is_active = False
    hr_officer.save(update_fields=["is_active"])
    assert get(client, hr_key).status_code == 401
    assert not ApiKey.objects.filter(user=hr_officer).exists()


@pytest.mark.django_db
def test_a_password_changed_in_the_admin_stops_the_keys(client, analyst):
    key = api_key(analyst)
    admin = UserFactory.create(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[analyst.pk]),
        {"password1": "Another long passphrase 7", "password2": "Another long passphrase 7"},
    )
    assert response.status_code == 302
    client.logout()
    assert get(client, key).status_code == 401
    entry = AuditEntry.objects.get(model_label="api.apikey", action="delete")
    assert entry.actor == admin


@pytest.mark.django_db
def test_losing_the_role_that_may_export_stops_the_keys(client, allerod, norddjurs):
    person = member("ane", allerod, Role.ANALYST)
    services.membership_set(
        user=person, municipality=norddjurs, role=Role.ANALYST, acting_user=None
    )
    key = api_key(person)
    # One exporting role left: the key works, for what that role may export.
    services.membership_remove(
        membership=Membership.objects.get(user=person, municipality=norddjurs), acting_user=None
    )
    assert get(client, key).status_code == 200
    # The last exporting role becomes council member: the key is gone, and stays gone.
    services.membership_set(
        user=person, municipality=allerod, role=Role.COUNCIL_MEMBER, acting_user=None
    )
    services.membership_set(user=person, municipality=allerod, role=Role.ANALYST, acting_user=None)
    assert get(client, key).status_code == 401

    other = member("bo", allerod, Role.HR_OFFICER)
    other_key = api_key(other)
    services.membership_remove(membership=Membership.objects.get(user=other), acting_user=None)
    assert get(client, other_key).status_code == 401


@pytest.mark.django_db
def test_only_people_who_may_export_get_a_key(analyst, council_member):
    with pytest.raises(PermissionDenied):
        api_services.api_key_create(user=council_member, acting_user=council_member)
    with pytest.raises(PermissionDenied):
        api_services.api_key_create(user=analyst, acting_user=council_member)
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_a_burst_with_one_key_gets_429_other_keys_go_on(client, analyst, hr_officer, rates):
    rates(api_key="3/minute")
    key = api_key(analyst)
    assert [get(client, key).status_code for _ in range(3)] == [200, 200, 200]
    refused = get(client, key)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("For mange forespørgsler. Prøv igen om")
    assert get(client, api_key(hr_officer)).status_code == 200


@pytest.mark.django_db
def test_a_burst_from_one_address_gets_429_other_addresses_go_on(
    client, analyst, hr_officer, rates
):
    rates(api_address="4/minute")
    keys = [api_key(analyst), api_key(hr_officer)]
    assert [get(client, keys[n % 2]).status_code for n in range(4)] == [200] * 4
    assert get(client, keys[1]).status_code == 429
    assert get(client, keys[1], REMOTE_ADDR="192.0.2.7").status_code == 200


@pytest.mark.django_db
def test_a_burst_of_wrong_keys_from_one_address_gets_429(client, analyst, settings):
    """With the production rates: guessing keys from one address stops long before 100 tries, and
    the address then waits even with a right key; another address is not affected."""
    codes = []
    for n in range(100):
        codes.append(get(client, f"opf_{n:064x}").status_code)
        if codes[-1] != 401:
            break
    assert codes[-1] == 429 and set(codes[:-1]) == {401} and len(codes) < 100
    key = api_key(analyst)
    refused = get(client, key)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert get(client, key).json()["detail"].startswith("Too many requests. Try again in")
    assert get(client, key, REMOTE_ADDR="192.0.2.8").status_code == 200


def test_every_view_of_the_api_is_throttled_before_authentication():
    views = [p.callback for p in router.urls if isinstance(p, URLPattern)]
    assert views and all(issubclass(view.cls, ThrottledApiMixin) for view in views)  # type: ignore[attr-defined]


# Outside a test transaction: SQLite's schema editor refuses to work inside one (it must switch
# foreign key checks off first). serialized_rollback gives later tests the migrations' rows back.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_plaintext_keys_of_the_old_table_are_dropped():
    """api/migrations/0002: the table of DRF's plaintext tokens, its rows, kinds and permissions."""
    migration = __import__(
        "api.migrations.0002_drop_plaintext_tokens", fromlist=["drop_plaintext_tokens"]
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('ee4c144d338b2662b3ea8d4ae617f547')")
    kind = ContentType.objects.create(app_label="authtoken", model="token")
    Permission.objects.create(content_type=kind, codename="add_token", name="Can add token")
    with connection.schema_editor() as editor:
        migration.drop_plaintext_tokens(django_apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert not Permission.objects.filter(content_type__app_label="authtoken").exists()
