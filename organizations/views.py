from django.shortcuts import render

from . import access
from .models import Municipality


def home(request):
    if request.user.is_authenticated:
        own = list(access.member_municipalities(request.user))
        own_ids = {m.pk for m in own}
        published = [m for m in Municipality.objects.published() if m.pk not in own_ids]
    else:
        own, published = [], list(Municipality.objects.published())
    return render(request, "organizations/home.html", {"own": own, "published": published})
