from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from . import views

# A municipality's pages live below its address; the views take the slug.
MUNICIPALITY_ADDRESS = "kommune/<slug:slug>/"


def municipality_path(route: str, view: Callable[..., Any], name: str) -> URLPattern:
    """The page ``route`` below a municipality's address (``""``: the address itself)."""
    return path(MUNICIPALITY_ADDRESS + route, view, name=name)


# The municipality's own page (kommune/<slug>/, "municipality-detail") is the dashboards front page.
urlpatterns = [
    path("", views.home, name="home"),
]
