"""/api/v1/: read-only, paginated, token-authenticated; every list is what the token's owner may
export (``exportable_by``: their exporting municipalities' rows and the cross-municipal ones)."""

from django.db.models import Prefetch, Sum
from rest_framework import viewsets

from employment_plan.models import Indicator, Measurement
from recommendations.models import CouncilDecision, Recommendation, StatusUpdate

from . import filters, serializers


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
        return queryset.exportable_by(self.request.user)


class StatusUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.StatusUpdateSerializer
    filterset_class = filters.StatusUpdateFilter

    def get_queryset(self):
        queryset = StatusUpdate.objects.select_related(
            "recommendation", "recommendation__report", "old_status", "new_status", "author"
        ).order_by("id")
        return queryset.exportable_by(self.request.user)


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
        return queryset.exportable_by(self.request.user)


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
        return queryset.exportable_by(self.request.user)


class MeasurementViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.MeasurementSerializer
    filterset_class = filters.MeasurementFilter

    def get_queryset(self):
        queryset = Measurement.objects.select_related("indicator", "indicator__plan").order_by(
            "date", "id"
        )
        return queryset.exportable_by(self.request.user)
