"""Factories of the tests' models.

Where the type of the result matters, call ``XFactory.create(...)`` (the same as ``XFactory(...)``:
the default strategy creates): mypy reads a call of the class itself as an instance of the factory,
since factory_boy's metaclass ``__call__`` carries no types, whereas ``create`` returns the model.
"""

import factory

from organizations import services
from organizations.models import Municipality, OrganisationalUnit, Role, UnitKind, User


class MunicipalityFactory(factory.django.DjangoModelFactory[Municipality]):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    # Test municipalities get codes 800–998; none of the seeded municipalities uses them.
    code = factory.Sequence(lambda n: 800 + n % 199)
    slug = factory.Sequence(lambda n: f"testkommune-{n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("correct horse battery staple")


class UnitFactory(factory.django.DjangoModelFactory[OrganisationalUnit]):
    class Meta:
        model = OrganisationalUnit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhed {n}")
    kind = UnitKind.AREA


def api_key(user: User) -> str:
    """The secret of an API key of ``user``'s, for the Authorization header: created on first use
    (as knox creates keys, without the key page's role check) and the same for the rest of the
    test, since only its digest is stored."""
    from api.models import ApiKey

    if not hasattr(user, "_test_api_key"):
        user._test_api_key = ApiKey.objects.create(user=user)[1]  # type: ignore[attr-defined]
    return user._test_api_key  # type: ignore[attr-defined]


def member(username: str, municipality: Municipality, role: Role) -> User:
    user = UserFactory.create(username=username)
    services.membership_set(user=user, municipality=municipality, role=role, acting_user=None)
    user.refresh_from_db()
    return user


# Recommendations ---------------------------------------------------------------------------------
from organizations.models import Body, BodyKind  # noqa: E402
from recommendations.models import Recommendation, Report, Status, Theme  # noqa: E402


class BodyFactory(factory.django.DjangoModelFactory[Body]):
    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Udvalg {n}")
    kind = BodyKind.TASK_COMMITTEE
    municipality = factory.SubFactory(MunicipalityFactory)


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    class Meta:
        model = Report

    key = factory.Sequence(lambda n: f"rapport-{n}")
    title = factory.Sequence(lambda n: f"Rapport {n}")
    municipality = factory.SubFactory(MunicipalityFactory)
    issuing_body = factory.SubFactory(
        BodyFactory, municipality=factory.SelfAttribute("..municipality")
    )


class ThemeFactory(factory.django.DjangoModelFactory[Theme]):
    class Meta:
        model = Theme

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Tema {n}")


def status(key: str) -> Status:
    return Status.objects.get(key=key)


class RecommendationFactory(factory.django.DjangoModelFactory[Recommendation]):
    class Meta:
        model = Recommendation

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Anbefaling {n}")
    status = factory.LazyFunction(lambda: status("ikke-paabegyndt"))
