from django import forms
from django.utils.translation import gettext_lazy as _


class StaleEditForm(forms.ModelForm):
    """A model form that refuses a save made on a form opened before someone else's save.

    The form carries the value of ``stale_field`` (a version counter or an auto_now timestamp) as it
    was when the form was opened; on save it is compared with the row, locked, in the same transaction
    the admin saves in. The later of two editors gets ``stale_message`` and nothing is overwritten.
    """

    stale_field = "updated_at"
    stale_message = _(
        "This was changed by someone else after you opened it. Nothing was saved: reload the page "
        "to see the change, then try again."
    )

    version_seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            token = _token(getattr(self.instance, self.stale_field))
            self.initial["version_seen"] = token
            self.fields["version_seen"].initial = token

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = (
                type(self.instance)
                ._default_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list(self.stale_field, flat=True)
                .first()
            )
            if (cleaned.get("version_seen") or "") != _token(current):
                raise forms.ValidationError(self.stale_message, code="stale")
        return cleaned


def _token(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
