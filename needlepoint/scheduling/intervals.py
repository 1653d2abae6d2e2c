"""Half-open integer intervals [start, end) kept as sorted, disjoint tuples.

The availability engine works in whole minutes since the Unix epoch (UTC), so interval
arithmetic is plain integer work: no datetimes, no time zones, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Interval = tuple[int, int]
Intervals = list[Interval]


def normalize(intervals: Iterable[Interval]) -> Intervals:
    """Sort, drop empty ranges and merge overlapping or touching ones."""
    merged: Intervals = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> Intervals:
    """Both inputs normalized; linear merge."""
    out: Intervals = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> Intervals:
    """`a` minus `b`; both normalized."""
    out: Intervals = []
    j = 0
    for start, end in a:
        cursor = start
        while j < len(b) and b[j][1] <= cursor:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                out.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def union(*groups: Iterable[Interval]) -> Intervals:
    return normalize(interval for group in groups for interval in group)


def contains(intervals: Sequence[Interval], point: int) -> bool:
    """Whether `point` lies in one of the normalized `intervals` (binary search)."""
    lo, hi = 0, len(intervals)
    while lo < hi:
        mid = (lo + hi) // 2
        if intervals[mid][1] <= point:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(intervals) and intervals[lo][0] <= point


def starts_fitting(free: Sequence[Interval], offset: int, length: int) -> Intervals:
    """Starts t for which [t + offset, t + offset + length) lies inside one free interval.

    Returned as half-open intervals of starts: a free range [a, b) admits every start from
    a - offset up to b - offset - length inclusive.
    """
    return [
        (a - offset, b - offset - length + 1) for a, b in free if b - a >= length and length > 0
    ]
