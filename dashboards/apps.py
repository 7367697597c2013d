from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Council-facing overviews that combine recommendations, the employment plan and the
    workforce: the top of the dependency chain; nothing imports from here."""

    name = "dashboards"
    verbose_name = _("Dashboards")
