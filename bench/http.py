"""HTTP ceilings (optional in bench/spec.md): gunicorn serving Needlepoint with the benchmark's
settings, loaded with `wrk` (Debian package), on one dataset's database.

Endpoints, all through the same middleware and server:
* /bench/constant: constant JSON, no database (the ceiling of any request);
* /bench/one-query: one indexed query;
* /api/v1/availability for Q1 (one practitioner, one day) and Q2 (30 days).

Gunicorn and wrk share the machine's cores, so the figures are relative: what the
availability endpoints achieve as a fraction of the two ceilings.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

from bench.dataset import FIRST_QUERY_DAY

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        return float("nan")
    return round(float(match.group(1)) * UNITS[match.group(2)], 3)


def parse_wrk(output: str) -> dict:
    result: dict[str, object] = {}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["requests_per_s"] = float(match.group(1))
    for pct in ("50", "90", "99"):
        if match := re.search(rf"^\s+{pct}%\s+(\S+)", output, re.MULTILINE):
            result[f"p{pct}_ms"] = _ms(match.group(1))
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(match.group(1)) if match else 0
    if match := re.search(r"(\d+) requests in", output):
        result["requests"] = int(match.group(1))
    return result


def _wait(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- localhost
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url}")


def run(sqlite_name: str, subject_public_id: str, *, seconds: int = 5, connections: int = 8):
    """Every endpoint twice: with the database settings as Needlepoint configures them
    (SQLite: CONN_MAX_AGE 0, a new connection per request) and with persistent connections."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"skipped": "wrk is not installed (Debian: apt-get install wrk)"}
    result = {}
    for variant, conn_max_age in (("as_configured", None), ("persistent_connections", 600)):
        print(f"  server: {variant.replace('_', ' ')}", flush=True)
        result[variant] = _serve_and_load(
            wrk, sqlite_name, subject_public_id, seconds, connections, conn_max_age
        )
    workers = max(1, os.cpu_count() or 1)
    return {
        "server": f"gunicorn, {workers} sync workers",
        "load": f"wrk -t1 -c{connections} -d{seconds}s, on the same {os.cpu_count()} cores",
        "database": sqlite_name,
        "endpoints": result["as_configured"],
        "endpoints_persistent_connections": result["persistent_connections"],
    }


def _serve_and_load(wrk, sqlite_name, subject_public_id, seconds, connections, conn_max_age):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_SQLITE_NAME": sqlite_name,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    env.pop("DATABASE_URL", None)
    if conn_max_age is not None:
        env["BENCH_CONN_MAX_AGE"] = str(conn_max_age)
    workers = max(1, os.cpu_count() or 1)
    server = subprocess.Popen(  # noqa: S603 -- fixed argv
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    day = FIRST_QUERY_DAY
    availability = "/api/v1/availability?location=bench-1&service=face&practitioner="
    endpoints = {
        "constant_json": "/bench/constant",
        "one_query": "/bench/one-query",
        "availability_q1": f"{availability}{subject_public_id}&start={day}&end={day}",
        "availability_q2": (
            f"{availability}{subject_public_id}&start={day}&end={day + timedelta(days=29)}"
        ),
    }
    rows = {}
    try:
        _wait(base + endpoints["constant_json"])
        for name, path in endpoints.items():
            _wait(base + path)  # and warm every worker's caches a little
            completed = subprocess.run(  # noqa: S603 -- fixed argv
                [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", base + path],
                capture_output=True,
                text=True,
                check=False,
            )
            rows[name] = {"path": path, **parse_wrk(completed.stdout)}
            print(
                f"  http {name:16} {rows[name].get('requests_per_s', 0):8.1f} req/s  "
                f"p50 {rows[name].get('p50_ms')} ms  p99 {rows[name].get('p99_ms')} ms",
                flush=True,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    ceiling = rows.get("constant_json", {}).get("requests_per_s")
    for row in rows.values():
        if ceiling and row.get("requests_per_s"):
            row["fraction_of_constant"] = round(row["requests_per_s"] / ceiling, 3)
    return rows
