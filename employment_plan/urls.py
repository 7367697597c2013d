from organizations.urls import municipality_path

from . import views

urlpatterns = [
    municipality_path("beskaeftigelsesplan/", views.plan_list, "employment-plan-list"),
    municipality_path(
        "beskaeftigelsesplan/<int:pk>/", views.plan_barometer, "employment-plan-barometer"
    ),
    municipality_path("indikator/<int:pk>/", views.indicator_detail, "employment-plan-indicator"),
]
