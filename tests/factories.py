import factory

from organizations import services
from organizations.models import Municipality, OrganisationalUnit, Role, UnitKind, User


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    # Test municipalities get codes 800–998; none of the seeded municipalities uses them.
    code = factory.Sequence(lambda n: 800 + n % 199)
    slug = factory.Sequence(lambda n: f"testkommune-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("correct horse battery staple")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationalUnit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhed {n}")
    kind = UnitKind.AREA


def member(username: str, municipality: Municipality, role: Role) -> User:
    user = UserFactory(username=username)
    services.membership_set(user=user, municipality=municipality, role=role, acting_user=None)
    user.refresh_from_db()
    return user


# Recommendations ---------------------------------------------------------------------------------
from organizations.models import Body, BodyKind  # noqa: E402
from recommendations.models import Recommendation, Report, Status, Theme  # noqa: E402


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Udvalg {n}")
    kind = BodyKind.TASK_COMMITTEE
    municipality = factory.SubFactory(MunicipalityFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    key = factory.Sequence(lambda n: f"rapport-{n}")
    title = factory.Sequence(lambda n: f"Rapport {n}")
    municipality = factory.SubFactory(MunicipalityFactory)
    issuing_body = factory.SubFactory(
        BodyFactory, municipality=factory.SelfAttribute("..municipality")
    )


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Tema {n}")


def status(key: str) -> Status:
    return Status.objects.get(key=key)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Anbefaling {n}")
    status = factory.LazyFunction(lambda: status("ikke-paabegyndt"))
