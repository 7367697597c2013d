"""Form fields shared by the apps' forms."""

import datetime
from typing import Any

from django import forms

from .cells import CellError, parse_date


class DanishDateField(forms.DateField):
    """A date typed the Danish way (31.03.2024, 31-03-2024, 31/3-2024) or as ISO (2024-03-31),
    read by the one date parser (``core.cells.parse_date``) so a form and an imported cell agree,
    and shown as dd.mm.yyyy. A two-digit year is refused there, never guessed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(format="%d.%m.%Y"))
        super().__init__(**kwargs)
        # A short text box that opens the numeric keyboard on a phone; dots come with it.
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("size", "10")

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except CellError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
