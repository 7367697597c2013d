"""What the recommendations app's admin pages share: the status badge, the needs-update filter
and the error helpers."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import selectors


def status_badge(status) -> str:
    return format_html(
        '<span class="status-badge"><span aria-hidden="true" style="display:inline-block;'
        'width:.8em;height:.8em;border-radius:50%;background:{};margin-right:.3em"></span>{}</span>',
        status.colour,
        status.label,
    )


class NeedsUpdateFilter(admin.SimpleListFilter):
    title = _("needs update")
    parameter_name = "needs_update"

    def lookups(self, request, model_admin):
        return [("yes", _("Needs update")), ("no", _("Up to date"))]

    def queryset(self, request, queryset):
        flagged = selectors.needs_update(queryset)
        if self.value() == "yes":
            return flagged
        if self.value() == "no":
            return queryset.exclude(pk__in=flagged.values("pk"))
        return queryset


def messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for errors in exc.message_dict.values() for m in errors]
    return [str(m) for m in exc.messages]


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
