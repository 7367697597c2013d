from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentPlanConfig(AppConfig):
    name = "employment_plan"
    verbose_name = _("Employment plan")
