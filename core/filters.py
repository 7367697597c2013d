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


class IgnoresUnknownSort:
    """For a FilterSet whose ``sort`` filter orders the list (an ``OrderingFilter`` or a
    ``ChoiceFilter``): a value it does not offer is dropped before the form sees it, so an old or
    hand-edited address shows the list in its default order, without an error message."""

    sort_param = "sort"
    # Set by django_filters.FilterSet, which this is mixed into.
    data: Any
    filters: dict[str, Any]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)  # type: ignore[call-arg]
        wanted = self.data.get(self.sort_param) if self.data else None
        if wanted is not None and not set(wanted.split(",")) <= self.sort_values():
            self.data = self.data.copy()
            self.data.pop(self.sort_param)

    def sort_values(self) -> set[str]:
        """The values the ``sort`` filter accepts (``title``, ``-title`` …)."""
        field = self.filters[self.sort_param].field
        return {str(value) for value, _label in field.choices if value}
