from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The read-only JSON API for analysts' tools (Power BI, Excel Power Query). Top of the
    dependency chain: it reads from every domain app; nothing imports from it."""

    name = "api"
    verbose_name = _("API")

    def ready(self):
        from . import signals

        signals.connect()
