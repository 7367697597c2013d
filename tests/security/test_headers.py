"""Security headers: a Content Security Policy without inline scripts on every response, no inline
scripts or event-handler attributes in any template or rendered admin page, and the production settings
passing ``check --deploy --fail-level WARNING``."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from organizations.models import Municipality
from tests.factories import UserFactory

BASE_DIR = Path(django_settings.BASE_DIR)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict_csp(response):
    directives = csp_directives(response)
    assert directives, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts == ["'self'"], scripts
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


def inline_scripts(html: str) -> list[str]:
    return [attrs for attrs in SCRIPT_TAG.findall(html) if "src=" not in attrs]


@pytest.fixture
def seeded(seed_data):
    Municipality.objects.filter(slug="allerod").update(is_published=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "login"])
def test_public_pages_carry_a_strict_csp(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_strict_csp(response)
    assert not inline_scripts(response.content.decode())


@pytest.mark.django_db
def test_error_pages_carry_the_csp_too(client):
    response = client.get("/kommune/findes-ikke/")
    assert response.status_code == 404
    assert_strict_csp(response)


def _admin_urls():
    from django.contrib import admin

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return urls


@pytest.mark.long
@pytest.mark.django_db
def test_admin_pages_have_no_inline_scripts_and_a_strict_csp(client, seeded, superuser):
    client.force_login(superuser)
    checked = 0
    for url in _admin_urls():
        response = client.get(url)
        if response.status_code != 200:
            continue
        checked += 1
        assert_strict_csp(response)
        html = response.content.decode()
        assert not inline_scripts(html), f"inline <script> on {url}"
        assert not HANDLER_ATTRIBUTE.search(html), f"on…= handler on {url}"
    assert checked > 20


@pytest.mark.django_db
def test_site_pages_of_a_seeded_municipality_have_no_inline_scripts(client, seeded):
    for name in ["municipality-detail", "recommendation-reports", "employment-plan-list"]:
        response = client.get(reverse(name, args=["allerod"]))
        assert response.status_code == 200, name
        assert_strict_csp(response)
        html = response.content.decode()
        assert not inline_scripts(html), name
        assert not HANDLER_ATTRIBUTE.search(html), name


def _templates():
    folders = [BASE_DIR / "templates", *sorted(BASE_DIR.glob("*/templates"))]
    for folder in folders:
        yield from sorted(folder.rglob("*.html"))


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        if inline_scripts(text) or HANDLER_ATTRIBUTE.search(text):
            offenders.append(str(template.relative_to(BASE_DIR)))
    assert not offenders, offenders


def test_csp_allows_inline_styles_but_never_inline_scripts():
    directives = django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert "csp.middleware.CSPMiddleware" in django_settings.MIDDLEWARE


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "prod-check-" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kM9nP2rS5uV8xA1dG4",
    "ALLOWED_HOSTS": "opfoelgning.example.dk",
    "DATABASE_URL": "postgres://a:b@127.0.0.1:5432/c",
}


def _manage(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    environment.update(env or PRODUCTION_ENV)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        env=environment,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_at_warning_level():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_secret_key_with_few_different_characters():
    env = {**PRODUCTION_ENV, "SECRET_KEY": "x" * 60 + "Yz9"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_strict():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.TRUSTED_PROXY_COUNT, s.DEBUG,"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.DATABASES['jobs']['CONN_HEALTH_CHECKS'])"
    )
    result = _manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-9:] == [
        "31536000", "True", "True", "True", "True", "1", "False",
        # A connection kept between requests (CONN_MAX_AGE) is checked before use: after a
        # database restart no request fails on a dead one (tests/reliability/test_database_restart.py).
        "True", "True",
    ]  # fmt: skip
