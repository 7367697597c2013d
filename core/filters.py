"""Filter declarations shared by the list pages' FilterSets. The choices start empty: each
FilterSet's ``__init__`` offers only what the visitor may read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db.models import Model

from .widgets import LeanSelect

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def drop_down(
    model: type[Model], label: StrOrPromise, empty_label: StrOrPromise, **kwargs: Any
) -> django_filters.ModelChoiceFilter:
    """One choice among ``model``'s rows, as a lean ``<select>`` with an "all" entry."""
    return django_filters.ModelChoiceFilter(
        queryset=model._default_manager.none(),
        label=label,
        empty_label=empty_label,
        widget=LeanSelect,
        **kwargs,
    )


def key_checkboxes(
    field_name: str, model: type[Model], label: StrOrPromise, **kwargs: Any
) -> django_filters.ModelMultipleChoiceFilter:
    """Any of ``model``'s rows, as checkboxes; the address carries their keys (?status=i-gang),
    which read better than ids."""
    return django_filters.ModelMultipleChoiceFilter(
        field_name=field_name,
        queryset=model._default_manager.none(),
        to_field_name="key",
        label=label,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )
