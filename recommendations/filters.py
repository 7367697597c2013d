"""The one FilterSet for lists of recommendations. The report page, and later its export, share it, so
"export what I see" holds by construction. Choices offer only what the visitor may read."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from core.filters import IgnoresUnknownSort, drop_down, key_checkboxes
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
    # The predicate uses the key the address carries.
    status = key_checkboxes(
        "status__key",
        Status,
        _("Status"),
        # A foreign key: one row per recommendation already, so no SELECT DISTINCT (which makes
        # the database compare whole rows of every matching recommendation).
        distinct=False,
    )
    theme = drop_down(Theme, _("Theme"), _("All themes"))
    report = drop_down(Report, _("Report"), _("All reports"))
    responsible_unit = drop_down(OrganisationalUnit, _("Responsible unit"), _("All units"))
    profession = key_checkboxes(
        "target_professions__key", Profession, _("Target profession"), distinct=True
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
            reports = Report.objects.visible_to(user) if user is not None else Report.objects.none()
        if queryset is None:
            queryset = Recommendation.objects.all()
        super().__init__(data, queryset.filter(report__in=reports), request=request, prefix=prefix)

        self.filters["status"].queryset = Status.objects.all()
        self.filters["theme"].queryset = Theme.objects.filter(report__in=reports).order_by(
            "report", "number"
        )
        # The bare reports: the list's queryset counts recommendations per report, not needed here.
        self.filters["report"].queryset = Report.objects.filter(
            pk__in=reports.values("pk")
        ).order_by("-published_on", "title", "pk")
        # Only the units actually responsible for a listed recommendation (areas and departments,
        # a handful), not every unit of the municipality (thousands of institutions at scale).
        self.filters["responsible_unit"].queryset = OrganisationalUnit.objects.filter(
            pk__in=Recommendation.objects.filter(
                report__in=reports, responsible_unit__isnull=False
            ).values("responsible_unit_id")
        )
        through = Recommendation.target_professions.through
        self.filters["profession"].queryset = Profession.objects.filter(
            pk__in=through.objects.filter(recommendation__report__in=reports).values(
                "profession_id"
            )
        )
        self._one_report = report is not None
        self._reports = reports
        if report is not None:
            del self.filters["report"]

    @property
    def form(self):
        """On a list of several reports, the theme drop-down offers the themes of the chosen report
        only (every report has its own themes: listing all of them would repeat "Tema 1" hundreds
        of times). Any theme of a listed report is still accepted from the address."""
        if not hasattr(self, "_form"):
            form = super().form
            field = form.fields.get("theme")
            if field is not None and not self._one_report:
                chosen = _pk(self.data.get("report")) if self.data else None
                picked = _pk(self.data.get("theme")) if self.data else None
                themes = Theme.objects.filter(report__in=self._reports).order_by("report", "number")
                themes = themes.filter(Q(report_id=chosen) | Q(pk=picked))
                field.widget.choices = [("", field.empty_label)] + [(t.pk, str(t)) for t in themes]
                if chosen is None:
                    field.help_text = _("Choose a report to list its themes.")
        return self._form

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


def _pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ReportListFilter(IgnoresUnknownSort, django_filters.FilterSet):
    """The order of a municipality's reports (``?sort=``); newest first unless asked otherwise.
    ``recommendations`` needs the count that ``selectors.reports_for_municipality`` annotates."""

    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Newest first"),
        fields=(
            ("published_on", "date"),
            ("title", "title"),
            ("recommendation_count", "recommendations"),
        ),
        field_labels={
            "published_on": _("Date"),
            "title": _("Title"),
            "recommendation_count": _("Recommendations"),
        },
    )

    class Meta:
        model = Report
        fields: list[str] = []
