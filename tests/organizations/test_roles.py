import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from organizations import access
from organizations.models import Role, User

# PostgreSQL: memberships and roles.
pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_migrations_create_a_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    admin_perms = set(
        Group.objects.get(name="administrator").permissions.values_list("codename", flat=True)
    )
    assert "change_membership" in admin_perms
    council_perms = set(
        Group.objects.get(name="council_member").permissions.values_list("codename", flat=True)
    )
    assert "change_membership" not in council_perms
    assert "view_municipality" in council_perms


@pytest.mark.django_db
def test_permission_holds_only_where_the_role_is(administrator, allerod, norddjurs):
    assert access.has_perm_in(administrator, "organizations.change_membership", allerod)
    assert not access.has_perm_in(administrator, "organizations.change_membership", norddjurs)


@pytest.mark.django_db
def test_demo_accounts_are_printed_and_can_log_in(seed_data, client, capsys, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    out = capsys.readouterr().out
    assert "DEMO ONLY" in out
    # One language per line: the command's English, the role's English name too.
    for line in ("Council member in Allerød", "HR officer in Allerød", "Analyst in Allerød"):
        assert line in out
    assert "Administrator in Allerød" in out and "HR officer in Norddjurs" in out
    assert "Byrådsmedlem" not in out
    assert client.login(username="raadsmedlem", password="demo-raadsmedlem")
    assert User.objects.get(username="hr").is_staff


@pytest.mark.django_db
def test_demo_accounts_refused_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_demo_accounts")
    assert not User.objects.exists()
