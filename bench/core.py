"""The benchmark suite's small framework: each ``bench/bench_*.py`` module has
``run(scale: str) -> list[Result]``; ``./dev bench`` runs them all and rewrites docs/benchmarks.md.

``scale`` is "full" for ./dev bench and "smoke" for the test that keeps the benchmark code alive.

The benchmarks run on the configured database (SQLite); one that compares the databases runs again
``on_database(POSTGRES_URL)``, which ``./dev bench`` points at a throwaway PostgreSQL cluster.
"""

import contextlib
import os
import platform
import statistics
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass

# The environment variable naming the PostgreSQL database a benchmark may compare with (a
# DATABASE_URL; ./dev bench sets it to a throwaway cluster when the server binaries are installed).
POSTGRES_URL = "BENCH_POSTGRES_URL"


@dataclass
class Result:
    group: str
    name: str
    value: float
    unit: str
    budget: str = ""
    ok: bool | None = None  # None: informational, no budget
    note: str = ""


def timed(function, *, repeat: int = 5) -> float:
    """Median wall time of ``repeat`` calls, in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def machine() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                platform.processor(),
            )
    except OSError:
        model = platform.processor()
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            total = next(line for line in handle if line.startswith("MemTotal"))
        memory = f"{int(total.split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "?"
    return (
        f"{os.cpu_count()} CPU ({model}), {memory} RAM, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


@contextmanager
def throwaway_database(prefix: str):
    """A migrated database of the benchmark's own: a temporary SQLite file, or test_<name> on
    PostgreSQL when DATABASE_URL points there; destroyed afterwards."""
    from django.db import connection

    settings = connection.settings_dict
    old_name = settings["NAME"]
    folder = tempfile.TemporaryDirectory(prefix=f"opfoelgning-{prefix}-")
    if connection.vendor == "sqlite":
        settings["TEST"] = {
            **settings.get("TEST", {}),
            "NAME": os.path.join(folder.name, f"{prefix}.sqlite3"),
        }
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        folder.cleanup()


@contextmanager
def on_database(variable: str):
    """The default connection on the database the environment variable ``variable`` names, for the
    block (the code measured writes to the default database); the configured one again after."""
    from django.db import connections

    from config.env import env_database

    configured = connections.settings["default"]
    parsed = env_database(variable, "")
    connections.close_all()
    # Every setting the configured database has (time zone, autocommit ...), the server's own.
    connections.settings["default"] = {
        **configured,
        **parsed,
        # The driver's options are the other database's own (SQLite's timeout means nothing here).
        "OPTIONS": parsed.get("OPTIONS", {}),
        "TEST": {**configured.get("TEST", {}), "NAME": None},
    }
    _forget_default(connections)
    try:
        yield
    finally:
        connections.close_all()
        connections.settings["default"] = configured
        _forget_default(connections)


def _forget_default(connections) -> None:
    """Drop this thread's default connection: the next use opens one from the settings."""
    with contextlib.suppress(AttributeError):  # never opened in this thread
        del connections["default"]
