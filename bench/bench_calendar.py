#!/usr/bin/env python
"""Benchmark of working-day computations (single process, single thread).

Usage (from the repository root)::

    uv run python bench/bench_calendar.py [--seconds 1.0] [--seed 2027]

Without ``DATABASE_URL`` the script uses an in-memory SQLite database and migrates
it (the calendar reads its overrides from there once per cache period); with one,
it only reads the override table. It prints operations per second for each kind
of computation over random starts in 2026-2028, and asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def _setup_django() -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    in_memory = "DATABASE_URL" not in os.environ
    if in_memory:
        os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    if in_memory:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def _measure(name: str, seconds: float, func: Callable[[int], Any], batch: int = 200) -> None:
    """Call ``func(i)`` in batches until ``seconds`` have passed; print the rate."""
    calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for i in range(calls, calls + batch):
            func(i)
        calls += batch
        now = time.perf_counter()
        if now >= deadline:
            break
    elapsed = now - started
    rate = calls / elapsed
    print(f"  {name:<52} {rate:>12,.0f} /s   {1e6 / rate:>8.2f} µs/op   ({calls:,} calls)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--samples", type=int, default=10_000, help="random inputs prepared")
    args = parser.parse_args(argv)
    _setup_django()

    from django.conf import settings
    from django.test import Client

    from egov.core import workcalendar
    from egov.core.workcalendar import build_calendar, get_calendar, vietnam_public_holidays

    rng = random.Random(args.seed)
    tz = workcalendar.ZoneInfo(settings.TIME_ZONE)
    first = datetime(2026, 1, 1, tzinfo=tz)
    span = int((datetime(2028, 12, 31, tzinfo=tz) - first).total_seconds())
    starts = [first + timedelta(seconds=rng.randrange(span)) for _ in range(args.samples)]
    ends = [first + timedelta(seconds=rng.randrange(span)) for _ in range(args.samples)]
    small_n = [rng.randint(1, 30) for _ in range(args.samples)]
    large_n = [rng.randint(1, workcalendar.MAX_WORKING_DAYS) for _ in range(args.samples)]
    hours = [rng.uniform(0.25, 200) for _ in range(args.samples)]
    size = args.samples

    print("Cold start (once per process)")
    vietnam_public_holidays.cache_clear()
    began = time.perf_counter()
    for year in (2026, 2027, 2028):
        vietnam_public_holidays(year)
    print(f"  holidays.VN for 2026-2028: {(time.perf_counter() - began) * 1e3:.1f} ms")
    calendar = build_calendar({})
    began = time.perf_counter()
    for year in (2026, 2027, 2028):
        calendar.is_working_day(datetime(year, 6, 1).date())
    print(f"  working-day tables for 2026-2028: {(time.perf_counter() - began) * 1e3:.1f} ms")
    began = time.perf_counter()
    get_calendar()
    print(f"  first get_calendar() (loads overrides): {(time.perf_counter() - began) * 1e3:.1f} ms")
    calendar.add_working_days(starts[0], workcalendar.MAX_WORKING_DAYS)  # warm far years

    print(f"\nWarm computations ({args.seconds:.1f} s each, {size:,} random inputs)")
    _measure(
        "add_working_days(start, 1..30)",
        args.seconds,
        lambda i: calendar.add_working_days(starts[i % size], small_n[i % size]),
    )
    _measure(
        "add_working_days(start, 1..3650)",
        args.seconds,
        lambda i: calendar.add_working_days(starts[i % size], large_n[i % size]),
    )
    _measure(
        "add_working_hours(start, 0.25..200 h)",
        args.seconds,
        lambda i: calendar.add_working_hours(starts[i % size], hours[i % size]),
    )
    _measure(
        "working_time_between(a, b), a and b in 2026-2028",
        args.seconds,
        lambda i: calendar.working_time_between(starts[i % size], ends[i % size]),
    )
    _measure(
        "is_working_day(date)",
        args.seconds,
        lambda i: calendar.is_working_day(starts[i % size].date()),
    )
    _measure(
        "get_calendar().add_working_days(start, 1..30)",
        args.seconds,
        lambda i: get_calendar().add_working_days(starts[i % size], small_n[i % size]),
    )

    def due_with_skipped(i: int) -> None:
        start = starts[i % size]
        due = calendar.add_working_days(start, small_n[i % size])
        calendar.skipped_days(start, due)

    _measure("add_working_days + skipped_days (1..30)", args.seconds, due_with_skipped)

    client = Client(HTTP_HOST="localhost")

    def api_call(i: int) -> None:
        response = client.get(
            "/api/v1/calendar/due",
            {"start": starts[i % size].isoformat(), "working_days": small_n[i % size]},
        )
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code}: {response.content[:300]!r}")

    api_call(0)  # first request: URL resolution, imports
    print("\nThrough the API (Django test client, whole middleware stack)")
    _measure("GET /api/v1/calendar/due", args.seconds, api_call, batch=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
