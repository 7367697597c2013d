"""Where a person who may export creates API keys for their tools, sees them (never the secret
again) and revokes them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from knox.settings import knox_settings

from . import services
from .models import ApiKey


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is the key for? (optional)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("E.g. “Power BI, monthly report”. Shown only to you."),
    )


@login_required
@never_cache  # the page that shows a new secret must not be kept by the browser or a proxy
@require_http_methods(["GET", "POST"])
def api_token(request):
    if not services.may_have_keys(request.user):
        raise PermissionDenied
    form = ApiKeyForm()
    new_key = None
    if request.method == "POST" and "revoke" in request.POST:
        key = get_object_or_404(
            ApiKey.objects.owned_by(request.user), pk=request.POST.get("revoke", "").strip() or 0
        )
        services.api_key_revoke(api_key=key, acting_user=request.user)
        messages.success(
            request,
            _("The key beginning %(start)s has been revoked: it no longer works.")
            % {"start": key.token_key},
        )
        return redirect("api-token")
    if request.method == "POST":
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            _created, new_key = services.api_key_create(
                user=request.user, name=form.cleaned_data["name"], acting_user=request.user
            )
            form = ApiKeyForm()
    keys = ApiKey.objects.owned_by(request.user)
    return render(
        request,
        "api/token.html",
        {
            "keys": keys,
            "form": form,
            "new_key": new_key,
            "valid_days": knox_settings.TOKEN_TTL.days,
        },
    )
