"""/api/v1/: read-only, paginated, token-authenticated, scoped to the municipalities where the
token's owner may export."""

from django.db.models import Prefetch, Q, Sum
from rest_framework import viewsets

from employment_plan.models import Indicator, Measurement
from organizations import access
from recommendations.models import CouncilDecision, Recommendation, StatusUpdate

from . import filters, serializers


def _scope(queryset, user, path: str):
    ids = access.export_municipality_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": ids})


class RecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.RecommendationSerializer
    filterset_class = filters.ApiRecommendationFilter

    def get_queryset(self):
        queryset = (
            Recommendation.objects.select_related(
                "report", "report__municipality", "theme", "parent", "status", "responsible_unit"
            )
            .prefetch_related("target_professions", "addressees")
            .annotate(budget_total_kr=Sum("budget_lines__amount_kr"))
            .order_by("report_id", "sort_key", "id")
        )
        # Cross-municipal reports (KL, KKR) are public documents; one's own are scoped.
        ids = access.export_municipality_ids(self.request.user)
        if ids is None:
            return queryset
        return queryset.filter(
            Q(report__municipality__in=ids) | Q(report__municipality__isnull=True)
        )


class StatusUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.StatusUpdateSerializer
    filterset_class = filters.StatusUpdateFilter

    def get_queryset(self):
        queryset = StatusUpdate.objects.select_related(
            "recommendation", "recommendation__report", "old_status", "new_status", "author"
        ).order_by("id")
        return _scope(queryset, self.request.user, "recommendation__report__municipality")


class CouncilDecisionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.CouncilDecisionSerializer
    filterset_class = filters.CouncilDecisionFilter

    def get_queryset(self):
        queryset = (
            CouncilDecision.objects.select_related("municipality", "body")
            .prefetch_related(
                Prefetch("recommendations", queryset=Recommendation.objects.only("id"))
            )
            .order_by("meeting_date", "id")
        )
        return _scope(queryset, self.request.user, "municipality")


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter

    def get_queryset(self):
        queryset = (
            Indicator.objects.select_related("plan", "plan__municipality", "focus_area")
            .prefetch_related(
                Prefetch("measurements", queryset=Measurement.objects.order_by("date", "id"))
            )
            .order_by("plan_id", "position", "id")
        )
        return _scope(queryset, self.request.user, "plan__municipality")


class MeasurementViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.MeasurementSerializer
    filterset_class = filters.MeasurementFilter

    def get_queryset(self):
        queryset = Measurement.objects.select_related("indicator", "indicator__plan").order_by(
            "date", "id"
        )
        return _scope(queryset, self.request.user, "indicator__plan__municipality")
