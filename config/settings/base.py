"""Settings shared by every environment. Everything that differs between machines comes from the
environment (see README.md, "Configuration"); a malformed value stops start-up naming the variable."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from config.env import (
    BASE_DIR,
    env,
    env_bool,
    env_database,
    env_date,
    env_int,
    env_list,
    env_oidc_providers,
)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", default="")
# Earlier keys, still accepted (not used to sign) while a new SECRET_KEY takes over: sessions,
# password reset links, unsubscribe links and signed import previews made with them stay valid.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = BASE_DIR / "var"
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 0, minimum=0))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two people saving at once: with WAL, readers go on while one request writes; a writer waits up
    # to 20 s for the lock instead of failing at once with "database is locked"; and IMMEDIATE takes
    # the write lock when a transaction begins, so one that has read never fails to upgrade it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

# An upload past the import limit is counted, not kept (core.uploads).
FILE_UPLOAD_HANDLERS = [
    "core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# A connection kept between requests (CONN_MAX_AGE) may have died meanwhile (the database restarted):
# check it at the start of each request and reconnect, rather than fail that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Background imports (core.jobs): queued in the database, run by `manage.py db_worker`. A file with
# more rows than IMPORT_BACKGROUND_ROWS is checked and applied by the worker, not in the request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 2000, minimum=1)
# A browser upload may have this many rows; a larger file is for `manage.py import_data`.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000, minimum=1)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The worker reports an apply's progress on a second connection, so the job's page sees it
    # while the apply's transaction is still open. (SQLite has one writer: it reports rows checked.)
    DATABASES["jobs"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
    IMPORT_PROGRESS_DATABASE = "jobs"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    # API keys stored as a hash only (the model is api.ApiKey, KNOX_TOKEN_MODEL below).
    "knox",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    # Project apps, in dependency order: each may import only from those above it.
    # Shared infrastructure that knows no domain (tabular reading, cells, writers, charts).
    "core",
    "organizations",
    "employment_plan",
    "recommendations",
    # Follow-up rounds: a committee's status gathered from the owners, approved and frozen.
    "followup",
    "workforce",
    # Analysts' files: the workbook, the export page and the import_data command.
    "exchange",
    "dashboards",
    "api",
    # Cross-cutting: reads the models above from the app registry, imports none of them.
    "audit",
    # Synthetic national-scale data (generate_demo_data); imports the apps above, none imports it.
    "synthetic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "organizations.middleware.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditContextMiddleware",
    # Turns a login refused because its user name is paused into the page that says so.
    "organizations.middleware.LoginPauseMiddleware",
    # Last, so it can turn a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "organizations.User"
# django-axes first: it refuses a locked-out username/address pair before the password is checked;
# then the per-account pause (organizations.login), which refuses a user name that failed too often
# from anywhere; then the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "organizations.backends.AccountPauseBackend",
    "organizations.backends.PasswordBackend",
    # Sessions of those who signed in through an identity provider (organizations.oidc).
    "organizations.oidc.ProviderBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Danish first, English second. Source strings are English; locale/da holds the Danish text.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Copenhagen"
# Danish number formats (1.050,5) follow the active language's format module.
USE_THOUSAND_SEPARATOR = True
LANGUAGE_COOKIE_NAME = "opfoelgning_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# E-mail (reminders, password resets): printed to the console unless EMAIL_BACKEND says SMTP.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="opfoelgning@localhost")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)

# The accessibility statement (tilgængelighedserklæring, /tilgaengelighed/) must say when it was
# last reviewed and where to write: set both when the operator reviews it for their site.
ACCESSIBILITY_STATEMENT_DATE = env_date("ACCESSIBILITY_STATEMENT_DATE", date(2026, 11, 30))
ACCESSIBILITY_CONTACT_EMAIL = env.str("ACCESSIBILITY_CONTACT_EMAIL", default=DEFAULT_FROM_EMAIL)
# A password reset link works for one day (Django's default is three), and only once.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# A recommendation not updated for this many days is flagged "needs update".
RECOMMENDATION_STALE_AFTER_DAYS = env_int("RECOMMENDATION_STALE_AFTER_DAYS", 90, minimum=1)
# Absolute links in e-mails (reminder digests).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The read-only API (/api/v1/, docs/api.md): key or session, JSON only, paginated, throttled.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.MayExport",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    # After authentication: each key (or logged-in person) on its own. The address limits are
    # checked before authentication (api.throttling.ThrottledApiMixin), so wrong keys count.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.KeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # requests with one key, or one person's session
        "api_key": "240/minute",
        # every request from one client address, valid key or not
        "api_address": "600/minute",
        # requests from one address with a wrong key or none: past this, the address waits
        "api_failure": "20/minute",
    },
}
# API keys: knox's hashed tokens in our own model, valid API_KEY_DAYS days, recognisable by "opf_".
KNOX_TOKEN_MODEL = "api.ApiKey"  # noqa: S105 - a model label, not a secret
# knox's migrations would create its own token table, unused beside api.ApiKey and in the way of
# flushing the user table (TRUNCATE on PostgreSQL): knox has no tables here.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("API_KEY_DAYS", 90, minimum=1)),
    "TOKEN_PREFIX": "opf_",
    "AUTO_REFRESH": False,
}
# The throttles' counters: an alias of their own, so the tests can reset them alone.
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api_throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "api-throttle",
    },
}

# Where `manage.py backup` writes, and `restore` its safety backups (docs/backups.md).
BACKUP_DIR = env.path("BACKUP_DIR", default=str(VAR_DIR / "backups"))

# Where load_seed_data reads the facts of the source documents.
SEED_DATA_DIR = BASE_DIR / "fixtures"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Login lockout (django-axes): the 5th failed attempt for one username from one address locks that
# pair out for 15 minutes; another address, or another username, is not affected. Each username is
# also paused for a short, growing time after 10 failures from anywhere (organizations.login), and
# reset requests are limited there; AXES_ENABLED switches all of it. See docs/security.md.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# The client address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the address the
# outermost trusted proxy saw (X-Forwarded-For read from the right, so a client cannot forge it).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "audit.request.client_ip"

# Content Security Policy (django-csp): no inline scripts anywhere, no plugins, no framing. Styles
# allow 'unsafe-inline' because status colours and the matplotlib charts (inline SVG) carry style
# attributes; scripts never do.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every page it lays out at INFO: a hundred lines for each annex PDF the
    # worker draws. Its warnings (a CSS property it ignores, a missing glyph) still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Single sign-on (docs/sign-in.md): the municipalities' identity providers over OpenID Connect, by
# key; none unless OIDC_PROVIDERS says so. LOCAL_LOGIN=off hides the password form and refuses
# password logins except a superuser's (organizations.backends.PasswordBackend).
OIDC_PROVIDERS = env_oidc_providers("OIDC_PROVIDERS")
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)
# Seconds to wait for an identity provider's answer, and to keep its published configuration.
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_DISCOVERY_CACHE_SECONDS = 3600
# Signing out ends the provider's session too: the logout form's answer redirects the browser to the
# provider, which browsers check against form-action.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sorted(
    {
        "{0.scheme}://{0.netloc}".format(urlsplit(url))
        for provider in OIDC_PROVIDERS.values()
        for url in (provider["issuer"], provider["end_session_endpoint"])
        if url
    }
)
