"""The example production configuration in deploy/ is tested, not only written: the systemd units say
what docs/deployment.md promises, nginx accepts the site file, and gunicorn loads its config."""

import configparser
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = [
    "opfoelgning.service",
    "opfoelgning-backup.service",
    "opfoelgning-backup.timer",
    "opfoelgning-reminders.service",
    "opfoelgning-reminders.timer",
    "opfoelgning-worker.service",
]
HARDENING = {"NoNewPrivileges": "true", "ProtectSystem": "strict", "PrivateTmp": "true"}
IN_CI = os.environ.get("CI") == "true"


class CaseSensitiveParser(configparser.ConfigParser):
    """systemd keys are case-sensitive (the parser would lower-case them)."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def unit(name: str) -> configparser.ConfigParser:
    parser = CaseSensitiveParser(strict=False, interpolation=None)
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


# systemd ---------------------------------------------------------------------------------------------
def test_app_service_runs_gunicorn_with_config_wsgi_as_an_unprivileged_user():
    service = unit("opfoelgning.service")["Service"]
    command = service["ExecStart"].split()
    assert command[0].endswith("/.venv/bin/gunicorn")
    assert command[-1] == "config.wsgi"
    assert "--config" in command and command[command.index("--config") + 1].endswith(
        "deploy/gunicorn.conf.py"
    )
    assert service["User"] not in ("", "root") and service["Group"] not in ("", "root")
    assert service["EnvironmentFile"].startswith("/etc/")
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in service["Environment"]
    assert service["Restart"] in ("on-failure", "always")
    assert service["ExecReload"].endswith("$MAINPID")  # graceful reload of new code


@pytest.mark.parametrize("name", [n for n in UNITS if n.endswith(".service")])
def test_every_service_is_hardened_and_unprivileged(name):
    service = unit(name)["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == value, f"{name}: {key}"
    assert service.get("ProtectHome") == "true"
    assert service["User"] not in ("", "root")
    assert service.get("CapabilityBoundingSet", None) == ""  # no capabilities at all
    assert service["WorkingDirectory"] == "/srv/opfoelgning"
    assert service["EnvironmentFile"] == "/etc/opfoelgning/env"


def test_backup_service_keeps_two_weeks_where_it_may_write():
    service = unit("opfoelgning-backup.service")["Service"]
    command = service["ExecStart"].split()
    assert command[1:3] == ["manage.py", "backup"]
    output = command[command.index("--output") + 1]
    assert service["ReadWritePaths"] == output
    assert int(command[command.index("--keep") + 1]) >= 7
    assert service["Type"] == "oneshot" and service["UMask"] == "0077"


def test_reminders_service_sends_the_daily_digests():
    """One command runs the three e-mail jobs (followup's send_daily_mail): with an ExecStart line
    each, systemd would skip the jobs after one that failed."""
    from followup.management.commands.send_daily_mail import JOBS

    service = unit("opfoelgning-reminders.service")["Service"]
    assert service["Type"] == "oneshot"
    text = (DEPLOY / "opfoelgning-reminders.service").read_text(encoding="utf-8")
    commands = [
        line.split("=", 1)[1].split()[1:]
        for line in text.splitlines()
        if line.startswith("ExecStart=")
    ]
    assert commands == [["manage.py", "send_daily_mail"]]
    assert JOBS == ("send_followup_reminders", "send_round_digests", "send_follow_digests")


def test_worker_service_runs_the_task_worker_and_restarts():
    service = unit("opfoelgning-worker.service")["Service"]
    assert service["ExecStart"].split()[1:3] == ["manage.py", "db_worker"]
    assert service["Restart"] == "always"
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in service["Environment"]
    assert int(service["TimeoutStopSec"]) >= 60  # time to finish the task in hand


@pytest.mark.parametrize(
    "timer, service", [("opfoelgning-backup.timer", "opfoelgning-backup.service"),
                       ("opfoelgning-reminders.timer", "opfoelgning-reminders.service")]
)  # fmt: skip
def test_timers_run_daily_and_catch_up_after_downtime(timer, service):
    section = unit(timer)["Timer"]
    assert section["Unit"] == service and (DEPLOY / service).exists()
    assert section["OnCalendar"].startswith("*-*-* ")
    assert section["Persistent"] == "true"
    assert unit(timer)["Install"]["WantedBy"] == "timers.target"


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for name in UNITS:
        shutil.copy(DEPLOY / name, tmp_path / name)
    completed = subprocess.run(  # noqa: S603
        [analyze, "verify", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Paths under /srv do not exist on a test machine; anything else (an unknown or invalid key,
    # a bad calendar expression) is a mistake in the unit files.
    problems = [
        line
        for line in (completed.stdout + completed.stderr).splitlines()
        if line.strip() and "is not executable" not in line and "/srv/opfoelgning" not in line
    ]
    assert not problems, "\n".join(problems)


# nginx -------------------------------------------------------------------------------------------------
def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def test_nginx_accepts_the_site(tmp_path):
    nginx = find_nginx()
    if nginx is None:
        if IN_CI:
            pytest.fail("nginx is not installed; CI installs it (apt-get install -y nginx-light)")
        pytest.skip("nginx is not installed (apt-get install nginx-light); CI runs this test")
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed to make a throwaway certificate"
    subprocess.run(  # noqa: S603
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=opfoelgning.example.dk",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = (DEPLOY / "nginx-opfoelgning.conf").read_text(encoding="utf-8")
    replacements = {
        "/etc/letsencrypt/live/opfoelgning.example.dk/fullchain.pem": tmp_path / "cert.pem",
        "/etc/letsencrypt/live/opfoelgning.example.dk/privkey.pem": tmp_path / "key.pem",
        "/etc/nginx/opfoelgning-proxy.conf": DEPLOY / "nginx-opfoelgning-proxy.conf",
        "/var/cache/nginx/opfoelgning-static": tmp_path / "cache",
    }
    for original, replacement in replacements.items():
        assert original in site, original
        site = site.replace(original, str(replacement))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp_paths}\n    include {tmp_path / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    completed = subprocess.run(  # noqa: S603
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "test is successful" in completed.stderr


def test_nginx_site_forwards_the_scheme_and_allows_the_import_size():
    site = (DEPLOY / "nginx-opfoelgning.conf").read_text(encoding="utf-8")
    proxy = (DEPLOY / "nginx-opfoelgning-proxy.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    assert "proxy_set_header Host $host;" in proxy
    assert "return 301 https://$host$request_uri;" in site
    assert "client_max_body_size 12m;" in site  # > core.tabular.MAX_UPLOAD_BYTES
    from core.tabular import MAX_UPLOAD_BYTES

    assert MAX_UPLOAD_BYTES < 12 * 1024 * 1024
    assert "server 127.0.0.1:8000" in site


def test_nginx_passes_the_applications_503_on():
    """The application's 503 "prøv igen om lidt" (the shared database is down) must reach the
    browser: retried elsewhere or counted towards max_fails, it would mark every application server
    down and become nginx's own 502 for the fail_timeout after the database is back."""
    proxy = (DEPLOY / "nginx-opfoelgning-proxy.conf").read_text(encoding="utf-8")
    retry = next(line for line in proxy.splitlines() if line.startswith("proxy_next_upstream "))
    assert {"error", "timeout"} <= set(retry.rstrip(";").split()[1:])
    assert "http_503" not in retry


# gunicorn ----------------------------------------------------------------------------------------------
def load_gunicorn_config(monkeypatch, **env) -> dict:
    for name in [n for n in os.environ if n.startswith("GUNICORN_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_config_binds_to_loopback_with_bounded_workers(monkeypatch):
    config = load_gunicorn_config(monkeypatch)
    assert config["bind"] == "127.0.0.1:8000"  # what the nginx upstream points at
    assert 2 <= config["workers"] <= 9
    assert 10 <= config["timeout"] <= 60
    assert config["forwarded_allow_ips"] == "127.0.0.1"
    assert config["accesslog"] == "-" and config["errorlog"] == "-"
    assert config["max_requests"] > 0


def test_gunicorn_config_follows_the_environment_and_refuses_nonsense(monkeypatch):
    config = load_gunicorn_config(
        monkeypatch, GUNICORN_BIND="10.0.0.11:8000", GUNICORN_WORKERS="4", GUNICORN_TIMEOUT="20"
    )
    assert (config["bind"], config["workers"], config["timeout"]) == ("10.0.0.11:8000", 4, 20)
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS"):
        load_gunicorn_config(monkeypatch, GUNICORN_WORKERS="many")


@pytest.mark.long
def test_gunicorn_loads_the_config_and_the_application():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    completed = subprocess.run(  # noqa: S603
        [
            str(gunicorn),
            "--check-config",
            "--config",
            str(DEPLOY / "gunicorn.conf.py"),
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
