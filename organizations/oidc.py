"""Single sign-on: the municipalities' identity providers over OpenID Connect (docs/sign-in.md).

The protocol is mozilla-django-oidc's: state, nonce and PKCE made and kept in the session by its
helpers, the code exchanged and the ID token's signature checked against the provider's published
keys by its backend. That library reads one provider from settings; here each provider of
``settings.OIDC_PROVIDERS`` (one per municipality, or a broker serving several) is one ``Provider``,
and ``ProviderBackend`` is the library's backend bound to it. On top of the library's checks the ID
token's issuer, audience and expiry are checked, and a token that fails any check is refused.

What a person may do follows from the provider's claims at every sign-in (``roles_from_claims``):
their memberships in the municipalities the provider governs are set to exactly what the claims map
to, through ``services.memberships_sync`` (so each change is audited); a person whose claims map to
nothing is refused.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.encoding import smart_str
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import add_state_and_verifier_and_nonce_to_session
from mozilla_django_oidc.utils import generate_code_challenge as _code_challenge

from .models import ROLE_PRECEDENCE, Municipality, Role, User

log = logging.getLogger(__name__)

# Kept in the session of a person who signed in through a provider, for signing out there too.
SESSION_PROVIDER = "oidc_provider"
SESSION_ID_TOKEN = "oidc_id_token"  # noqa: S105 - a session key, not a secret
# The signing algorithms accepted in ID tokens (never "none", never HMAC with the client secret).
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
# Clock difference tolerated between this server and the provider, in seconds.
LEEWAY = 60


# What talking to a provider may raise: unreachable, an error status, or an answer that is no JSON or
# names another issuer.
PROVIDER_ERRORS = (requests.RequestException, SuspiciousOperation, ValueError)

# The reason of a refusal whose claims map to no role (the one refusal the page explains).
NO_ROLE = "no mapped role"


class SignInRefused(Exception):
    """The sign-in is refused; ``reason`` is for the audit log, never shown. ``subject`` and
    ``removed`` (memberships the sign-in took away before refusing) are for the log too."""

    def __init__(self, reason: str, *, subject: str = "", removed: list[str] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.subject = subject
        self.removed = removed or []


# Providers ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Provider:
    config: dict[str, Any]

    @property
    def key(self) -> str:
        return str(self.config["key"])

    @property
    def name(self) -> str:
        return str(self.config["name"])

    @property
    def issuer(self) -> str:
        return str(self.config["issuer"])

    @property
    def callback_path(self) -> str:
        return reverse("oidc_callback", kwargs={"provider": self.key})

    def endpoint(self, name: str) -> str:
        """An endpoint as configured, else as the provider publishes it (discovery, cached)."""
        configured = self.config.get(name) or ""
        if configured:
            return str(configured)
        return str(self.discovery().get(name) or "")

    def discovery(self) -> dict[str, Any]:
        url = f"{self.issuer}/.well-known/openid-configuration"
        key = "oidc-discovery:" + hashlib.sha256(url.encode()).hexdigest()
        document = cache.get(key)
        if document is None:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
            if str(document.get("issuer", "")).rstrip("/") != self.issuer:
                # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer asked.
                raise SuspiciousOperation(f"discovery document of {url} names another issuer")
            cache.set(key, document, settings.OIDC_DISCOVERY_CACHE_SECONDS)
        return dict(document)


def providers() -> list[Provider]:
    return [Provider(config) for config in settings.OIDC_PROVIDERS.values()]


def provider(key: str) -> Provider:
    config = settings.OIDC_PROVIDERS.get(key)
    if config is None:
        raise Http404
    return Provider(config)


# The sign-in ----------------------------------------------------------------------------------------
def authorization_url(request, chosen: Provider, next_url: str | None) -> str:
    """Where to send the browser: the provider's authorisation endpoint, with a fresh state, nonce
    and PKCE challenge kept in the session (mozilla-django-oidc's store, up to 50 at once)."""
    endpoint = chosen.endpoint("authorization_endpoint")  # first: it may fail (PROVIDER_ERRORS)
    state = get_random_string(32)
    code_verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": chosen.config["scopes"],
        "client_id": chosen.config["client_id"],
        "redirect_uri": request.build_absolute_uri(chosen.callback_path),
        "state": state,
        "nonce": get_random_string(32),
        "code_challenge": _code_challenge(code_verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, code_verifier)
    entry = request.session["oidc_states"][state]
    # The callback must come back for the provider the person was sent to (no mix-up).
    entry["provider"] = chosen.key
    entry["next"] = next_url
    request.session.modified = True
    return str(requests.Request("GET", endpoint, params=params).prepare().url)


def take_state(request, chosen: Provider) -> dict[str, Any]:
    """The session's entry for the callback's ``state``, removed so it can be used only once."""
    state = request.GET.get("state", "")
    states = request.session.get("oidc_states") or {}
    entry = states.pop(state, None) if isinstance(states, dict) else None
    request.session.modified = True
    if entry is None:
        raise SignInRefused("unknown state")
    if entry.get("provider") != chosen.key:
        raise SignInRefused("state of another provider")
    return dict(entry)


class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend for one provider. Listed in AUTHENTICATION_BACKENDS only so the
    sessions it starts stay valid (``get_user``): it authenticates nobody through ``authenticate()``;
    the callback view calls ``sign_in``."""

    def __init__(self, chosen: Provider | None = None):
        # The library reads its one provider from settings here; ours comes with the call.
        self.UserModel = User
        self.chosen = chosen
        if chosen is not None:
            self.OIDC_RP_CLIENT_ID = chosen.config["client_id"]
            self.OIDC_RP_CLIENT_SECRET = chosen.config["client_secret"]
            self.OIDC_RP_IDP_SIGN_KEY = None
            # Checked per token against the keys (see _verify_jws); RS is the library's branch for
            # "look the key up at the JWKS endpoint".
            self.OIDC_RP_SIGN_ALGO = "RS256"

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        # The library's get_user lets a deactivated account keep its session; Django's does not.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_settings(self, attr, *args):
        own = {
            "OIDC_TIMEOUT": settings.OIDC_TIMEOUT,
            "OIDC_VERIFY_SSL": True,
            "OIDC_PROXY": None,
            "OIDC_USE_NONCE": True,
            "OIDC_ALLOW_UNSECURED_JWT": False,
            "OIDC_TOKEN_USE_BASIC_AUTH": False,
        }
        if attr in own:
            return own[attr]
        return super().get_settings(attr, *args)

    def retrieve_matching_jwk(self, token):
        """The provider's published key for the token: by its key id, or the only key there is."""
        assert self.chosen is not None
        response = requests.get(self.chosen.endpoint("jwks_uri"), timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("use", "sig") == "sig"]
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        if kid is not None:
            keys = [key for key in keys if smart_str(key.get("kid")) == smart_str(kid)]
        if len(keys) != 1:
            raise SuspiciousOperation("no single published key for the ID token")
        return jwt.PyJWK(keys[0])

    def _verify_jws(self, payload, key):
        """The signature with the provider's key, and the claims of OpenID Connect Core 3.1.3.7:
        issuer, audience, expiry and issue time (the nonce is checked by ``verify_token``)."""
        assert self.chosen is not None
        try:
            algorithm = jwt.get_unverified_header(payload).get("alg")
            if algorithm not in SIGNING_ALGORITHMS:
                raise SuspiciousOperation(f"ID token signed with {algorithm!r}")
            return jwt.decode(
                payload,
                key,
                algorithms=[algorithm],
                audience=self.chosen.config["client_id"],
                issuer=self.chosen.issuer,
                leeway=LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from None

    def sign_in(self, request, entry: dict[str, Any]) -> tuple[User, dict[str, Any], str]:
        """The person the callback's code stands for, created on first sign-in, and their claims
        and ID token. Raises ``SignInRefused`` for anything that does not check out."""
        assert self.chosen is not None
        chosen = self.chosen
        self.request = request
        self.OIDC_OP_TOKEN_ENDPOINT = chosen.endpoint("token_endpoint")
        self.OIDC_OP_USER_ENDPOINT = chosen.endpoint("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = chosen.endpoint("jwks_uri")
        code = request.GET.get("code")
        if not code:
            raise SignInRefused("no code")
        try:
            tokens = self.get_token(
                {
                    "client_id": chosen.config["client_id"],
                    "client_secret": chosen.config["client_secret"],
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": request.build_absolute_uri(chosen.callback_path),
                    "code_verifier": entry.get("code_verifier"),
                }
            )
            id_token = tokens.get("id_token") or ""
            claims = self.verify_token(id_token, nonce=entry.get("nonce"))
            if chosen.config["fetch_userinfo"] and self.OIDC_OP_USER_ENDPOINT:
                userinfo = self.get_userinfo(tokens.get("access_token"), id_token, claims)
                if userinfo.get("sub") != claims.get("sub"):
                    # OpenID Connect Core 5.3.2: the answer must be about the token's subject.
                    raise SuspiciousOperation("userinfo names another subject")
                claims = {**userinfo, **claims}
        except PROVIDER_ERRORS as exc:
            raise SignInRefused(str(exc)) from None
        subject = str(claims["sub"])
        return self._user(subject, claims), claims, id_token

    def _user(self, subject: str, claims: dict[str, Any]) -> User:
        """The account of ``subject`` at this provider (its user name, ``username_for``), its name
        and e-mail address kept as the provider says. No password: it signs in only here."""
        assert self.chosen is not None
        username = username_for(self.chosen, subject)
        names = {
            "first_name": str(claims.get("given_name") or "")[:150],
            "last_name": str(claims.get("family_name") or "")[:150],
            "email": str(claims.get("email") or "")[:254],
        }
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, **names)
            user.set_unusable_password()
            from .services import user_create

            return user_create(user=user, acting_user=None)
        if any(getattr(user, field) != value for field, value in names.items()):
            from .services import user_update

            for field, value in names.items():
                setattr(user, field, value)
            user = user_update(user=user, expected_version=None, acting_user=None)
        return user


def username_for(chosen: Provider, subject: str) -> str:
    """``<provider key>+<subject>``; the subject hashed where it would not make a valid user name
    (too long, or characters other than letters, digits and @.+-_)."""
    if len(subject) > 100 or not re.fullmatch(r"[\w.@+-]+", subject):
        subject = "sha256-" + hashlib.sha256(subject.encode()).hexdigest()
    return f"{chosen.key}+{subject}"


# Roles from claims ----------------------------------------------------------------------------------
def _claim_values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(item) for item in value]
    return [str(item) for item in str(value).split()] if isinstance(value, str) else [str(value)]


def roles_from_claims(config: dict[str, Any], claims: dict[str, Any]) -> dict[int, str]:
    """Municipality code → role, as the provider's role map says for ``claims``.

    Each value of the roles claim (a list, or a space-separated string) that the map names gives a
    role, in the municipality the map entry names, else the provider's ``municipality``, else the
    one in the ``municipality_claim``. Where several roles fall in one municipality, the widest wins
    (administrator, HR officer, analyst, council member). Municipalities the provider does not govern
    are left out.
    """
    default_code: int | None = config.get("municipality")
    if config.get("municipality_claim"):
        claimed = claims.get(config["municipality_claim"])
        try:
            default_code = int(str(claimed).strip()) if claimed is not None else default_code
        except ValueError:
            default_code = None
    governed = config.get("municipalities")
    result: dict[int, str] = {}
    for value in _claim_values(claims.get(config["roles_claim"])):
        if value not in config["roles"]:
            continue
        code, role = config["roles"][value]
        code = code if code is not None else default_code
        if code is None or (governed is not None and code not in governed):
            continue
        if code not in result or ROLE_PRECEDENCE[role] > ROLE_PRECEDENCE[result[code]]:
            result[code] = role
    return result


def memberships_wanted(config: dict[str, Any], claims: dict[str, Any]) -> dict[Municipality, Role]:
    by_code = roles_from_claims(config, claims)
    municipalities = Municipality.objects.filter(code__in=by_code)
    return {m: Role(by_code[m.code]) for m in municipalities}


def governed_municipalities(config: dict[str, Any]) -> list[Municipality] | None:
    """The municipalities whose memberships this provider's sign-ins set (None: every one)."""
    codes = config.get("municipalities")
    if codes is None:
        return None
    return list(Municipality.objects.filter(code__in=codes))


def end_session_url(request, key: str | None, id_token: str | None) -> str | None:
    """The provider's end-session address (OpenID Connect RP-Initiated Logout), if it has one."""
    if not key or key not in settings.OIDC_PROVIDERS:
        return None
    chosen = Provider(settings.OIDC_PROVIDERS[key])
    try:
        endpoint = chosen.endpoint("end_session_endpoint")
    except PROVIDER_ERRORS:
        log.warning("oidc: no end-session address for %s", key)
        return None
    if not endpoint:
        return None
    params = {
        "client_id": chosen.config["client_id"],
        "post_logout_redirect_uri": request.build_absolute_uri(
            reverse(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    if id_token:
        params["id_token_hint"] = id_token
    return str(requests.Request("GET", endpoint, params=params).prepare().url)
