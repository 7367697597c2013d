from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from . import login


class DanishFirstLocaleMiddleware(LocaleMiddleware):
    """Danish unless the visitor chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which shows an English page
    to a council member whose browser happens to be set to English. The product is Danish first: only
    the language cookie set by the switch (django.views.i18n.set_language) changes the language.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class LoginPauseMiddleware:
    """Turns a login refused because its user name is paused (organizations.login) into a page that
    says so and for how long (HTTP 429), on the site's login page and the admin's alike — as
    django-axes' middleware does for its lockout. The page names no user name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, login.PAUSED_FOR, 0)
        if wait:
            return render(
                request,
                "registration/login_paused.html",
                {"minutes": login.minutes(wait)},
                status=429,
            )
        return response
