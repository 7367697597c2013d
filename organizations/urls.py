from django.urls import path

from . import views

# The municipality's own page (kommune/<slug>/, "municipality-detail") is the dashboards front page.
urlpatterns = [
    path("", views.home, name="home"),
]
