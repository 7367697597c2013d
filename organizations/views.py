from django.contrib.auth import views as auth_views
from django.shortcuts import render

from . import access
from .forms import OwnPasswordChangeForm
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
# Django's views, with the product's templates (Danish first) and the writes through the service
# (organizations.forms).
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
