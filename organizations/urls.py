from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("kommune/<slug:slug>/", views.municipality_detail, name="municipality-detail"),
]
