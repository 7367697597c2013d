from organizations.urls import municipality_path

from . import views

urlpatterns = [
    municipality_path("eksport/", views.export_page, "export-page"),
    municipality_path("eksport/arbejdsbog/", views.export_workbook, "export-workbook"),
    municipality_path("eksport/<slug:subject>/", views.export_subject, "export-subject"),
]
