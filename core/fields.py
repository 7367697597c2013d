"""Model fields that mean the same thing in every app, declared once.

Each returns a new field with the same options wherever it is used, so the database and the
migrations see exactly what the hand-written declaration gave; a change to one of them is a change
to every model that uses it (and a migration for each).
"""

import datetime
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
