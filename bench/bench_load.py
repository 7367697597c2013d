"""The site under load: gunicorn on loopback, serving a migrated and seeded SQLite copy, driven by
logged-in virtual users who read the municipality's pages (front page, recommendations, reports,
employment plan, indicators) as fast as they can for a fixed time.

Reports throughput, p50/p95/p99 latency and errors (budget: zero). Loopback only, bounded in time
and in requests; gunicorn is always stopped. No packages beyond the standard library.
"""

import http.cookiejar
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.core import Result

ROOT = Path(__file__).resolve().parent.parent
GROUP = "Load: dashboards under concurrent users (gunicorn, SQLite, loopback)"
# scale → (seconds of load, virtual users, gunicorn workers)
SCALES = {"full": (30.0, 8, 4), "smoke": (1.0, 2, 2)}
MAX_REQUESTS = 200_000  # a hard stop whatever the machine's speed
REQUEST_TIMEOUT = 30
SLUG = "allerod"
USERS = [  # demo accounts in Allerød (organizations/demo.py)
    ("raadsmedlem", "demo-raadsmedlem"),
    ("hr", "demo-hr"),
    ("analytiker", "demo-analytiker"),
    ("administrator", "demo-administrator"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The preparation, in one process (each command in a process of its own would start Django four
# times): a migrated, seeded database with the demo accounts.
PREPARE = """
import django
from django.core.management import call_command

django.setup()
for command in [["migrate", "--noinput"], ["createcachetable"], ["load_seed_data"],
                ["create_demo_accounts", "--force"]]:
    call_command(*command)
"""


def prepare(folder: Path, migrated: Path | None = None) -> dict:
    """A migrated, seeded database file and the environment the server runs with. ``migrated``: a
    database file the migrations have been applied to already, to start from instead of an empty
    one (the smoke test passes the test run's own; ``migrate`` then finds nothing left to do)."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{folder / 'load.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": "bench-load-only-" + "x" * 40,
        "STATIC_ROOT": str(folder / "static"),
        "LOG_LEVEL": "WARNING",
        "MPLCONFIGDIR": str(folder / "matplotlib"),
    }
    if migrated is not None:
        shutil.copyfile(migrated, folder / "load.sqlite3")
    subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", PREPARE],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return env


def pages(database: Path) -> list[str]:
    """Every page a council member of Allerød reads, from the seeded database."""
    with sqlite3.connect(database) as db:
        municipality = db.execute(
            "SELECT id FROM organizations_municipality WHERE slug = ?", [SLUG]
        ).fetchone()[0]

        def ids(query: str) -> list[int]:
            return [row[0] for row in db.execute(query, [municipality])]

        reports = ids("SELECT id FROM recommendations_report WHERE municipality_id = ? ORDER BY id")
        recommendations = ids(
            "SELECT r.id FROM recommendations_recommendation r JOIN recommendations_report p "
            "ON p.id = r.report_id WHERE p.municipality_id = ? ORDER BY r.id"
        )
        plans = ids("SELECT id FROM employment_plan_employmentplan WHERE municipality_id = ?")
        indicators = ids(
            "SELECT i.id FROM employment_plan_indicator i JOIN employment_plan_employmentplan p "
            "ON p.id = i.plan_id WHERE p.municipality_id = ? ORDER BY i.id"
        )
    base = f"/kommune/{SLUG}/"
    return (
        [base, f"{base}anbefalinger/", f"{base}beskaeftigelsesplan/"]
        + [f"{base}rapport/{pk}/" for pk in reports]
        + [f"{base}anbefaling/{pk}/" for pk in recommendations]
        + [f"{base}beskaeftigelsesplan/{pk}/" for pk in plans]
        + [f"{base}indikator/{pk}/" for pk in indicators]
    )


class VirtualUser:
    """One browser: its own cookies (session, CSRF), logged in once, then reading pages."""

    def __init__(self, base_url: str, username: str, password: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.username, self.password = username, password

    def login(self) -> None:
        url = f"{self.base_url}/konto/login/"
        with self.opener.open(url, timeout=REQUEST_TIMEOUT) as response:
            html = response.read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert found is not None, "the login page has no CSRF token"
        token = found.group(1)
        body = urllib.parse.urlencode(
            {"username": self.username, "password": self.password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            response.read()
            if "/konto/login/" in response.geturl():
                raise RuntimeError(f"login as {self.username} failed")

    def get(self, path: str) -> tuple[float, str | None]:
        """Seconds taken and an error (None when the page came back as a page)."""
        start = time.perf_counter()
        try:
            with self.opener.open(self.base_url + path, timeout=REQUEST_TIMEOUT) as response:
                body = response.read()
                final = response.geturl()
            error = None
            if "/konto/login/" in final:
                error = "sent to the login page"
            elif not body:
                error = "empty page"
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            error = type(exc).__name__
        return time.perf_counter() - start, error


def wait_until_serving(base_url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/konto/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within the time limit")


def drive(base_url: str, paths: list[str], users: int, duration: float) -> dict:
    latencies: list[float] = []
    errors: list[tuple[str, str]] = []
    lock = threading.Lock()
    budget = threading.Semaphore(MAX_REQUESTS)
    visitors = [VirtualUser(base_url, *USERS[n % len(USERS)]) for n in range(users)]
    for visitor in visitors:
        visitor.login()
    start = time.monotonic()
    deadline = start + duration

    def browse(number: int, visitor: VirtualUser) -> None:
        index = number * 7  # users start at different pages
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            path = paths[index % len(paths)]
            index += 1
            seconds, error = visitor.get(path)
            with lock:
                latencies.append(seconds)
                if error:
                    errors.append((path, error))

    threads = [
        threading.Thread(target=browse, args=(n, v), name=f"user-{n}", daemon=True)
        for n, v in enumerate(visitors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - start
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def percentile_ms(samples: list[float], p: int) -> float:
    if len(samples) < 2:
        return samples[0] * 1000 if samples else 0.0
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1] * 1000


def run(scale: str, migrated: Path | None = None) -> list[Result]:
    duration, users, workers = SCALES[scale]
    with tempfile.TemporaryDirectory(prefix="opfoelgning-load-") as tmp:
        folder = Path(tmp)
        env = prepare(folder, migrated)
        paths = pages(folder / "load.sqlite3")
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = open(folder / "gunicorn.log", "w+b")  # noqa: SIM115 - closed in finally
        server = subprocess.Popen(  # noqa: S603 - the project's own gunicorn
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(base_url, server)
            outcome = drive(base_url, paths, users, duration)
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(5)
            log.seek(0)
            server_log = log.read().decode(errors="replace")
            log.close()
    latencies, errors = outcome["latencies"], outcome["errors"]
    if errors:
        kinds = sorted({f"{path}: {error}" for path, error in errors})[:5]
        print("  errors (first kinds): " + "; ".join(kinds), flush=True)
        print("  server log (end): " + server_log[-2000:], flush=True)
    setup = f"{users} users, {duration:.0f} s, {workers} gunicorn workers, {len(paths)} pages"
    throughput = len(latencies) / outcome["elapsed"] if outcome["elapsed"] else 0.0
    p95 = percentile_ms(latencies, 95)
    return [
        Result(GROUP, "requests", len(latencies), "", note=setup),
        Result(GROUP, "throughput", round(throughput, 1), "requests/s"),
        Result(GROUP, "latency p50", round(percentile_ms(latencies, 50), 1), "ms"),
        Result(
            GROUP,
            "latency p95",
            round(p95, 1),
            "ms",
            budget="< 1000 ms" if scale == "full" else "",
            ok=(p95 < 1000) if scale == "full" else None,
        ),
        Result(GROUP, "latency p99", round(percentile_ms(latencies, 99), 1), "ms"),
        Result(GROUP, "errors", len(errors), "", budget="= 0", ok=not errors and bool(latencies)),
    ]
