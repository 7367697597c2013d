from django.urls import path

from organizations.urls import municipality_path

from . import views

# Included before the other apps: the municipality's address is the dashboard front page.
urlpatterns = [
    municipality_path("", views.front_page, "municipality-detail"),
    municipality_path(
        "anbefalinger/liste/", views.recommendation_list, "dashboard-recommendations"
    ),
    municipality_path("indikatorer/", views.indicator_list, "dashboard-indicators"),
    municipality_path("institutioner/", views.institution_list, "dashboard-institutions"),
    municipality_path("moederapport/", views.meeting_report, "meeting-report"),
    path("tilgaengelighed/", views.accessibility_statement, name="accessibility-statement"),
]
