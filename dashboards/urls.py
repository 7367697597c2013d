from django.urls import path

from . import views

# Included before the other apps: the municipality's address is the dashboard front page.
urlpatterns = [
    path("kommune/<slug:slug>/", views.front_page, name="municipality-detail"),
    path(
        "kommune/<slug:slug>/anbefalinger/liste/",
        views.recommendation_list,
        name="dashboard-recommendations",
    ),
    path("kommune/<slug:slug>/indikatorer/", views.indicator_list, name="dashboard-indicators"),
    path(
        "kommune/<slug:slug>/institutioner/", views.institution_list, name="dashboard-institutions"
    ),
    path("kommune/<slug:slug>/moederapport/", views.meeting_report, name="meeting-report"),
    path("tilgaengelighed/", views.accessibility_statement, name="accessibility-statement"),
]
