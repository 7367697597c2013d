from organizations.urls import municipality_path

from . import views

urlpatterns = [
    municipality_path("anbefalinger/", views.recommendation_reports, "recommendation-reports"),
    municipality_path("rapport/<int:pk>/", views.report_detail, "report-detail"),
    municipality_path("anbefaling/<int:pk>/", views.recommendation_detail, "recommendation-detail"),
]
