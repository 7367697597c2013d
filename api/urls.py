from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import token_views, views

router = DefaultRouter()
router.APIRootView = views.ApiRootView
router.register("recommendations", views.RecommendationViewSet, basename="api-recommendation")
router.register("status-updates", views.StatusUpdateViewSet, basename="api-status-update")
router.register("decisions", views.CouncilDecisionViewSet, basename="api-decision")
router.register("indicators", views.IndicatorViewSet, basename="api-indicator")
router.register("measurements", views.MeasurementViewSet, basename="api-measurement")
router.register("followup-rounds", views.FollowUpRoundViewSet, basename="api-round")
router.register("approved-annexes", views.FrozenAnnexViewSet, basename="api-annex")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("konto/api-noegle/", token_views.api_token, name="api-token"),
]
