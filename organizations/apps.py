from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organisations")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import login

        # The per-account pause counts failures and forgets them on a successful login.
        user_login_failed.connect(login.on_login_failed, dispatch_uid="organizations.login.failed")
        user_logged_in.connect(login.on_logged_in, dispatch_uid="organizations.login.logged_in")
