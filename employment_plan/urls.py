from django.urls import path

from . import views

urlpatterns = [
    path(
        "kommune/<slug:slug>/beskaeftigelsesplan/",
        views.plan_list,
        name="employment-plan-list",
    ),
    path(
        "kommune/<slug:slug>/beskaeftigelsesplan/<int:pk>/",
        views.plan_barometer,
        name="employment-plan-barometer",
    ),
    path(
        "kommune/<slug:slug>/indikator/<int:pk>/",
        views.indicator_detail,
        name="employment-plan-indicator",
    ),
]
