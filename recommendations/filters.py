"""The one FilterSet for lists of recommendations. The report page, and later its export, share it, so
"export what I see" holds by construction. Choices offer only what the visitor may read."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from organizations.models import OrganisationalUnit, Profession

from . import selectors
from .models import Recommendation, Report, Status, Theme


class NeedsUpdateWidget(BooleanWidget):
    """A select with words a council member understands instead of "Unknown/Yes/No"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("", _("All")),
            ("true", _("Needs update")),
            ("false", _("Up to date")),
        ]


class RecommendationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    # Keys in the address (?status=i-gang) read better than ids; the predicate then uses the key.
    status = django_filters.ModelMultipleChoiceFilter(
        field_name="status__key",
        queryset=Status.objects.none(),
        to_field_name="key",
        label=_("Status"),
        widget=forms.CheckboxSelectMultiple,
    )
    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.none(), label=_("Theme"), empty_label=_("All themes")
    )
    report = django_filters.ModelChoiceFilter(
        queryset=Report.objects.none(), label=_("Report"), empty_label=_("All reports")
    )
    responsible_unit = django_filters.ModelChoiceFilter(
        queryset=OrganisationalUnit.objects.none(),
        label=_("Responsible unit"),
        empty_label=_("All units"),
    )
    profession = django_filters.ModelMultipleChoiceFilter(
        field_name="target_professions__key",
        queryset=Profession.objects.none(),
        to_field_name="key",
        label=_("Target profession"),
        widget=forms.CheckboxSelectMultiple,
        distinct=True,
    )
    needs_update = django_filters.BooleanFilter(
        method="filter_needs_update", label=_("Needs update"), widget=NeedsUpdateWidget
    )

    class Meta:
        model = Recommendation
        fields = [
            "q",
            "status",
            "theme",
            "report",
            "responsible_unit",
            "profession",
            "needs_update",
        ]

    def __init__(
        self, data=None, queryset=None, *, request=None, prefix=None, reports=None, report=None
    ):
        """``reports``: the reports the list may show (default: every report the visitor may read).
        ``report``: one report's page; its themes only, and no report choice."""
        if report is not None:
            reports = Report.objects.filter(pk=report.pk)
        elif reports is None:
            user = getattr(request, "user", None)
            reports = selectors.visible_reports(user) if user is not None else Report.objects.none()
        if queryset is None:
            queryset = Recommendation.objects.all()
        super().__init__(data, queryset.filter(report__in=reports), request=request, prefix=prefix)

        self.filters["status"].queryset = Status.objects.all()
        self.filters["theme"].queryset = Theme.objects.filter(report__in=reports).order_by(
            "report", "number"
        )
        self.filters["report"].queryset = reports
        # Units of the municipalities whose reports are listed; cross-municipal reports have none.
        self.filters["responsible_unit"].queryset = OrganisationalUnit.objects.filter(
            municipality__reports__in=reports
        ).distinct()
        through = Recommendation.target_professions.through
        self.filters["profession"].queryset = Profession.objects.filter(
            pk__in=through.objects.filter(recommendation__report__in=reports).values(
                "profession_id"
            )
        )
        if report is not None:
            del self.filters["report"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__iexact=value) | Q(title__icontains=value) | Q(summary__icontains=value)
        )

    def filter_needs_update(self, queryset, name, value):
        if value is None:
            return queryset
        flagged = selectors.needs_update(queryset).values("pk")
        if value:
            return queryset.filter(pk__in=flagged)
        return queryset.exclude(pk__in=flagged)
