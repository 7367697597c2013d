from organizations.urls import municipality_path

from . import views

urlpatterns = [
    municipality_path("arbejdsstyrke/", views.overview, "workforce-overview"),
    municipality_path("arbejdsstyrke/institutioner/", views.institutions, "workforce-institutions"),
    municipality_path("arbejdsstyrke/scenarier/", views.compare, "workforce-compare"),
    municipality_path("arbejdsstyrke/eksport/", views.export, "workforce-export"),
]
