"""Merge the benchmark's parts into bench/results/latest.json and latest.md, print the
summary, and decide the exit status: 1 when a correctness gate or a race check failed
(performance targets are reported, never fatal)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import metadata

from bench.environment import RESULTS

ALIGNMENT = [
    "django-appointment runs on the practitioner-only projection: one service per "
    "Needlepoint service, as long as the practitioner's span (e.g. face: 45 min), no "
    "room, no device; Needlepoint's engine_projection runs the same projection, and "
    "peer_over_engine = peer_ms / engine_projection_ms (peer_over_engine_full divides by "
    "the engine on the real multi-resource service).",
    "Slot step 15 min on both (django-appointment: StaffMember.slot_duration = 15, "
    "Config.slot_duration = 15, default_to_service_duration on, no gap, no buffer).",
    "Working hours: django-appointment allows one range per weekday, so each lunch break is "
    "an Unavailability row on its date; hours off are Unavailability rows; vacations and "
    "location closures are DayOff rows; every active practitioner hold is an "
    "AppointmentRequest + Appointment (a PRP visit's draw and treatment are two).",
    "Practitioner hours lie inside opening hours, so Needlepoint's intersection with "
    "opening hours changes nothing the peer cannot express.",
    "The clock is frozen at the benchmark's NOW (2027-03-01 08:00 America/Denver) with "
    "time-machine for the peer and the API; the engine is given the same now.",
    "The lower bound reads static configuration (hours, closures, rooms, units, eligible "
    "practitioners) from arrays built once; only its one range fetch and kernel are timed.",
]


def _load(pattern: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(RESULTS.glob(pattern))]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def targets(rows: list[dict], races: list[dict]) -> list[dict]:
    out = []

    def row(size, query):
        return next((r for r in rows if r["size"] == size and r["query"] == query), None)

    q2 = row("M", "Q2")
    out.append(
        {
            "target": "Q2 at M: engine median <= 20 ms",
            "value": q2["engine_ms"] if q2 else None,
            "met": bool(q2 and q2["engine_ms"] <= 20),
        }
    )
    out.append(
        {
            "target": "Q2 at M: >= 20x faster than django-appointment (same projection)",
            "value": q2["peer_over_engine"] if q2 else None,
            "met": bool(q2 and q2["peer_over_engine"] and q2["peer_over_engine"] >= 20),
            "also": {"peer_over_engine_full": q2["peer_over_engine_full"] if q2 else None},
        }
    )
    for r in rows:
        if r["query"] in ("Q1", "Q2", "Q3_1d", "Q3_7d"):
            out.append(
                {
                    "target": f"{r['size']} {r['query']}: engine/bound <= 5",
                    "value": r["engine_over_bound"],
                    "met": r["engine_over_bound"] <= 5,
                }
            )
    checked = [r for r in races if r["scenario"] in ("R1", "R2", "R3", "W", "CLAIM")]
    out.append(
        {
            "target": "every race: one winner per slot, 0 overlaps, 0 errors (both databases)",
            "value": {f"{r['db']} {r['scenario']}": r["passed"] for r in checked},
            "met": bool(checked) and all(r["passed"] for r in checked),
        }
    )
    pg = {r["scenario"]: r for r in races if r["db"] == "postgresql"}
    title = (
        "PostgreSQL: safe booking writes/s (holds_claim: advisory locks, re-check, exclusion "
        "constraint) >= 0.5 x raw INSERT of the same rows"
    )
    if "CLAIM" in pg and "RAW" in pg:
        ratio = pg["CLAIM"]["bookings_per_s"] / pg["RAW"]["bookings_per_s"]
        out.append(
            {
                "target": title,
                "value": round(ratio, 3),
                "met": ratio >= 0.5,
                "also": {
                    "safe_claims_per_s": pg["CLAIM"]["bookings_per_s"],
                    "raw_transactions_per_s": pg["RAW"]["bookings_per_s"],
                    "full_booking_service_per_s": pg["W"]["bookings_per_s"] if "W" in pg else None,
                },
            }
        )
    else:
        out.append(
            {
                "target": title,
                "value": None,
                "met": False,
                "note": "PostgreSQL races did not run",
            }
        )
    return out


def report() -> int:
    query_parts = _load("part-queries-*.json")
    race_parts = _load("part-races-*.json")
    if not query_parts:
        print("No query results under bench/results/: run `make bench`.")
        return 1
    order = {"XS": 0, "M": 1, "XL": 2}
    query_parts.sort(key=lambda p: order.get(p["dataset"]["size"], 9))
    rows = [r for p in query_parts for r in p["queries"]]
    races = [r for p in race_parts for r in p["races"]]
    machine = query_parts[0]["machine"]
    databases = {"sqlite": machine["database"]}
    for part in race_parts:
        vendor = "postgresql" if "PostgreSQL" in part["machine"]["database"] else "sqlite"
        databases[vendor] = part["machine"]["database"]
    notes = list(ALIGNMENT)
    api_notes = {p["api_note"] for p in query_parts if p.get("api_note")}
    notes += [f"API contender skipped: {n}" for n in sorted(api_notes)]
    if "postgresql" not in databases:
        notes.append("PostgreSQL races did not run (no PostgreSQL found by with_postgres.py).")
    gate = {p["dataset"]["size"]: p["gate_sweep"] for p in query_parts}
    meta = {
        **machine,
        "databases": databases,
        "numpy": _version("numpy"),
        "django_appointment": _version("django-appointment"),
        "dataset_hash": {p["dataset"]["size"]: p["dataset"]["sha256"] for p in query_parts},
        "datasets": {
            p["dataset"]["size"]: {k: v for k, v in p["dataset"].items() if k != "cache_key"}
            for p in query_parts
        },
        "generated_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "runs": rows[0]["runs"] if rows else None,
        "warmups": 3,
        "notes": notes,
    }
    goals = targets(rows, races)
    http_parts = _load("part-http.json")
    http = http_parts[0] if http_parts else {"skipped": "not run"}
    failures = [f"{r['size']} {r['query']}: slots differ" for r in rows if not r["slots_equal"]]
    failures += [f"{size} sweep failed" for size, g in gate.items() if not g["passed"]]
    failures += [f"{r['db']} {r['scenario']} failed" for r in races if not r["passed"]]
    result = {
        "meta": meta,
        "queries": rows,
        "races": races,
        "http": http,
        "gate": {"passed": not failures, "failures": failures, "sweep": gate},
        "targets": goals,
    }
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2, default=str))
    (RESULTS / "latest.md").write_text(markdown(result))
    print(summary(result))
    return 1 if failures else 0


def _f(value, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}{suffix}"
    return f"{value}{suffix}"


def summary(result: dict) -> str:
    lines = ["", "Needlepoint benchmark (ratios are what count; see bench/results/latest.md)"]
    lines.append(
        f"{'size':4} {'query':6} {'engine ms':>9} {'p95':>7} {'bound':>7} {'peer':>8} "
        f"{'api':>7} {'eng/bnd':>7} {'peer/eng':>8} {'SQL':>4}  gate"
    )
    for r in result["queries"]:
        lines.append(
            f"{r['size']:4} {r['query']:6} {r['engine_ms']:9.2f} {r['engine_p95_ms']:7.2f} "
            f"{r['bound_ms']:7.2f} {_f(r['peer_ms']):>8} {_f(r['api_ms']):>7} "
            f"{r['engine_over_bound']:7.2f} {_f(r['peer_over_engine'], 1):>8} "
            f"{r['queries_per_call']:4}  {'ok' if r['slots_equal'] else 'FAILED'}"
        )
    if result["races"]:
        lines.append("")
        lines.append(
            f"{'db':10} {'race':6} {'attempts':>8} {'won':>5} {'overlaps':>8} {'errors':>6} "
            f"{'att/s':>8} {'book/s':>7} {'p50 ms':>8} {'p95 ms':>8}  check"
        )
        for r in result["races"]:
            lines.append(
                f"{r['db']:10} {r['scenario']:6} {r['attempts']:8} {r['winners']:5} "
                f"{r['overlaps']:8} {r['errors']:6} {r['attempts_per_s']:8.1f} "
                f"{_f(r.get('bookings_per_s'), 1):>7} {_f(r['p50_ms']):>8} {_f(r['p95_ms']):>8}  "
                f"{'ok' if r['passed'] else 'FAILED'}"
            )
    http = result.get("http") or {}
    if "endpoints" in http:
        persistent = http.get("endpoints_persistent_connections", {})
        lines.append("")
        lines.append("HTTP req/s (gunicorn + wrk on the same cores), as configured → persistent:")
        lines.append(
            "  "
            + ", ".join(
                f"{name} {row.get('requests_per_s', 0):.0f} → "
                f"{persistent.get(name, {}).get('requests_per_s', 0):.0f}"
                for name, row in http["endpoints"].items()
            )
        )
    lines.append("")
    lines.append("Targets:")
    for t in result["targets"]:
        lines.append(f"  [{'met' if t['met'] else 'MISSED':6}] {t['target']}: {_value(t['value'])}")
    gate = result["gate"]
    lines.append("")
    lines.append(
        "Correctness gate: passed"
        if gate["passed"]
        else "Correctness gate: FAILED: " + "; ".join(gate["failures"])
    )
    return "\n".join(lines)


def _value(value) -> str:
    if isinstance(value, dict):
        bad = [k for k, v in value.items() if not v]
        return "all ok" if not bad else "failed: " + ", ".join(bad)
    return _f(value)


def markdown(result: dict) -> str:
    meta = result["meta"]
    out = ["# Needlepoint benchmark results", ""]
    out.append(
        f"{meta['generated_at']} · git {meta['git_revision']} · {meta['cpu']}, "
        f"{meta['cores']} cores · Python {meta['python']} · Django {meta['django']} · "
        + " · ".join(meta["databases"].values())
        + f" · NumPy {meta['numpy']} · django-appointment {meta['django_appointment']}"
    )
    out.append("")
    out.append("Datasets (one deterministic generator, bench/dataset.py):")
    out.append("")
    out.append(
        "| size | hash | locations | practitioners | rooms | pens | active appointments | "
        "occupancy practitioners / rooms / pens | window |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for size, d in meta["datasets"].items():
        out.append(
            f"| {size} | `{d['sha256'][:16]}` | {d['locations']} | {d['practitioners']} | "
            f"{d['rooms']} | {d['pens']} | {d['active_appointments']} | "
            f"{d['occupancy_practitioners']:.0%} / {d['occupancy_rooms']:.0%} / "
            f"{d['occupancy_pens']:.0%} | {d['first_day']} – {d['last_day']} |"
        )
    out += ["", "## Availability queries", ""]
    out.append(
        f"Median of {meta['runs']} runs after {meta['warmups']} warm-ups, contenders interleaved; "
        "ms. `peer/eng` divides django-appointment by the engine on the same practitioner-only "
        "projection; `SQL` is statements per engine call."
    )
    out.append("")
    out.append(
        "| size | query | engine | p95 | engine (projection) | API | bound | django-appointment "
        "| engine/bound | peer/eng | SQL (engine/API/peer) | slots | gate |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in result["queries"]:
        q = r["queries_per_call_by_contender"]
        out.append(
            f"| {r['size']} | {r['query']} {r['title']} | {r['engine_ms']:.2f} | "
            f"{r['engine_p95_ms']:.2f} | {_f(r['engine_projection_ms'])} | {_f(r['api_ms'])} | "
            f"{r['bound_ms']:.2f} | {_f(r['peer_ms'])} | {r['engine_over_bound']:.2f} | "
            f"{_f(r['peer_over_engine'], 1)} | {q.get('engine')}/{q.get('api', '—')}/"
            f"{q.get('peer', '—')} | {_f(r['engine_slots'])} | "
            f"{'ok' if r['slots_equal'] else '**FAILED**'} |"
        )
    stepwise = [r for r in result["queries"] if r.get("engine_stepwise_ms")]
    if stepwise:
        out.append("")
        out.append(
            "Q4 through the selector in growing windows (1, 7, 30, 90 days): "
            + ", ".join(f"{r['size']} {r['engine_stepwise_ms']:.2f} ms" for r in stepwise)
            + "."
        )
    out += ["", "## Correctness gate", ""]
    gate = result["gate"]
    out.append("**passed**" if gate["passed"] else "**FAILED**: " + "; ".join(gate["failures"]))
    out.append("")
    for size, s in gate["sweep"].items():
        out.append(
            f"- {size}, {s['window'][0]} – {s['window'][1]} (spring forward inside): engine vs "
            f"reference {s['engine_vs_bound_cases']} cases / {s['engine_vs_bound_slots']} slots, "
            f"{s['engine_vs_bound_mismatches']} mismatches, {s['assignment_failures']} "
            f"assignment failures; projection vs django-appointment "
            f"{s['projection_vs_peer_cases']} cases / {s['projection_vs_peer_slots']} slots, "
            f"{s['projection_vs_peer_mismatches']} mismatches."
        )
    if result["races"]:
        out += ["", "## Booking races", ""]
        out.append(
            "| db | scenario | clients | attempts | winners | overlaps | over-capacity bins | "
            "errors | attempts/s | bookings/s | p50 | p95 | p99 | retries | outcomes | check |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in result["races"]:
            outcomes = ", ".join(f"{k} {v}" for k, v in (r.get("outcomes") or {}).items())
            out.append(
                f"| {r['db']} | {r['scenario']} | {r['clients']} | {r['attempts']} | "
                f"{r['winners']} | {r['overlaps']} | {_f(r.get('over_capacity_bins'))} | "
                f"{r['errors']} | {r['attempts_per_s']:.1f} | {_f(r.get('bookings_per_s'), 1)} | "
                f"{_f(r['p50_ms'])} | {_f(r['p95_ms'])} | {_f(r.get('p99_ms'))} | "
                f"{_f(r.get('retries'))} | {outcomes} | "
                f"{'ok' if r['passed'] else '**FAILED**'} |"
            )
    http = result.get("http") or {}
    out += ["", "## HTTP ceilings", ""]
    if "endpoints" in http:
        out.append(f"{http['server']}; {http['load']}; data {http['database']}.")
        out.append(
            "As configured (SQLite: CONN_MAX_AGE 0, a new connection per request) and with "
            "persistent connections (CONN_MAX_AGE 600). Compare rows with each other only."
        )
        out.append("")
        out.append(
            "| endpoint | req/s | p50 ms | p99 ms | non-2xx | of constant | req/s persistent | "
            "p50 ms persistent | of constant, persistent |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|")
        persistent = http.get("endpoints_persistent_connections", {})
        for name, row in http["endpoints"].items():
            other = persistent.get(name, {})
            out.append(
                f"| {name} `{row['path'].split('?')[0]}` | {_f(row.get('requests_per_s'), 1)} | "
                f"{_f(row.get('p50_ms'))} | {_f(row.get('p99_ms'))} | {row.get('non_2xx')} | "
                f"{_f(row.get('fraction_of_constant'), 3)} | "
                f"{_f(other.get('requests_per_s'), 1)} | {_f(other.get('p50_ms'))} | "
                f"{_f(other.get('fraction_of_constant'), 3)} |"
            )
    else:
        out.append(f"Skipped: {http.get('skipped', 'not run')}.")
    out += ["", "## Targets", ""]
    for t in result["targets"]:
        out.append(f"- {'met' if t['met'] else '**missed**'}: {t['target']} ({_value(t['value'])})")
    out += ["", "## Notes", ""]
    out += [f"- {n}" for n in meta["notes"]]
    return "\n".join(out) + "\n"
