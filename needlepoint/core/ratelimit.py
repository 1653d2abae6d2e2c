"""Fixed-window counting per client address in the shared cache: the public API's rate
limit and the booking wizard's use the same counter."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

from needlepoint.core.actor import client_address


def client_key(request: HttpRequest) -> str:
    """The client address, hashed: counters never hold an address in the clear."""
    address = client_address(request) or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def count_within(prefix: str, limit: int, seconds: int) -> bool:
    """Count one more event in the current fixed window; whether it is within `limit`."""
    key = f"{prefix}:{int(time.time() // seconds)}"
    if cache.add(key, 1, timeout=seconds + 5):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 5)
        count = 1
    return count <= limit


def seconds_left(seconds: int) -> int:
    """Whole seconds until the current window ends (for Retry-After)."""
    return int(seconds - time.time() % seconds) + 1
