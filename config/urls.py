from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Follow-up administration")
admin.site.site_title = _("Follow-up administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("konto/login/", auth_views.LoginView.as_view(), name="login"),
    path("konto/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("api.urls")),
    path("", include("dashboards.urls")),
    path("", include("exchange.urls")),
    path("", include("employment_plan.urls")),
    path("", include("recommendations.urls")),
    path("", include("workforce.urls")),
    path("", include("organizations.urls")),
]

# 503 "try again in a moment" when the database cannot be reached; Django's 500 page otherwise.
handler500 = "core.errors.server_error"
