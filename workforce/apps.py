from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "workforce"
    verbose_name = _("Workforce")

    def ready(self):
        # Registers the app's import subject with the pipeline (core.importing.SUBJECTS), for the
        # background worker and `manage.py import_data`.
        from . import importing  # noqa: F401
