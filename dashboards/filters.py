"""FilterSets for the dashboard lists. The HTML list, its chart and its CSV export share one
FilterSet, so "export what I see" holds by construction; all state lives in the query string."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from core.filters import IgnoresUnknownSort, drop_down
from employment_plan import progress, wording
from employment_plan.models import EmploymentPlan, FocusArea, Indicator
from organizations.models import INSTITUTION_KINDS, OrganisationalUnit, Profession, UnitKind
from recommendations.filters import RecommendationFilter

from .selectors import overdue_q


class OverdueWidget(BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Overdue")), ("false", _("Not overdue"))]


class SharedWidget(BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("", _("All")),
            ("false", _("The municipality's own")),
            ("true", _("Shared (KL, KKR)")),
        ]


class DashboardRecommendationFilter(IgnoresUnknownSort, RecommendationFilter):
    """The recommendation filter with "overdue", own or shared, and sorting, for the
    municipality-wide list (the front page's counts link to it with the same filters)."""

    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue"), widget=OverdueWidget
    )
    shared = django_filters.BooleanFilter(
        method="filter_shared", label=_("Own or shared"), widget=SharedWidget
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Report and number"),
        fields=(
            ("sort_key", "number"),
            ("title", "title"),
            ("status__position", "status"),
            ("progress", "progress"),
            ("last_updated_at", "updated"),
            ("follow_up_date", "follow_up"),
            ("report__title", "report"),
        ),
        field_labels={
            "sort_key": _("Number"),
            "title": _("Title"),
            "status__position": _("Status"),
            "progress": _("Progress"),
            "last_updated_at": _("Last updated"),
            "follow_up_date": _("Follow-up date"),
            "report__title": _("Report"),
        },
    )

    class Meta(RecommendationFilter.Meta):
        fields = [*RecommendationFilter.Meta.fields, "overdue", "shared"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = overdue_q(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_shared(self, queryset, name, value):
        return queryset if value is None else queryset.shared(value)

    @property
    def qs(self):
        # A stable order inside equal sort values, so pages never overlap or skip rows.
        queryset = super().qs
        ordering = list(queryset.query.order_by) or ["report", "theme__number", "sort_key"]
        if "pk" not in ordering:
            ordering.append("pk")
        return queryset.order_by(*ordering)


INDICATOR_STATUS_CHOICES = [(key, wording.STATUS_LABELS[key]) for key in progress.STATUS_ORDER]


class IndicatorFilter(IgnoresUnknownSort, django_filters.FilterSet):
    """Filters the municipality's indicators. ``status`` comes from the progress engine, so the
    view applies it in Python after evaluation (indicator counts are small); the rest is SQL."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=INDICATOR_STATUS_CHOICES,
        method="filter_nothing",
        label=_("Status"),
        widget=forms.CheckboxSelectMultiple,
    )
    plan = drop_down(EmploymentPlan, _("Plan"), _("All plans"))
    focus_area = drop_down(FocusArea, _("Focus area"), _("All focus areas"))
    responsible_unit = drop_down(OrganisationalUnit, _("Responsible unit"), _("All units"))
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Plan and number"),
        fields=(("code", "code"), ("title", "title"), ("target_date", "target_date")),
        field_labels={"code": _("Number"), "title": _("Title"), "target_date": _("Target date")},
    )

    class Meta:
        model = Indicator
        fields = ["q", "status", "plan", "focus_area", "responsible_unit"]

    def __init__(self, data=None, queryset=None, *, municipality, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["plan"].queryset = EmploymentPlan.objects.filter(municipality=municipality)
        self.filters["focus_area"].queryset = FocusArea.objects.filter(
            plan__municipality=municipality
        ).select_related("plan")
        self.filters["responsible_unit"].queryset = OrganisationalUnit.objects.filter(
            pk__in=Indicator.objects.filter(plan__municipality=municipality).values(
                "responsible_unit_id"
            )
        )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__iexact=value) | Q(title__icontains=value))

    def filter_nothing(self, queryset, name, value):
        return queryset

    @property
    def form(self):
        """The focus-area drop-down offers the chosen plan's focus areas only (a municipality with
        many plans would list hundreds); a focus area in the address is still accepted."""
        if not hasattr(self, "_form"):
            form = super().form
            field = form.fields["focus_area"]
            chosen = _pk(self.data.get("plan")) if self.data else None
            picked = _pk(self.data.get("focus_area")) if self.data else None
            areas = (
                self.filters["focus_area"]
                .queryset.filter(Q(plan_id=chosen) | Q(pk=picked))
                .order_by("plan__period_start", "number")
            )
            field.widget.choices = [("", field.empty_label)] + [(a.pk, str(a)) for a in areas]
            if chosen is None:
                field.help_text = _("Choose a plan to list its focus areas.")
        return self._form

    def wanted_statuses(self) -> set[str]:
        if not self.is_bound or not self.form.is_valid():
            return set()
        return set(self.form.cleaned_data.get("status") or [])

    def narrows(self) -> bool:
        """Whether the visitor filters (a sort order alone does not)."""
        if not self.is_bound or not self.form.is_valid():
            return False
        return any(
            self.form.cleaned_data.get(name)
            for name in ("q", "status", "plan", "focus_area", "responsible_unit")
        )


class InstitutionFilter(IgnoresUnknownSort, django_filters.FilterSet):
    """Filters the municipality's institutions (SQL); ``profession`` and ``shortage_only`` apply to
    the projected rows in Python, since the projection is computed, not stored."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    kind = django_filters.MultipleChoiceFilter(
        choices=[(k.value, k.label) for k in UnitKind if k.value in INSTITUTION_KINDS],
        label=_("Kind"),
        widget=forms.CheckboxSelectMultiple,
    )
    area = django_filters.ModelChoiceFilter(
        field_name="parent",
        queryset=OrganisationalUnit.objects.none(),
        label=_("Area"),
        empty_label=_("All areas"),
    )
    profession = django_filters.ModelMultipleChoiceFilter(
        queryset=Profession.objects.all(),
        to_field_name="key",
        method="filter_nothing",
        label=_("Profession"),
        widget=forms.CheckboxSelectMultiple,
    )
    shortage_only = django_filters.BooleanFilter(
        method="filter_nothing", label=_("Only where staff are missing"), widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        method="filter_nothing",
        label=_("Sort by"),
        empty_label=_("Institution"),
        choices=[("shortage", _("Largest shortage first")), ("kind", _("Kind"))],
    )

    class Meta:
        model = OrganisationalUnit
        fields = ["q", "kind", "area"]

    def __init__(self, data=None, queryset=None, *, municipality, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["area"].queryset = OrganisationalUnit.objects.filter(
            municipality=municipality, children__kind__in=INSTITUTION_KINDS
        ).distinct()

    def filter_nothing(self, queryset, name, value):
        return queryset

    def cleaned(self, name):
        if not self.is_bound or not self.form.is_valid():
            return None
        return self.form.cleaned_data.get(name)


def _pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
