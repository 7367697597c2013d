"""/api/v1/: read-only, paginated, key-authenticated and throttled; every list is what the key's
owner may export (``exportable_by``: their exporting municipalities' rows and the cross-municipal
ones)."""

from django.db.models import Prefetch, Sum
from rest_framework import exceptions, routers, viewsets
from rest_framework.views import APIView

from employment_plan.models import Indicator, Measurement
from followup.models import FollowUpRound, FrozenAnnex
from recommendations.models import CouncilDecision, Recommendation, StatusUpdate

from . import filters, serializers
from .throttling import AddressRateThrottle, FailureRateThrottle, TooManyRequests


class ThrottledApiMixin(APIView):
    """For every view of the API (the viewsets and the root): the address limits before
    authentication, and 429s with our message (``api.throttling``)."""

    def initial(self, request, *args, **kwargs):
        failures = FailureRateThrottle()
        for throttle in (AddressRateThrottle(), failures):
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
        try:
            super().initial(request, *args, **kwargs)
        except (exceptions.AuthenticationFailed, exceptions.NotAuthenticated):
            failures.record_failure()
            raise

    def throttled(self, request, wait):
        raise TooManyRequests(wait)


class ExportableViewSet(ThrottledApiMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only list of ``rows()`` narrowed to what the key's owner may export, so no
    endpoint can forget the narrowing; throttled (``api.throttling``)."""

    def rows(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.rows().exportable_by(self.request.user)


class ApiRootView(ThrottledApiMixin, routers.APIRootView):
    """/api/v1/ itself, throttled like the lists."""


class RecommendationViewSet(ExportableViewSet):
    serializer_class = serializers.RecommendationSerializer
    filterset_class = filters.ApiRecommendationFilter

    def rows(self):
        return (
            Recommendation.objects.select_related(
                "report", "report__municipality", "theme", "parent", "status", "responsible_unit"
            )
            .prefetch_related("target_professions", "addressees")
            .annotate(budget_total_kr=Sum("budget_lines__amount_kr"))
            .order_by("report_id", "sort_key", "id")
        )


class StatusUpdateViewSet(ExportableViewSet):
    serializer_class = serializers.StatusUpdateSerializer
    filterset_class = filters.StatusUpdateFilter

    def rows(self):
        return StatusUpdate.objects.select_related(
            "recommendation", "recommendation__report", "old_status", "new_status", "author"
        ).order_by("id")


class CouncilDecisionViewSet(ExportableViewSet):
    serializer_class = serializers.CouncilDecisionSerializer
    filterset_class = filters.CouncilDecisionFilter

    def rows(self):
        return (
            CouncilDecision.objects.select_related("municipality", "body")
            .prefetch_related(
                Prefetch("recommendations", queryset=Recommendation.objects.only("id"))
            )
            .order_by("meeting_date", "id")
        )


class IndicatorViewSet(ExportableViewSet):
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter

    def rows(self):
        return (
            Indicator.objects.select_related("plan", "plan__municipality", "focus_area")
            .prefetch_related(
                Prefetch("measurements", queryset=Measurement.objects.order_by("date", "id"))
            )
            .order_by("plan_id", "position", "id")
        )


class MeasurementViewSet(ExportableViewSet):
    serializer_class = serializers.MeasurementSerializer
    filterset_class = filters.MeasurementFilter

    def rows(self):
        return Measurement.objects.select_related("indicator", "indicator__plan").order_by(
            "date", "id"
        )


class FollowUpRoundViewSet(ExportableViewSet):
    serializer_class = serializers.FollowUpRoundSerializer
    filterset_class = filters.FollowUpRoundFilter

    def rows(self):
        return FollowUpRound.objects.select_related("municipality", "body", "annex").order_by(
            "meeting_date", "id"
        )


class FrozenAnnexViewSet(ExportableViewSet):
    serializer_class = serializers.FrozenAnnexSerializer

    def rows(self):
        return FrozenAnnex.objects.select_related("round", "round__municipality").order_by("id")
