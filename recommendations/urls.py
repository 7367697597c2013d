from django.urls import path

from . import views

urlpatterns = [
    path(
        "kommune/<slug:slug>/anbefalinger/",
        views.recommendation_reports,
        name="recommendation-reports",
    ),
    path("kommune/<slug:slug>/rapport/<int:pk>/", views.report_detail, name="report-detail"),
    path(
        "kommune/<slug:slug>/anbefaling/<int:pk>/",
        views.recommendation_detail,
        name="recommendation-detail",
    ),
]
