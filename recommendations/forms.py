from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.forms import StaleEditForm

from .models import Status


class StatusChangeForm(forms.Form):
    """One status change. ``version`` is the recommendation's version when the form was opened."""

    status = forms.ModelChoiceField(label=_("New status"), queryset=Status.objects.all())
    progress = forms.DecimalField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        localize=True,  # 12,5 in Danish, as every number the pages show
        required=False,
        help_text=_("Leave empty to keep the progress or use the status's default."),
    )
    effective_on = forms.DateField(
        label=_("Date"),
        initial=timezone.localdate,
        help_text=_("When the change took effect (not in the future)."),
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Why the status changed. Required for “Forsinket” and “Fravalgt”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, rollup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if rollup:
            self.fields["progress"].disabled = True
            self.fields["progress"].help_text = _("Computed from the sub-items.")

    def clean_effective_on(self):
        day = self.cleaned_data["effective_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of a status change cannot be in the future."))
        return day


class BulkStatusForm(forms.Form):
    status = forms.ModelChoiceField(label=_("New status"), queryset=Status.objects.all())
    effective_on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RecommendationAdminForm(StaleEditForm):
    """The content form carries the version it was opened on; a save on an older one is refused."""

    def clean_actions(self):
        return _text_list(self.cleaned_data.get("actions"), _("actions"))

    def clean_emphasised_points(self):
        return _text_list(self.cleaned_data.get("emphasised_points"), _("emphasised points"))


def _text_list(value, label) -> list[str]:
    """A JSON list of texts; empty means none. Anything else is refused with a message."""
    if value in (None, "", [], {}):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise forms.ValidationError(
            _('Write the %(field)s as a list of texts, e.g. ["First", "Second"].')
            % {"field": label}
        )
    return [v.strip() for v in value if v.strip()]
