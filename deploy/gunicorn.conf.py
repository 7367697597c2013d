"""gunicorn settings for production (loaded with `gunicorn --config deploy/gunicorn.conf.py
config.wsgi`). Every value can be overridden from the environment (GUNICORN_*) so one file serves a
small and a large server alike. See docs/deployment.md."""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"Environment variable {name}={raw!r} is not a whole number.") from None


# Behind the reverse proxy on the same machine by default. For several application servers behind
# one proxy, bind to the private address (GUNICORN_BIND=10.0.0.11:8000) and firewall the port.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: the pages are short database reads plus matplotlib charts (CPU), so processes, not
# threads, use the cores. 2 × cores + 1, capped so a large machine does not exhaust PostgreSQL's
# connections (each worker holds at most one).
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9))
worker_class = "sync"
threads = 1

# A request that takes longer than this is killed and logged; the slowest page (a status report
# for a whole municipality) takes well under a second.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak (matplotlib caches, fragmentation) never grows.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = 100

# Trust X-Forwarded-* only from the proxy in front.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Request limits (the proxy has its own; these protect a server reached without it).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Logs to stdout/stderr: systemd's journal keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
proc_name = "opfoelgning"
