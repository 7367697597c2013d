from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from organizations import views as account_views

admin.site.site_header = _("Follow-up administration")
admin.site.site_title = _("Follow-up administration")
admin.site.index_title = _("Administration")
# Django's page, except for an account of an identity provider (no password here to change).
admin.site.password_change_template = "admin/password_change.html"  # noqa: S105 - a template

urlpatterns = [
    path("konto/login/", account_views.LoginView.as_view(), name="login"),
    path("konto/logout/", account_views.LogoutView.as_view(), name="logout"),
    # Single sign-on through a municipality's identity provider (docs/sign-in.md).
    path("konto/sso/<slug:provider>/", account_views.oidc_login, name="oidc_login"),
    path("konto/sso/<slug:provider>/svar/", account_views.oidc_callback, name="oidc_callback"),
    # Passwords: change one's own (signed in), or reset it by e-mail (docs/security.md).
    path(
        "konto/adgangskode/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "konto/adgangskode/skiftet/",
        account_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "konto/glemt-adgangskode/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "konto/glemt-adgangskode/sendt/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "konto/nulstil/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/nulstil/faerdig/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("api.urls")),
    path("", include("dashboards.urls")),
    path("", include("exchange.urls")),
    path("", include("employment_plan.urls")),
    path("", include("recommendations.urls")),
    path("", include("followup.urls")),
    path("", include("workforce.urls")),
    path("", include("organizations.urls")),
]

# 503 "try again in a moment" when the database cannot be reached; Django's 500 page otherwise.
handler500 = "core.errors.server_error"
