"""Production: refuses to start without a real secret key, allowed hosts and PostgreSQL, and passes
`manage.py check --deploy --fail-level WARNING`. See docs/deployment.md."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DATABASES, SECRET_KEY, SECRET_KEY_FALLBACKS

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("Environment variable DEBUG must not be true in production.")


def _weak(key: str) -> bool:
    # The same rule as Django's security.W009 (and W025 for the fallbacks), refused at start
    # rather than warned about.
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


if _weak(SECRET_KEY):
    raise ImproperlyConfigured(
        "Environment variable SECRET_KEY must be set to a random value of at least 50 characters "
        "(and at least 5 different ones)."
    )
if any(_weak(key) for key in SECRET_KEY_FALLBACKS):
    raise ImproperlyConfigured(
        "Environment variable SECRET_KEY_FALLBACKS must list only earlier keys of at least 50 "
        "random characters, separated by commas."
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Environment variable ALLOWED_HOSTS must list the site's host names."
    )
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(
        "Environment variable DATABASE_URL must point to PostgreSQL (postgres://…) in production."
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

# Production runs behind one reverse proxy (docs/deployment.md); the lockout counts the address it saw.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=0)

# Several stateless application servers share sessions (database, Django's default) and the cache
# (a database table: `manage.py createcachetable`), so charts drawn on one are reused by all.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "opfoelgning_cache",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    # The API's throttle counters, in the same table, so every server counts the same requests.
    "api_throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "opfoelgning_cache",
        "KEY_PREFIX": "api-throttle",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
