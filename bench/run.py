"""Entry point: `python -m bench <command>` (what `make bench` runs).

    run      [--sizes XS M] [--runs 30]  queries for each size, then the SQLite races;
                                         each part in its own process (own database)
    queries  --size M                    one size: build or reuse its dataset, gate, time
    http     [--size M]                  HTTP ceilings: gunicorn + wrk (skipped without wrk)
    races                                the booking races on this process's database:
                                         PostgreSQL when DATABASE_URL is set (make bench
                                         runs it under scripts/with_postgres.py), else a
                                         fresh SQLite file under bench/results/
    report                               merge the parts into bench/results/latest.json
                                         and latest.md, print the summary; exits 1 when a
                                         correctness gate or race check failed

Parts are written as bench/results/part-*.json; `run` clears old ones first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.environment import RESULTS


def _write(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def cmd_run(args: argparse.Namespace) -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    for old in RESULTS.glob("part-*.json"):
        old.unlink()
    env = {**os.environ}
    env.pop("DATABASE_URL", None)  # this step is SQLite; PostgreSQL comes separately
    started = time.perf_counter()
    for size in args.sizes:
        command = [
            sys.executable,
            "-m",
            "bench",
            "queries",
            "--size",
            size,
            "--runs",
            str(args.runs),
        ]
        if args.rebuild:
            command.append("--rebuild")
        print(f"== queries, {size} (SQLite)", flush=True)
        if subprocess.run(command, env=env, check=False).returncode != 0:  # noqa: S603
            print(f"queries for {size} crashed", file=sys.stderr)
            return 2
    if not args.skip_races:
        print("== booking races (SQLite)", flush=True)
        command = [sys.executable, "-m", "bench", "races", "--r2-attempts", str(args.r2_attempts)]
        if subprocess.run(command, env=env, check=False).returncode != 0:  # noqa: S603
            print("SQLite races crashed", file=sys.stderr)
            return 2
    if not args.skip_http:
        size = "M" if "M" in args.sizes else args.sizes[0]
        print(f"== HTTP ceilings ({size} data, gunicorn + wrk)", flush=True)
        command = [sys.executable, "-m", "bench", "http", "--size", size]
        if subprocess.run(command, env=env, check=False).returncode != 0:  # noqa: S603
            print("HTTP ceilings crashed (optional; going on)", file=sys.stderr)
    print(f"== SQLite part done in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from bench.environment import build, django_setup, machine

    django_setup(f"data-{args.size}.sqlite3")
    started = time.perf_counter()
    sidecar = build(args.size, rebuild=args.rebuild)
    built = time.perf_counter() - started
    how = "reused" if sidecar.get("reused") else f"built in {built:.0f} s"
    print(
        f"  dataset {args.size} {sidecar['sha256'][:16]} ({how}): "
        f"{sidecar['active_appointments']} active appointments, occupancy practitioners "
        f"{sidecar['occupancy_practitioners']:.0%} rooms {sidecar['occupancy_rooms']:.0%} "
        f"pens {sidecar['occupancy_pens']:.0%}",
        flush=True,
    )
    from bench import queries

    part = queries.run_size(sidecar, runs=args.runs, q5=args.size == "XL")
    for row in part["queries"]:
        peer = f"{row['peer_ms']:8.2f}" if row["peer_ms"] is not None else "       —"
        print(
            f"  {row['query']:6} engine {row['engine_ms']:7.2f} ms  bound {row['bound_ms']:6.2f}"
            f"  peer {peer}  gate {'ok' if row['slots_equal'] else 'FAILED'}",
            flush=True,
        )
    sweep = part["gate_sweep"]
    print(
        f"  sweep: {sweep['engine_vs_bound_cases']} engine/reference cases, "
        f"{sweep['projection_vs_peer_cases']} projection/peer cases: "
        f"{'ok' if sweep['passed'] else 'FAILED'} ({sweep['seconds']} s)",
        flush=True,
    )
    _write(
        f"part-queries-{args.size}.json",
        {
            "machine": machine(),
            "dataset": {**sidecar, "build_seconds": round(built, 1)},
            **part,
        },
    )
    return 0


def cmd_races(args: argparse.Namespace) -> int:
    from bench.environment import database_file, django_setup, machine, migrate

    sqlite_name = "races.sqlite3"
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{RESULTS / sqlite_name}{suffix}").unlink(missing_ok=True)
    django_setup(sqlite_name)
    from django.db import connection

    migrate()
    if database_file() is None and connection.vendor != "postgresql":
        print(f"races: unsupported database {connection.vendor}", file=sys.stderr)
        return 2
    from bench import races

    started = time.perf_counter()
    rows = races.run_all(connection.vendor, r2_attempts=args.r2_attempts)
    _write(
        f"part-races-{connection.vendor}.json",
        {"machine": machine(), "races": rows, "seconds": round(time.perf_counter() - started, 1)},
    )
    return 0


def cmd_http(args: argparse.Namespace) -> int:
    from bench.environment import django_setup

    sidecar_path = RESULTS / f"dataset-{args.size}.json"
    if not sidecar_path.exists():
        print(f"http: no {args.size} dataset yet; run the queries first", file=sys.stderr)
        return 2
    name = f"data-{args.size}.sqlite3"
    django_setup(name)
    from needlepoint.accounts.models import StaffProfile

    sidecar = json.loads(sidecar_path.read_text())
    subject = StaffProfile.objects.get(user__username=sidecar["subjects"]["q1_q2"])
    from bench import http

    result = http.run(name, str(subject.public_id), seconds=args.seconds)
    if "skipped" in result:
        print(f"  HTTP ceilings skipped: {result['skipped']}", flush=True)
    _write("part-http.json", {"size": args.size, **result})
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from bench.report import report

    return report()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="queries for each size, then the SQLite races")
    run.add_argument("--sizes", nargs="+", default=["XS", "M"], type=str.upper)
    run.add_argument("--runs", type=int, default=30)
    run.add_argument("--rebuild", action="store_true", help="regenerate cached datasets")
    run.add_argument("--skip-races", action="store_true")
    run.add_argument("--skip-http", action="store_true", help="skip the HTTP ceilings")
    run.add_argument("--r2-attempts", type=int, default=40, help="per client (50 clients)")
    queries = sub.add_parser("queries", help="one dataset size")
    queries.add_argument("--size", required=True, type=str.upper, choices=["XS", "M", "XL"])
    queries.add_argument("--runs", type=int, default=30)
    queries.add_argument("--rebuild", action="store_true")
    races = sub.add_parser("races", help="booking races on this process's database")
    races.add_argument("--r2-attempts", type=int, default=40, help="per client (50 clients)")
    http = sub.add_parser("http", help="HTTP ceilings with gunicorn and wrk (optional)")
    http.add_argument("--size", default="M", type=str.upper, choices=["XS", "M", "XL"])
    http.add_argument("--seconds", type=int, default=5)
    sub.add_parser("report", help="merge the parts, write latest.json and latest.md")
    args = parser.parse_args(argv)
    if getattr(args, "sizes", None):
        # `make bench SIZE="XS M"` or SIZE=XS,M
        args.sizes = [s for part in args.sizes for s in part.replace(",", " ").split()]
        unknown = set(args.sizes) - {"XS", "M", "XL"}
        if unknown:
            parser.error(f"unknown size(s): {', '.join(sorted(unknown))}")
    if getattr(args, "runs", 30) < 30:
        print(f"note: {args.runs} timed runs (bench/spec.md asks for at least 30)", flush=True)
    return {
        "run": cmd_run,
        "queries": cmd_queries,
        "races": cmd_races,
        "http": cmd_http,
        "report": cmd_report,
    }[args.command](args)
