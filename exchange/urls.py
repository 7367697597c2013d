from django.urls import path

from . import views

urlpatterns = [
    path("kommune/<slug:slug>/eksport/", views.export_page, name="export-page"),
    path("kommune/<slug:slug>/eksport/arbejdsbog/", views.export_workbook, name="export-workbook"),
    path(
        "kommune/<slug:slug>/eksport/<slug:subject>/",
        views.export_subject,
        name="export-subject",
    ),
]
