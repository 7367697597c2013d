from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from . import writes


class StaleEditForm(forms.ModelForm):
    """The one optimistic version check of every edit form: a save made on a form opened before
    someone else's save is refused, with what changed meanwhile and by whom, and nothing is written.

    The form carries the record's ``version`` as it was when the form was opened; ``clean()`` locks
    the row (in the transaction the admin saves in) and compares, so the refusal is a message on the
    form, before the record, its inlines or its many-to-many values are touched. The service the form
    saves through checks the same version again (``organizations.writes.update``) for every other
    caller.
    """

    version_seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version_seen"] = self.instance.version
            self.fields["version_seen"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # a ModelForm's clean() returns its cleaned_data
        if self.instance.pk:
            seen = cleaned.get("version_seen")
            if seen is None:
                # A form without the version (an old page, a hand-made POST) cannot prove it saw
                # the current record.
                seen = -1
            try:
                writes.check_version(type(self.instance), self.instance.pk, seen)
            except writes.StaleEdit as exc:
                raise forms.ValidationError(exc.messages[0], code="stale") from None
        return cleaned


def versioned(form_class):
    """``form_class`` with the version check (once)."""
    if issubclass(form_class, StaleEditForm):
        return form_class
    return type(f"Versioned{form_class.__name__}", (StaleEditForm, form_class), {})


class ErrorsLinked:
    """A field's error is announced with the field: Django (5.2) gives the input
    ``aria-invalid`` and ``aria-describedby="<id>_helptext <id>_error"``, the template gives the
    error text that id, and ``fields_in_error`` lists them for the summary at the top of the form,
    whose links lead to the fields (templates/registration/_form_fields.html)."""

    def fields_in_error(self):
        return [field for field in self.visible_fields() if field.errors]  # type: ignore[attr-defined]


class LoginForm(ErrorsLinked, AuthenticationForm):
    """Django's login form, with its errors linked to its fields."""


class ResetRequestForm(ErrorsLinked, PasswordResetForm):
    """The e-mail address to send a reset link to."""


class _SavedThroughService:
    """Django's password forms save the user themselves; these save through the service, so the
    change is versioned and audited like every other write (by the person, never the password)."""

    def set_password_and_save(self, user, password_field_name="password1", commit=True):  # noqa: S107
        from . import services

        password = self.cleaned_data[password_field_name]  # type: ignore[attr-defined]
        return services.user_set_password(user=user, password=password, acting_user=user)


class OwnPasswordChangeForm(ErrorsLinked, _SavedThroughService, PasswordChangeForm):
    """The signed-in person's new password, after their current one."""


class ResetPasswordForm(ErrorsLinked, _SavedThroughService, SetPasswordForm):
    """A new password from the link of a reset e-mail."""
