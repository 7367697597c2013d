import factory

from organizations import services
from organizations.models import Municipality, OrganisationalUnit, Role, UnitKind, User


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    code = factory.Sequence(lambda n: 800 + n)
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
