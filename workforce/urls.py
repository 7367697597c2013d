from django.urls import path

from . import views

urlpatterns = [
    path("kommune/<slug:slug>/arbejdsstyrke/", views.overview, name="workforce-overview"),
    path(
        "kommune/<slug:slug>/arbejdsstyrke/institutioner/",
        views.institutions,
        name="workforce-institutions",
    ),
    path("kommune/<slug:slug>/arbejdsstyrke/scenarier/", views.compare, name="workforce-compare"),
    path("kommune/<slug:slug>/arbejdsstyrke/eksport/", views.export, name="workforce-export"),
]
