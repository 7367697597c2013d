"""A database restart under load (issue #16, item 9), for real: gunicorn with the deployment's config
and several workers, each keeping its connection between requests (CONN_MAX_AGE=60 as in
docs/deployment.md), on a PostgreSQL cluster of its own that the test stops and starts.

- Restarted between requests, the next request on every worker succeeds: each worker finds its kept
  connection dead before using it and reconnects (CONN_HEALTH_CHECKS).
- While the database is down, a request gets the Danish 503 page with Retry-After, not a 500.

The suite's own cluster is never restarted (other test processes use it). The throwaway one is made
as ./dev makes the suite's (initdb and pg_ctl from the same place, as an unprivileged user when we are
root) and gets a copy of this process's test database: the schema and the rows the migrations wrote.
"""

import concurrent.futures
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from organizations.management.commands.backup import find_pg_tool

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
DANISH_503 = "Tjenesten er midlertidigt utilgængelig – prøv igen om lidt."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unprivileged_user() -> str:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "nobody"
    return "postgres"


class Cluster:
    """A PostgreSQL cluster in a temporary folder on a loopback port, like ./dev's with_postgres."""

    def __init__(self, folder: Path):
        initdb = find_pg_tool("initdb")
        assert initdb, "initdb not found, yet the suite runs on PostgreSQL"
        self.bindir = Path(os.path.realpath(initdb)).parent
        self.folder, self.data = folder, str(folder / "data")
        self.runas: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            user = unprivileged_user()
            shutil.chown(folder, user)
            self.runas = ["runuser", "-u", user, "--"]
        port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"
        self.options = (
            f"-p {port} -k {folder} "
            "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off"
        )

    def _run(self, tool: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
        completed = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
            [*self.runas, str(self.bindir / tool), *args],
            capture_output=True, timeout=60, check=False, **kwargs,
        )  # fmt: skip
        assert completed.returncode == 0, f"{tool}: {completed.stderr!r}"
        return completed

    def create_and_start(self) -> None:
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        self.start()

    def start(self) -> None:
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", self.data, "-l", log, "-w", "-t", "30", "-o", self.options,
                  "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def dump_of_test_database(self) -> bytes:
        db = settings.DATABASES["default"]
        return subprocess.run(  # noqa: S603
            [str(self.bindir / "pg_dump"), "--no-owner", "--no-privileges",
             "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], db["NAME"]],
            env={**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""},
            capture_output=True, timeout=60, check=True,
        ).stdout  # fmt: skip

    def load(self, dump: bytes) -> None:
        self._run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", self.url,
                  input=dump)  # fmt: skip

    def connected_clients(self) -> int:
        """Connections other than psql's own: one per gunicorn worker that has served a request."""
        query = (
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return int(self._run("psql", "-X", "-A", "-t", "-c", query, self.url).stdout)


def fetch(url: str) -> tuple[int, str, str]:
    """Status, Retry-After and body of one request."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return (
                response.status,
                response.headers.get("Retry-After", ""),
                response.read().decode(),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After", ""), error.read().decode()


@pytest.fixture
def site(db):
    """gunicorn (deploy/gunicorn.conf.py, WORKERS workers) serving a throwaway cluster. (``db``: so
    that this process's test database exists to be copied.)"""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's tools and a PostgreSQL test database to copy (./dev test)")
    folder = Path(tempfile.mkdtemp(prefix="opfoelgning-restart-"))
    cluster = Cluster(folder)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": cluster.url,
        "CONN_MAX_AGE": "60",
        "SECRET_KEY": "restart-test-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "LOG_LEVEL": "CRITICAL",
        "MPLCONFIGDIR": str(folder / "matplotlib"),
    }
    log = open(folder / "gunicorn.log", "w+b")  # noqa: SIM115 - closed below
    # Started first, so that it loads the application while the cluster is made; loaded once, before
    # the fork (preloaded_wsgi), to keep the test short.
    server = subprocess.Popen(  # noqa: S603 - the project's own gunicorn
        [str(Path(sys.executable).with_name("gunicorn")), "--config",
         str(ROOT / "deploy" / "gunicorn.conf.py"), "--preload",
         "tests.reliability.preloaded_wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            dump = pool.submit(cluster.dump_of_test_database)
            cluster.create_and_start()
            cluster.load(dump.result())
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "gunicorn exited"
            with contextlib.suppress(OSError):
                if fetch(base + "/")[0] == 200:  # noqa: PLR2004
                    break
            assert time.monotonic() < deadline, (folder / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.05)
        yield base, cluster, server
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # gunicorn and its workers; nothing to finish
        server.wait(10)
        log.close()
        with contextlib.suppress(AssertionError):
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def browse_until_every_worker_is_connected(base: str, cluster: Cluster) -> list[int]:
    """Requests to the front page (it reads the database), several at a time so that every sync
    worker gets some, until each worker holds a connection; returns every status."""
    statuses: list[int] = []
    deadline = time.monotonic() + 60
    with concurrent.futures.ThreadPoolExecutor(2 * WORKERS) as pool:
        while (connected := cluster.connected_clients()) < WORKERS:
            assert time.monotonic() < deadline, f"only {connected} workers connected"
            statuses += [status for status, _, _ in pool.map(fetch, [base + "/"] * 2 * WORKERS)]
    return statuses


def test_every_worker_survives_a_database_restart_and_an_outage_is_a_503(site):
    base, cluster, server = site
    assert set(browse_until_every_worker_is_connected(base, cluster)) == {200}

    # Restarted between requests: every worker's kept connection is now dead.
    cluster.stop()
    cluster.start()
    assert set(browse_until_every_worker_is_connected(base, cluster)) == {200}

    # Down: every request is told to come back shortly, in Danish.
    cluster.stop()
    with concurrent.futures.ThreadPoolExecutor(2 * WORKERS) as pool:
        outage = list(pool.map(fetch, [base + "/"] * 2 * WORKERS))
    assert {(status, retry_after) for status, retry_after, _ in outage} == {(503, "5")}
    assert all(DANISH_503 in body for _, _, body in outage)

    # Back: served again, and gunicorn never fell over.
    cluster.start()
    assert set(browse_until_every_worker_is_connected(base, cluster)) == {200}
    assert server.poll() is None
