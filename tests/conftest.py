"""Personas, as in healthchecks' alice/bob/charlie: four roles in Allerød and an outsider from
Norddjurs. Each test gets fresh ones."""

import pytest

from organizations.models import Role
from tests.factories import MunicipalityFactory, member

PASSWORD = "correct horse battery staple"


@pytest.fixture
def allerod(db):
    return MunicipalityFactory(code=201, name="Allerød", slug="allerod")


@pytest.fixture
def norddjurs(db):
    return MunicipalityFactory(code=707, name="Norddjurs", slug="norddjurs")


@pytest.fixture
def council_member(allerod):
    return member("rita", allerod, Role.COUNCIL_MEMBER)


@pytest.fixture
def hr_officer(allerod):
    return member("hanne", allerod, Role.HR_OFFICER)


@pytest.fixture
def analyst(allerod):
    return member("anders", allerod, Role.ANALYST)


@pytest.fixture
def administrator(allerod):
    return member("ada", allerod, Role.ADMINISTRATOR)


@pytest.fixture
def outsider(norddjurs):
    """An administrator of another municipality: powerful at home, nobody in Allerød."""
    return member("niels", norddjurs, Role.ADMINISTRATOR)


@pytest.fixture
def outsider_hr(norddjurs):
    """Another municipality's HR officer: keeps Norddjurs's statuses, nobody in Allerød."""
    return member("nora", norddjurs, Role.HR_OFFICER)


PERSONAS = ["council_member", "hr_officer", "analyst", "administrator", "outsider"]


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
