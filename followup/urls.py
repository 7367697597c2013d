from django.urls import path

from organizations.urls import municipality_path

from . import views

urlpatterns = [
    path("opgaver/", views.my_tasks, name="my-tasks"),
    path("opgaver/<int:pk>/", views.update_item, name="my-task-update"),
    municipality_path("runder/", views.round_list, "followup-rounds"),
    municipality_path("runder/<int:pk>/", views.round_detail, "followup-round"),
    municipality_path("runder/<int:pk>/bilag/", views.round_annex, "followup-annex"),
]
