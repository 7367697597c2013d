"""Each persona reaches what it should, and nothing else, on the pages that exist."""

import pytest
from django.urls import reverse

from organizations.models import Membership, OrganisationalUnit, Role, UnitKind
from tests.factories import UnitFactory

# PostgreSQL: who may do what: the scoping querysets.
pytestmark = pytest.mark.postgres


@pytest.fixture
def allerod_unit(allerod):
    admin_unit = UnitFactory(
        municipality=allerod, name="Allerød Kommune", kind=UnitKind.ADMINISTRATION
    )
    return UnitFactory(municipality=allerod, name="Ældre og Sundhed", parent=admin_unit)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_member", "hr_officer", "analyst", "administrator"])
def test_members_read_their_municipality(request, login, persona, allerod, allerod_unit):
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("municipality-detail", args=["allerod"]))
    assert response.status_code == 200
    assert "Ældre og Sundhed" in response.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert reverse("municipality-detail", args=["allerod"]) in home


@pytest.mark.django_db
def test_outsider_gets_not_found_and_no_link(login, outsider, allerod, allerod_unit):
    client = login(outsider)
    response = client.get(reverse("municipality-detail", args=["allerod"]))
    assert response.status_code == 404
    assert "Ældre og Sundhed" not in response.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert reverse("municipality-detail", args=["allerod"]) not in home
    assert reverse("municipality-detail", args=["norddjurs"]) in home


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_for_unpublished(client, allerod):
    response = client.get(reverse("municipality-detail", args=["allerod"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_published_municipality_is_readable_by_anyone(
    client, login, outsider, allerod, allerod_unit
):
    allerod.is_published = True
    allerod.save()
    assert client.get(reverse("municipality-detail", args=["allerod"])).status_code == 200
    assert "Allerød" in client.get(reverse("home")).content.decode()
    assert login(outsider).get(reverse("municipality-detail", args=["allerod"])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "admin_ok"),
    [
        ("council_member", False),
        ("analyst", False),
        ("hr_officer", True),
        ("administrator", True),
        ("outsider", True),
    ],
)
def test_admin_is_for_hr_and_administrators(request, login, persona, admin_ok):
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:index"))
    if admin_ok:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_administrator_manages_only_own_memberships(
    login, administrator, council_member, outsider, allerod, norddjurs
):
    client = login(administrator)
    listing = client.get(reverse("admin:organizations_membership_changelist")).content.decode()
    assert "rita" in listing and "niels" not in listing

    foreign = Membership.objects.get(user=outsider)
    response = client.get(reverse("admin:organizations_membership_change", args=[foreign.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert (
        client.post(
            reverse("admin:organizations_membership_delete", args=[foreign.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
    assert Membership.objects.filter(pk=foreign.pk).exists()


@pytest.mark.django_db
def test_administrator_cannot_grant_roles_in_another_municipality(
    login, administrator, allerod, norddjurs
):
    from tests.factories import UserFactory

    newcomer = UserFactory.create(username="ny")
    client = login(administrator)
    response = client.post(
        reverse("admin:organizations_membership_add"),
        {"user": newcomer.pk, "municipality": norddjurs.pk, "role": Role.ADMINISTRATOR},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "municipality" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=newcomer).exists()

    response = client.post(
        reverse("admin:organizations_membership_add"),
        {"user": newcomer.pk, "municipality": allerod.pk, "role": Role.HR_OFFICER},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert list(newcomer.groups.values_list("name", flat=True)) == ["hr_officer"]


@pytest.mark.django_db
def test_hr_officer_cannot_manage_memberships(login, hr_officer):
    client = login(hr_officer)
    assert client.get(reverse("admin:organizations_membership_changelist")).status_code == 403


@pytest.mark.django_db
def test_admin_units_are_scoped(login, hr_officer, outsider, allerod, norddjurs, allerod_unit):
    UnitFactory(municipality=norddjurs, name="Norddjurs Sundhed")
    listing = (
        login(hr_officer)
        .get(reverse("admin:organizations_organisationalunit_changelist"))
        .content.decode()
    )
    assert "Ældre og Sundhed" in listing and "Norddjurs Sundhed" not in listing

    client = login(outsider)
    response = client.post(
        reverse("admin:organizations_organisationalunit_change", args=[allerod_unit.pk]),
        {"name": "Kapret", "kind": UnitKind.AREA, "municipality": allerod.pk},
    )
    assert response.status_code == 302
    assert OrganisationalUnit.objects.get(pk=allerod_unit.pk).name == "Ældre og Sundhed"


@pytest.mark.django_db
def test_hr_officer_cannot_edit_units(login, hr_officer, allerod_unit, allerod):
    client = login(hr_officer)
    response = client.post(
        reverse("admin:organizations_organisationalunit_change", args=[allerod_unit.pk]),
        {"name": "Omdøbt", "kind": UnitKind.AREA, "municipality": allerod.pk},
    )
    assert response.status_code == 403
    assert OrganisationalUnit.objects.get(pk=allerod_unit.pk).name == "Ældre og Sundhed"


@pytest.mark.django_db
def test_user_with_roles_in_two_municipalities_sees_both(login, allerod, norddjurs):
    from organizations import services
    from tests.factories import member

    user = member("dobbelt", allerod, Role.COUNCIL_MEMBER)
    services.membership_set(user=user, municipality=norddjurs, role=Role.ANALYST, acting_user=None)
    client = login(user)
    assert client.get(reverse("municipality-detail", args=["allerod"])).status_code == 200
    assert client.get(reverse("municipality-detail", args=["norddjurs"])).status_code == 200
