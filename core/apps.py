from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared infrastructure that knows no domain: reading spreadsheets, parsing cells, writing
    exports, rendering charts, form widgets. It imports nothing from the project's other apps."""

    name = "core"
    verbose_name = "Core"
