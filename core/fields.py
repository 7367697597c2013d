"""Model fields, and the constraints that go with them, that mean the same thing in every app,
declared once.

Each returns a new field or constraint with the same options wherever it is used, so the database
and the migrations see exactly what the hand-written declaration gave; a change to one of them is a
change to every model that uses it (and a migration for each).
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def demo_flag() -> "models.BooleanField[bool, bool]":
    """Marks a row as demo data (``./dev demo``, ``generate_demo_data``): shown and exported as
    "Demodata" wherever it is read, never mistaken for a municipality's own figures."""
    return models.BooleanField(_("demo data"), default=False)


def created_timestamp(
    verbose_name: "StrOrPromise | None" = None,
) -> "models.DateTimeField[Any, datetime.datetime]":
    """When the row was added ("created" unless the model names it), set once when it is first
    saved."""
    return models.DateTimeField(
        _("created") if verbose_name is None else verbose_name, auto_now_add=True
    )


def updated_timestamp(
    verbose_name: "StrOrPromise | None" = None,
) -> "models.DateTimeField[Any, datetime.datetime]":
    """When the row was last saved ("updated" unless the model names it)."""
    return models.DateTimeField(
        _("updated") if verbose_name is None else verbose_name, auto_now=True
    )


def choices_check(
    field: str, choices: Iterable[models.Choices], *, name: str | None = None
) -> models.CheckConstraint:
    """The database refuses a value of ``field`` that is none of its ``choices`` (a form or an
    import checks them too; this holds for every other write). Named
    "<app>_<model>_<field>_valid" unless ``name`` keeps an older name."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": [choice.value for choice in choices]}),
        name=name or f"%(app_label)s_%(class)s_{field}_valid",
    )


def one_of_two_once(
    first: str, second: str, *, per: str, one_name: str, once_names: tuple[str, str]
) -> list[models.BaseConstraint]:
    """The row points at exactly one of ``first`` and ``second`` (two nullable foreign keys), and
    at each target at most once per ``per`` (e.g. an item of a round, a follow of a person)."""
    return [
        models.CheckConstraint(
            condition=(
                models.Q(**{f"{first}__isnull": False}) & models.Q(**{f"{second}__isnull": True})
            )
            | (models.Q(**{f"{first}__isnull": True}) & models.Q(**{f"{second}__isnull": False})),
            name=one_name,
        ),
        *(
            models.UniqueConstraint(
                fields=[per, field],
                condition=models.Q(**{f"{field}__isnull": False}),
                name=name,
            )
            for field, name in zip((first, second), once_names, strict=True)
        ),
    ]
