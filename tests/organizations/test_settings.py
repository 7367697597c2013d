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


def test_earlier_secret_keys_are_read_as_fallbacks():
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.local", SECRET_KEY_FALLBACKS=" old-1 , old-2,"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; "
            "django.setup(); print(settings.SECRET_KEY_FALLBACKS)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "['old-1', 'old-2']", result.stderr


def test_production_refuses_a_weak_fallback_key():
    result = start(
        "config.settings.production",
        SECRET_KEY=GOOD_SECRET,
        SECRET_KEY_FALLBACKS=f"{GOOD_SECRET[::-1]},too-short",
        ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://u:p@h/db",
    )
    assert result.returncode != 0
    assert "SECRET_KEY_FALLBACKS" in result.stderr


IDP = '"issuer": "https://idp.example.dk", "client_id": "opf", "client_secret": "s3cret-value"'


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("{not json", "not valid JSON"),
        (
            '{"Allerød": {' + IDP + ', "municipality": 201, "roles": {"g": "analyst"}}}',
            "provider key",
        ),
        ('{"allerod": {' + IDP + ', "municipality": 201}}', "missing keys ['roles']"),
        (
            '{"allerod": {' + IDP + ', "municipality": 201, "roles": {"g": "boss"}}}',
            "'g' to 'boss'",
        ),
        ('{"allerod": {' + IDP + ', "roles": {"g": "analyst"}}}', "municipality_claim"),
        ('{"allerod": {' + IDP + ', "municipality": "201", "roles": {"g": "analyst"}}}', "code"),
    ],
)
def test_malformed_identity_providers_stop_startup_without_echoing_the_secret(
    monkeypatch, raw, problem
):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_oidc_providers

    monkeypatch.setenv("OIDC_PROVIDERS", raw)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_oidc_providers("OIDC_PROVIDERS")
    message = str(refused.value)
    assert "OIDC_PROVIDERS" in message and problem in message
    assert "s3cret-value" not in message


def test_identity_providers_are_read_with_their_defaults(monkeypatch):
    from config.env import env_oidc_providers

    monkeypatch.setenv(
        "OIDC_PROVIDERS",
        '{"allerod": {'
        + IDP
        + ', "municipality": 201, "roles": {"g1": "analyst", "g2": "707:hr_officer"}}}',
    )
    allerod = env_oidc_providers("OIDC_PROVIDERS")["allerod"]
    assert allerod["roles"] == {"g1": (None, "analyst"), "g2": (707, "hr_officer")}
    # A municipality's provider governs its own municipality and those its role map names.
    assert allerod["municipalities"] == [201, 707]
    assert (allerod["roles_claim"], allerod["scopes"]) == ("groups", "openid profile email")
    monkeypatch.delenv("OIDC_PROVIDERS")
    assert env_oidc_providers("OIDC_PROVIDERS") == {}
