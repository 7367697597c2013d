from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
