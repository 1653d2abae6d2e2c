"""Settings for the benchmark: Needlepoint's own settings plus django-appointment.

The benchmark runs production-like (DEBUG off, the real task queue), with its own SQLite
file under bench/results/ (never var/) or PostgreSQL when DATABASE_URL is set. Differences
from a deployment, each on purpose:

* django-appointment (the peer) is installed, with migrations generated into
  `bench/migrations` because it ships none, and a one-row `Config`;
* an in-process cache, so neither contender pays for the database cache (django-appointment
  reads its Config through the cache on every call; the API's rate limit uses it too);
* the public API's rate limit is lifted, or 30 timed runs would be refused with 429;
* emails stay in memory (bookings made by the race scenarios queue confirmations);
* two extra URLs, /bench/constant and /bench/one-query, for the HTTP ceilings.
"""

from __future__ import annotations

import os
from pathlib import Path

# Needlepoint refuses to start without these outside DEBUG; the benchmark serves nobody.
os.environ.setdefault("SECRET_KEY", "bench-only-key-never-used-to-sign-anything-real")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["NEEDLEPOINT_TESTING"] = "0"

from needlepoint.settings import *  # noqa: F403
from needlepoint.settings import BASE_DIR, DATABASES, INSTALLED_APPS

RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", str(BASE_DIR / "bench" / "results")))

INSTALLED_APPS = [*INSTALLED_APPS, "phonenumber_field", "appointment"]
MIGRATION_MODULES = {"appointment": "bench.migrations"}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = str(
        RESULTS_DIR / os.environ.get("BENCH_SQLITE_NAME", "bench.sqlite3")
    )
else:
    # Each racing client holds its own connection; do not keep them past a request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if os.environ.get("BENCH_CONN_MAX_AGE"):  # the HTTP ceilings' "persistent" variant only
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_CONN_MAX_AGE"])

STATIC_ROOT = RESULTS_DIR / "static"  # whitenoise warns when it is missing; nothing is served
ROOT_URLCONF = "bench.urls"  # Needlepoint's URLs plus the HTTP-ceiling views
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
NEEDLEPOINT_API_PUBLIC_RATE = (10**9, 60)

# django-appointment: its defaults, made explicit. Slot step and durations are set per
# staff member and in its Config row by bench/dataset.py.
APPOINTMENT_WEBSITE_NAME = "Needlepoint benchmark"
APPOINTMENT_SLOT_DURATION = 15
APPOINTMENT_BUFFER_TIME = 0
APPOINTMENT_LEAD_TIME = (8, 0)
APPOINTMENT_FINISH_TIME = (19, 0)
