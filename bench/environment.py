"""Django set-up for one benchmark process, and building (or reusing) a dataset's database."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import subprocess
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR", str(BENCH_DIR / "results")))


def django_setup(sqlite_name: str) -> None:
    """Configure Django for this process; `sqlite_name` is the file under bench/results/
    used when DATABASE_URL does not point at PostgreSQL."""
    (RESULTS / "static").mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_SQLITE_NAME"] = sqlite_name
    # django-appointment attaches a DEBUG stream handler to each of its loggers at import.
    for name in ("appointment", "appointment.settings", "appointment.apps"):
        logging.getLogger(name).disabled = True
    import django

    django.setup()
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("appointment"):
            logging.getLogger(name).disabled = True


def database_file() -> Path | None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    return Path(connection.settings_dict["NAME"])


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _cache_key(size: str) -> str:
    source = (BENCH_DIR / "dataset.py").read_bytes()
    return hashlib.sha256(source + size.encode()).hexdigest()


def build(size: str, *, rebuild: bool = False) -> dict:
    """The dataset for `size` in the current database, generated and loaded unless an
    identical one (same generator source and size) is already there. Returns its sidecar:
    hash, counts, occupancy, the query subjects and how long building took."""
    from bench import dataset as ds

    path = database_file()
    sidecar_path = RESULTS / f"dataset-{size}.json"
    key = _cache_key(size)
    if path is not None and not rebuild and path.exists() and sidecar_path.exists():
        sidecar = json.loads(sidecar_path.read_text())
        if sidecar.get("cache_key") == key:
            migrate()  # a teammate's new migration still applies to a reused file
            sidecar["reused"] = True
            return sidecar
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    migrate()
    migrated = time.perf_counter()
    data = ds.generate(size)
    generated = time.perf_counter()
    from django.db import transaction

    with transaction.atomic():
        counts = ds.load(data)
    loaded = time.perf_counter()
    analyze()
    sidecar = {
        "size": size,
        "sha256": data.sha256,
        "seed": ds.SEED,
        "now": ds.NOW.isoformat(),
        "first_day": data.first_day.isoformat(),
        "last_day": data.last_day.isoformat(),
        "locations": len(data.locations),
        "practitioners": len(data.practitioners),
        "rooms": sum(loc.rooms for loc in data.locations),
        "pens": sum(loc.pens for loc in data.locations),
        "centrifuges": len(data.locations),
        "time_off": len(data.time_off),
        "closures": len(data.closures),
        **data.stats,
        **counts,
        "subjects": data.subjects,
        "seconds": {
            "migrate": round(migrated - started, 2),
            "generate": round(generated - migrated, 2),
            "load": round(loaded - generated, 2),
        },
        "cache_key": key,
        "reused": False,
    }
    if path is not None:
        sidecar_path.write_text(json.dumps(sidecar, indent=2))
    return sidecar


def machine() -> dict:
    """CPU, cores, Python, Django, database and git revision for the report's meta."""
    import django
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "git_revision": git_revision(),
    }


def git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return revision + ("-dirty" if dirty else "")
