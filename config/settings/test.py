"""The test suite: SQLite by default, PostgreSQL when ./dev test sets DATABASE_URL."""

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # An in-memory test database; the file named in DATABASE_URL is never touched by tests.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests log in with force_login or client.login(), which pass no request: django-axes needs one, so
# it is off here and switched on by the tests of the lockout itself (tests/security/test_login.py).
AXES_ENABLED = False
# One connection per test database: the tests' transactions would hide a second connection's view.
DATABASES.pop("jobs", None)
IMPORT_PROGRESS_DATABASE = "default"
