"""A malformed environment stops start-up with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x" * 20 + "production-secret-for-tests-only" + "y" * 10


def start(settings_module: str, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://u:p@localhost/db"),
        ("DATABASE_URL", "postgres://u:p@localhost:notaport/db"),
        ("CONN_MAX_AGE", "forever"),
        ("ACCESSIBILITY_STATEMENT_DATE", "30.11.2026"),
    ],
)
def test_malformed_value_stops_startup_naming_the_variable(variable, value):
    result = start("config.settings.local", **{variable: value})
    assert result.returncode != 0
    assert f"{variable}=" in result.stderr
    assert "Traceback" in result.stderr or "ImproperlyConfigured" in result.stderr


def test_well_formed_values_start(tmp_path):
    result = start(
        "config.settings.local", DEBUG="off", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("missing", "env"),
    [
        ("SECRET_KEY", {"ALLOWED_HOSTS": "example.org", "DATABASE_URL": "postgres://u:p@h/db"}),
        (
            "ALLOWED_HOSTS",
            {"SECRET_KEY": GOOD_SECRET, "DATABASE_URL": "postgres://u:p@h/db"},
        ),
        (
            "DATABASE_URL",
            {"SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "example.org"},
        ),
    ],
)
def test_production_refuses_to_start_without_essentials(missing, env):
    result = start("config.settings.production", **env)
    assert result.returncode != 0
    assert missing in result.stderr
