"""Reading the environment strictly: a malformed value stops start-up with a message naming it.

django-environ parses the values; these wrappers make its lenient cases (``DEBUG=maybe`` silently
meaning False, an unknown database scheme raising a bare KeyError) fail loudly instead.
"""

import json
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is convenient in development; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={raw!r} is not a boolean: use one of "
        "1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not a whole number."
        ) from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} must be at least {minimum}."
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SUPPORTED_DB_ENGINES = {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}


def env_database(name: str, default: str) -> dict:
    raw = env.str(name, default=default)
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises KeyError/ValueError/… for bad URLs
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not a database URL this product understands "
            f"({type(exc).__name__}: {exc}). Use sqlite:///path/to/file.sqlite3 or "
            "postgres://user:password@host:port/dbname."
        ) from None
    engine = config.get("ENGINE", "")
    if engine not in SUPPORTED_DB_ENGINES:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r}: unsupported database engine {engine!r}. "
            "Use sqlite:///… or postgres://…."
        )
    if engine.endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} names no database.")
    if engine.endswith("sqlite3") and not config.get("NAME"):
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} names no SQLite file.")
    return config


# Sign-in through the municipalities' identity providers (docs/sign-in.md) -------------------------
OIDC_ROLES = {"council_member", "hr_officer", "analyst", "administrator"}
# The issuer is always needed: every ID token's "iss" is checked against it.
_OIDC_REQUIRED = {"issuer", "client_id", "client_secret", "roles"}
_OIDC_ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
)
_OIDC_KEYS = {
    "name",
    "scopes",
    "municipality",
    "municipality_claim",
    "municipalities",
    "roles_claim",
    "fetch_userinfo",
    *_OIDC_REQUIRED,
    *_OIDC_ENDPOINTS,
}


def _oidc_fail(name: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Environment variable {name}: {message} (see docs/sign-in.md).")


def _oidc_role(name: str, key: str, claim_value: str, target: object) -> tuple[int | None, str]:
    """A role map entry's target: ``"hr_officer"`` or ``"201:hr_officer"`` (a municipality code)."""
    code, _, role = str(target).rpartition(":")
    if role not in OIDC_ROLES or (code and not code.isdigit()):
        raise _oidc_fail(
            name,
            f"provider {key!r} maps {claim_value!r} to {target!r}: use one of "
            f"{', '.join(sorted(OIDC_ROLES))}, optionally after a municipality code and a colon",
        )
    return (int(code) if code else None), role


def oidc_provider_config(name: str, key: str, raw: object) -> dict:
    """One provider of ``OIDC_PROVIDERS`` (``key``: its key, ``raw``: its JSON object), checked."""
    if not isinstance(raw, dict):
        raise _oidc_fail(name, f"provider {key!r} must be a JSON object")
    unknown = set(raw) - _OIDC_KEYS
    missing = _OIDC_REQUIRED - set(raw)
    if unknown or missing:
        raise _oidc_fail(
            name,
            f"provider {key!r}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}",
        )
    roles = raw["roles"]
    if not isinstance(roles, dict) or not roles:
        raise _oidc_fail(name, f"provider {key!r}: roles must map claim values to roles")
    municipality = raw.get("municipality")
    if municipality is not None and not isinstance(municipality, int):
        raise _oidc_fail(name, f"provider {key!r}: municipality must be a municipality code")
    role_map = {str(value): _oidc_role(name, key, value, role) for value, role in roles.items()}
    unplaced = any(code is None for code, _ in role_map.values())
    if unplaced and municipality is None and not raw.get("municipality_claim"):
        raise _oidc_fail(
            name,
            f"provider {key!r}: a role without a municipality code needs "
            "municipality or municipality_claim",
        )
    governed = raw.get("municipalities")
    if governed is None and municipality is not None:
        governed = [municipality, *(code for code, _ in role_map.values() if code is not None)]
    if governed is not None and not all(isinstance(code, int) for code in governed):
        raise _oidc_fail(name, f"provider {key!r}: municipalities must list municipality codes")
    return {
        "key": key,
        "name": str(raw.get("name") or key),
        "issuer": str(raw["issuer"]).rstrip("/"),
        "client_id": str(raw["client_id"]),
        "client_secret": str(raw["client_secret"]),
        "scopes": str(raw.get("scopes") or "openid profile email"),
        "municipality": municipality,
        "municipality_claim": raw.get("municipality_claim") or "",
        # None: every municipality (a broker serving several, with the code in a claim).
        "municipalities": None if governed is None else sorted(set(governed)),
        "roles_claim": str(raw.get("roles_claim") or "groups"),
        "roles": role_map,
        "fetch_userinfo": bool(raw.get("fetch_userinfo", True)),
        **{endpoint: str(raw.get(endpoint) or "") for endpoint in _OIDC_ENDPOINTS},
    }


def env_oidc_providers(name: str) -> dict[str, dict]:
    """``OIDC_PROVIDERS``: a JSON object of identity providers by key (the key is in the sign-in
    addresses, so letters, digits and hyphens). Empty or unset: no single sign-on."""
    raw = env.str(name, default="").strip()
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise _oidc_fail(name, f"not valid JSON ({exc})") from None
    if not isinstance(parsed, dict):
        raise _oidc_fail(name, "must be a JSON object of providers by key")
    providers = {}
    for key, provider in parsed.items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", key):
            raise _oidc_fail(name, f"provider key {key!r}: use lower-case letters, digits, hyphens")
        providers[key] = oidc_provider_config(name, key, provider)
    return providers
