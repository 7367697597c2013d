"""Where an analyst creates (or replaces) the personal API token their tools use."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from organizations import access


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    ids = access.export_municipality_ids(request.user)
    if ids is not None and not ids:
        raise PermissionDenied
    new_key = None
    if request.method == "POST":
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            new_key = Token.objects.create(user=request.user).key
    token = Token.objects.filter(user=request.user).first()
    return render(request, "api/token.html", {"token": token, "new_key": new_key})
