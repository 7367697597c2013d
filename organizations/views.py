from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from . import access, login
from .forms import OwnPasswordChangeForm, ResetPasswordForm, ResetRequestForm
from .models import Municipality


def home(request):
    if request.user.is_authenticated:
        own = list(access.member_municipalities(request.user))
        own_ids = {m.pk for m in own}
        published = [m for m in Municipality.objects.published() if m.pk not in own_ids]
    else:
        own, published = [], list(Municipality.objects.published())
    return render(request, "organizations/home.html", {"own": own, "published": published})


# Passwords ----------------------------------------------------------------------------------------
# Django's views, with the product's templates (Danish first), the writes through the service
# (organizations.forms), and the limits and audit of organizations.login on reset requests.
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = OwnPasswordChangeForm
    template_name = "registration/account_password_change.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The account itself rather than the request's lazy stand-in for it: the service saves it
        # by its model, and the session keeps its new password's hash.
        user = self.request.user
        kwargs["user"] = getattr(user, "_wrapped", user) if user.is_authenticated else user
        return kwargs


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/account_password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and always answers "if an account has this address, we have sent
    it a link" — whether or not one has. Too many requests for one address, or from one client,
    get a page asking to wait (HTTP 429), the same in both cases; every request is audited."""

    form_class = ResetRequestForm
    template_name = "registration/account_password_reset.html"
    email_template_name = "registration/account_password_reset_email.txt"
    subject_template_name = "registration/account_password_reset_subject.txt"

    def form_valid(self, form):
        wait = login.reset_request_wait(self.request, form.cleaned_data["email"])
        if wait:
            return render(
                self.request,
                "registration/account_password_reset_paused.html",
                {"minutes": login.minutes(wait)},
                status=429,
            )
        # Links in e-mails start with the configured address, as the reminders' do.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/account_password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    template_name = "registration/account_password_reset_confirm.html"
    # The address the link redirects to once its token is in the session (Django's "set-password").
    reset_url_token = "ny-adgangskode"  # noqa: S105 - a path segment, not a password

    def form_valid(self, form):
        response = super().form_valid(form)
        login.account_recovered(self.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/account_password_reset_complete.html"
