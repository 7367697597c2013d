"""Reading the environment strictly: a malformed value stops start-up with a message naming it.

django-environ parses the values; these wrappers make its lenient cases (``DEBUG=maybe`` silently
meaning False, an unknown database scheme raising a bare KeyError) fail loudly instead.
"""

import datetime
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


def env_date(name: str, default: datetime.date) -> datetime.date:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not a date: use YYYY-MM-DD."
        ) from None


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
