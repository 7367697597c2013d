from django.shortcuts import render

from . import access
from .decorators import municipality_view
from .models import Municipality, OrganisationalUnit
from .selectors import unit_tree


def home(request):
    if request.user.is_authenticated:
        own = list(access.member_municipalities(request.user))
        own_ids = {m.pk for m in own}
        published = [m for m in Municipality.objects.published() if m.pk not in own_ids]
    else:
        own, published = [], list(Municipality.objects.published())
    return render(request, "organizations/home.html", {"own": own, "published": published})


@municipality_view
def municipality_detail(request, municipality):
    units = OrganisationalUnit.objects.filter(municipality=municipality)
    return render(
        request,
        "organizations/municipality_detail.html",
        {
            "municipality": municipality,
            "tree": unit_tree(units),
            "is_member": access.is_member(request.user, municipality),
        },
    )
