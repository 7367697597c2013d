"""Form widgets for long choice lists on read pages."""

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class LeanSelect(forms.Select):
    """A ``<select>`` rendered in Python instead of one template per option: the same markup, but
    a list of a few hundred reports costs a fraction of a millisecond instead of tens (Django
    renders every option through the template engine). Flat choices only; grouped choices fall
    back to the ordinary rendering."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        selected = {str(v) for v in self.format_value(value)}
        final = self.build_attrs(self.attrs, attrs)
        plain, chosen = '<option value="{}">{}</option>', '<option value="{}" selected>{}</option>'
        options = format_html_join(
            "\n",
            "{}",
            (
                (format_html(chosen if text in selected else plain, text, label),)
                for text, label in (
                    ("" if option is None else str(option), label) for option, label in choices
                )
            ),
        )
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(final), options)
