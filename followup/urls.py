from django.urls import path

from organizations.urls import MUNICIPALITY_ADDRESS, municipality_path

from . import views

urlpatterns = [
    path("opgaver/", views.my_tasks, name="my-tasks"),
    path("opgaver/<int:pk>/", views.update_item, name="my-task-update"),
    path("foelger/", views.my_follows, name="my-follows"),
    path("afmeld/<str:token>/", views.unsubscribe, name="follow-unsubscribe"),
    municipality_path(
        "anbefaling/<int:pk>/foelg/", views.follow_recommendation, "follow-recommendation"
    ),
    municipality_path("rapport/<int:pk>/foelg/", views.follow_report, "follow-report"),
    municipality_path("runder/", views.round_list, "followup-rounds"),
    municipality_path("runder/<int:pk>/", views.round_detail, "followup-round"),
    municipality_path("runder/<int:pk>/bilag/", views.round_annex, "followup-annex"),
    path(
        MUNICIPALITY_ADDRESS + "runder/<int:pk>/bilag.pdf",
        views.round_annex_file,
        {"fmt": "pdf"},
        name="followup-annex-pdf",
    ),
    path(
        MUNICIPALITY_ADDRESS + "runder/<int:pk>/bilag.xlsx",
        views.round_annex_file,
        {"fmt": "xlsx"},
        name="followup-annex-xlsx",
    ),
]
