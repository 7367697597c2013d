"""Filters for the API. Recommendations use the lists' own FilterSet, so the API filters the way the
pages do; the others are small FilterSets over the fields analysts ask for."""

import django_filters

from employment_plan.models import Indicator, Measurement
from followup.models import FollowUpRound
from recommendations.filters import RecommendationFilter
from recommendations.models import CouncilDecision, StatusUpdate


class ApiRecommendationFilter(RecommendationFilter):
    municipality = django_filters.NumberFilter(field_name="report__municipality__code")

    class Meta(RecommendationFilter.Meta):
        fields = [*RecommendationFilter.Meta.fields, "municipality"]


class StatusUpdateFilter(django_filters.FilterSet):
    report = django_filters.CharFilter(field_name="recommendation__report__key")
    since = django_filters.DateFilter(field_name="effective_on", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="effective_on", lookup_expr="lte")
    status = django_filters.CharFilter(field_name="new_status__key")

    class Meta:
        model = StatusUpdate
        fields = ["report", "since", "until", "status", "origin"]


class CouncilDecisionFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="meeting_date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="meeting_date", lookup_expr="lte")
    municipality = django_filters.NumberFilter(field_name="municipality__code")

    class Meta:
        model = CouncilDecision
        fields = ["since", "until", "municipality", "decision"]


class IndicatorFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__title")
    municipality = django_filters.NumberFilter(field_name="plan__municipality__code")
    focus_area = django_filters.NumberFilter(field_name="focus_area__number")

    class Meta:
        model = Indicator
        fields = ["plan", "municipality", "focus_area", "unit", "target_kind"]


class MeasurementFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="indicator__plan__title")
    indicator = django_filters.CharFilter(field_name="indicator__code")
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Measurement
        fields = ["plan", "indicator", "since", "until", "provisional"]


class FollowUpRoundFilter(django_filters.FilterSet):
    municipality = django_filters.NumberFilter(field_name="municipality__code")
    since = django_filters.DateFilter(field_name="meeting_date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="meeting_date", lookup_expr="lte")

    class Meta:
        model = FollowUpRound
        fields = ["municipality", "state", "since", "until"]
