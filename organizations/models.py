"""Municipalities (the tenants), their organisational units, professions, issuing bodies, the source
documents seed data comes from, and the users and their roles per municipality."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.fields import choices_check, created_timestamp

from .scoping import ScopedQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Versioned(models.Model):
    """A row edited in a form: ``version`` counts its saves, so a save made on a form opened before
    someone else's is refused (``organizations.writes.save_versioned``). Only the services bump it."""

    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        abstract = True


class User(AbstractUser, Versioned):  # noqa: DJ008 - AbstractUser has __str__
    """A person who logs in. The only people stored: workforce data is aggregated."""

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs omits this Meta
        verbose_name = _("user")
        verbose_name_plural = _("users")


def person_field(
    verbose_name: "StrOrPromise", *, related_name: str = "+", **options: Any
) -> "models.ForeignKey[User | None, User | None]":
    """A person a row names (who entered it, who answers for it). The row outlives the account:
    deleting the user empties the field and keeps the row."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        **options,
    )


class SourceDocument(Versioned):
    """A public document that seed data was taken from (see fixtures/ and ../shared/seeds/)."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("date"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["key"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.key,)


class Sourced(models.Model):
    """Provenance: the document and section a seeded fact comes from. Empty for data users enter."""

    source = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_section = models.CharField(_("section in source"), max_length=300, blank=True)

    class Meta:
        abstract = True


# Sourced's fields: the seed loader sets them; the admin shows them read-only.
PROVENANCE = ("source", "source_section")


def inconsistency_field(help_text: "StrOrPromise" = "") -> "models.JSONField[Any, Any]":
    """Where a source document contradicts itself about a seeded fact: a note and the numbers
    involved, kept beside the fact rather than silently resolved (docs/employment-plan.md)."""
    return models.JSONField(
        _("inconsistency in the source"), null=True, blank=True, help_text=help_text
    )


class MunicipalityQuerySet(ScopedQuerySet):
    municipality_path = "pk"

    def published(self):
        return self.filter(is_published=True)


class Municipality(Sourced, Versioned):
    name = models.CharField(_("name"), max_length=100)
    code = models.PositiveSmallIntegerField(
        _("municipality code"),
        unique=True,
        validators=[MinValueValidator(101), MaxValueValidator(999)],
        help_text=_("The official three-digit municipality code, e.g. 201 for Allerød."),
    )
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Anyone may read a published municipality's dashboards without logging in."),
    )
    # Raised in the database in the same transaction as every write to the municipality's data
    # (organizations.generation); the version every dashboard cache is keyed on.
    data_generation = models.PositiveBigIntegerField(
        _("data generation"), default=0, editable=False
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__gte=101) & Q(code__lte=999), name="municipality_code_range"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The generation is raised in the database only (organizations.generation); a save of an
        # instance loaded earlier must not write its old value back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "data_generation"
            ]
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.code,)


class UnitKind(models.TextChoices):
    ADMINISTRATION = "administration", _("Administration")
    AREA = "area", _("Area")
    DAYCARE = "daycare", _("Daycare")
    CARE_HOME = "care_home", _("Care home")
    HOME_CARE = "home_care", _("Home care")
    SCHOOL = "school", _("School")
    JOB_CENTRE = "job_centre", _("Job centre")
    OTHER_INSTITUTION = "other_institution", _("Other institution")


INSTITUTION_KINDS = frozenset(
    {
        UnitKind.DAYCARE,
        UnitKind.CARE_HOME,
        UnitKind.HOME_CARE,
        UnitKind.SCHOOL,
        UnitKind.JOB_CENTRE,
        UnitKind.OTHER_INSTITUTION,
    }
)


class OrganisationalUnit(Sourced, Versioned):
    """A node in a municipality's tree: administration → area → institution."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    contact = person_field(
        _("contact person"),
        related_name="contact_for_units",
        help_text=_("Who answers for the unit: the owner of its items in a follow-up round."),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="unit_name_unique_per_municipality"
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_institution(self) -> bool:
        return self.kind in INSTITUTION_KINDS

    def clean(self):
        super().clean()
        parent = self.parent
        if parent is None:
            if self.kind != UnitKind.ADMINISTRATION and self.kind != UnitKind.AREA:
                # Institutions hang under an area or the administration.
                raise ValidationError(
                    {"parent": _("An institution must belong to an area or an administration.")}
                )
            return
        if self.municipality_id and parent.municipality_id != self.municipality_id:
            raise ValidationError({"parent": _("The parent unit belongs to another municipality.")})
        if self.kind == UnitKind.ADMINISTRATION:
            raise ValidationError({"parent": _("An administration is the top of the tree.")})
        if parent.is_institution:
            raise ValidationError({"parent": _("An institution cannot contain other units.")})
        ancestor: OrganisationalUnit | None = parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
            ancestor = ancestor.parent


class Profession(Sourced, Versioned):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_plural = models.CharField(_("plural"), max_length=100)

    class Meta:
        verbose_name = _("profession")
        verbose_name_plural = _("professions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.key,)


class BodyKind(models.TextChoices):
    COUNCIL = "council", _("City council")
    COMMITTEE = "committee", _("Standing committee")
    TASK_COMMITTEE = "task_committee", _("Task committee")
    KKR = "kkr", _("KKR (regional municipal contact council)")
    KL = "kl", _("KL (Local Government Denmark)")
    OTHER = "other", _("Other")


class BodyQuerySet(ScopedQuerySet):
    cross_municipal = True


class Body(Sourced, Versioned):
    """Who issues or receives recommendations: a council, a committee, KKR, KL …"""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        help_text=_("Empty for a body that spans municipalities, such as KKR or KL."),
    )

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                condition=Q(municipality__isnull=False),
                name="body_name_unique_per_municipality",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(municipality__isnull=True),
                name="body_name_unique_cross_municipal",
            ),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    """A user's role in one municipality. Each maps to the Django group of the same name."""

    COUNCIL_MEMBER = "council_member", _("Council member")
    HR_OFFICER = "hr_officer", _("HR officer")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


# The widest role first: where an identity provider's claims give several roles in one municipality,
# the widest is kept (organizations.oidc.roles_from_claims).
ROLE_PRECEDENCE: dict[str, int] = {
    Role.ADMINISTRATOR: 4,
    Role.HR_OFFICER: 3,
    Role.ANALYST: 2,
    Role.COUNCIL_MEMBER: 1,
}

# Roles that work in the Django admin.
STAFF_ROLES = frozenset({Role.HR_OFFICER, Role.ADMINISTRATOR})


class Membership(Versioned):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = created_timestamp()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["municipality__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="one_role_per_user_and_municipality"
            ),
            choices_check("role", Role, name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.municipality}"
