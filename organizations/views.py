import logging

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import access, login, oidc, services
from .forms import LoginForm, OwnPasswordChangeForm, ResetPasswordForm, ResetRequestForm
from .models import Municipality

log = logging.getLogger(__name__)


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

    def dispatch(self, request, *args, **kwargs):
        # An account that signs in through the municipality's identity provider has no password
        # here (organizations.oidc): the page says where it is changed, and a POST changes nothing.
        if request.user.is_authenticated and not request.user.has_usable_password():
            return render(request, "registration/account_password_sso.html")
        return super().dispatch(request, *args, **kwargs)

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


# Signing in and out -----------------------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    """The password form (unless ``LOCAL_LOGIN`` is off) and a button per identity provider."""

    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["providers"] = oidc.providers()
        context["local_login"] = settings.LOCAL_LOGIN
        return context


class LogoutView(auth_views.LogoutView):
    """Ends the session here and, for someone who signed in through an identity provider that
    offers it, the session there too (the provider then sends the browser back to the front page)."""

    def post(self, request, *args, **kwargs):
        key = request.session.get(oidc.SESSION_PROVIDER)
        id_token = request.session.get(oidc.SESSION_ID_TOKEN)
        response = super().post(request, *args, **kwargs)
        end_session = oidc.end_session_url(request, key, id_token) if key else None
        return HttpResponseRedirect(end_session) if end_session else response


def _safe_next(request, next_url: str | None) -> str | None:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return None


@never_cache
def oidc_login(request, provider):
    """Off to the identity provider's login page."""
    chosen = oidc.provider(provider)
    next_url = _safe_next(request, request.GET.get("next"))
    try:
        return redirect(oidc.authorization_url(request, chosen, next_url))
    except oidc.PROVIDER_ERRORS:
        log.warning("oidc: %s could not be reached", chosen.key, exc_info=True)
        context = {"provider": chosen, "unreachable": True}
        return render(request, "registration/sign_in_refused.html", context, status=503)


def _record(request, chosen, *, subject, user, granted=(), removed=(), refused=""):
    """The one signal of a sign-in through a provider, let in or refused (the audit log's)."""
    login.provider_sign_in.send(
        sender=oidc_callback,
        request=request,
        provider=chosen.key,
        subject=subject,
        user=user,
        granted=list(granted),
        removed=list(removed),
        refused=refused,
    )


def _refused(request, chosen, exc: oidc.SignInRefused, user=None):
    _record(
        request, chosen, subject=exc.subject, user=user, removed=exc.removed, refused=exc.reason
    )
    no_role = exc.reason == oidc.NO_ROLE
    return render(
        request,
        "registration/sign_in_refused.html",
        {"provider": chosen, "no_role": no_role},
        status=403,
    )


@never_cache
def oidc_callback(request, provider):
    """The provider sends the browser back here with a code: checked, exchanged, and the person's
    memberships set from their claims before they are let in (organizations.oidc)."""
    chosen = oidc.provider(provider)
    try:
        entry = oidc.take_state(request, chosen)
        if request.GET.get("error"):
            raise oidc.SignInRefused(f"provider answered {request.GET['error'][:100]}")
        user, claims, id_token = oidc.ProviderBackend(chosen).sign_in(request, entry)
    except oidc.SignInRefused as exc:
        return _refused(request, chosen, exc)
    wanted = oidc.memberships_wanted(chosen.config, claims)
    granted, removed = services.memberships_sync(
        user=user,
        wanted=wanted,
        governed=oidc.governed_municipalities(chosen.config),
        acting_user=None,
    )
    subject = str(claims["sub"])
    if not wanted or not user.is_active:
        reason = oidc.NO_ROLE if user.is_active else "inactive account"
        refusal = oidc.SignInRefused(reason, subject=subject, removed=removed)
        return _refused(request, chosen, refusal, user)
    auth.login(request, user, backend="organizations.oidc.ProviderBackend")
    request.session[oidc.SESSION_PROVIDER] = chosen.key
    request.session[oidc.SESSION_ID_TOKEN] = id_token
    _record(request, chosen, subject=subject, user=user, granted=granted, removed=removed)
    next_url = _safe_next(request, entry.get("next"))
    if next_url:
        return redirect(next_url)
    if len(wanted) == 1:
        (municipality,) = wanted
        return redirect("municipality-detail", slug=municipality.slug)
    return redirect("home")
