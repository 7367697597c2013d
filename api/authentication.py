"""The API key in ``Authorization: Token opf_…``: knox looks the key up by its first characters and
compares SHA-512 digests, so what the database stores is never itself a key."""

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions


class ApiKeyAuthentication(TokenAuthentication):
    """knox's authentication with one message for every refused key (wrong, expired, revoked, or
    its owner's account deactivated) and a malformed header refused rather than an error."""

    message = _("The API key is wrong, has expired or has been revoked.")

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except UnicodeError as error:  # bytes that are no text: no key of ours
            raise exceptions.AuthenticationFailed(self.message) from error
        except exceptions.AuthenticationFailed as error:
            raise exceptions.AuthenticationFailed(self.message) from error
