#!/usr/bin/env python
"""Overhead of the LGSP gateway over a direct call, at a paced rate (200 req/s).

Usage (from the repository root)::

    uv run python bench/lgsp_gateway.py [--rate 200] [--seconds 5] [--warmup 100]

Without ``DATABASE_URL`` the platform runs on a SQLite file in a temporary
directory (migrated first); with a PostgreSQL one, on its own database
``egov_bench_lgsp`` on that server::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/lgsp_gateway.py

One thread sends
requests through Django's test client (in this process, no network) on an
open-loop schedule of ``--rate`` requests per second: a request that starts late
counts its wait, so a gateway slower than the pace shows in the figures. Each
pair is measured the same way:

- the population-database simulator: direct ``GET /lgsp/mo-phong/dan-cu/v1/cong-dan/{cccd}``
  with its API key, against ``GET /lgsp/r1/…/CITIZEN-LOOKUP/v1/{cccd}``;
- a shared category (Python provider), against calling its reader directly is not
  an HTTP call, so only the gateway figure is printed.

The gateway does per call: token signature check (ES256), registry lookups,
access right, the cache counters (one ``get_many`` and one step per limit), the
provider call (in-process, a nested WSGI request), one chained log row (on
PostgreSQL one ``UPDATE … RETURNING``/``INSERT`` statement, one commit), metrics.
The database statements of one call of each kind are counted and printed first
(round trips do not depend on the machine's load; times do).
Prints p50/p90/p99 in ms and the overhead (gateway − direct) at p50 and p99,
then checks that every gateway call was logged and the chain verifies. Speed is
never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def _setup_django() -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_DEMO", "1")
    os.environ.setdefault("EGOV_LOG_LEVEL", "ERROR")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        sys.path.insert(0, str(REPO_ROOT / "bench"))
        from _common import prepare_postgres

        os.environ["DATABASE_URL"] = prepare_postgres(url, "egov_bench_lgsp")
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="lgsp-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("EGOV_VAR_DIR", folder)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def _paced(send: Callable[[], Any], *, rate: float, count: int) -> tuple[list[float], float]:
    """Latencies (ms, from the scheduled start) of ``count`` calls at ``rate``/s."""
    interval = 1.0 / rate
    latencies: list[float] = []
    started = time.perf_counter()
    for index in range(count):
        scheduled = started + index * interval
        now = time.perf_counter()
        if now < scheduled:
            time.sleep(scheduled - now)
        response = send()
        if response.status_code != 200:
            raise SystemExit(
                f"unexpected answer {response.status_code}: {response.content[:300]!r}"
            )
        latencies.append((time.perf_counter() - scheduled) * 1000)
    elapsed = time.perf_counter() - started
    return latencies, count / elapsed


def _pooled(
    send: Callable[[], Any], *, rate: float, count: int, workers: int
) -> tuple[list[float], float]:
    """Open loop: ``count`` calls scheduled at ``rate``/s and handed to ``workers``
    threads (as a threaded server would); latency from the scheduled start, so time
    waiting for a free worker counts."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run(scheduled: float) -> tuple[int, float]:
        try:
            status = send().status_code
            return status, (time.perf_counter() - scheduled) * 1000
        finally:
            connection.close_if_unusable_or_obsolete()

    interval = 1.0 / rate
    with ThreadPoolExecutor(max_workers=workers) as pool:
        started = time.perf_counter()
        futures = []
        for index in range(count):
            scheduled = started + index * interval
            now = time.perf_counter()
            if now < scheduled:
                time.sleep(scheduled - now)
            futures.append(pool.submit(run, scheduled))
        results = [future.result() for future in futures]
        elapsed = time.perf_counter() - started
    bad = [status for status, _ms in results if status != 200]
    if bad:
        raise SystemExit(f"unexpected answers: {sorted(set(bad))}")
    return [ms for _status, ms in results], count / elapsed


def _closed(send: Callable[[], Any], *, count: int) -> tuple[list[float], float]:
    """Service time (ms) of ``count`` calls sent back to back (no pacing)."""
    latencies: list[float] = []
    started = time.perf_counter()
    cpu = time.process_time()
    for _ in range(count):
        begun = time.perf_counter()
        response = send()
        if response.status_code != 200:
            raise SystemExit(f"unexpected answer {response.status_code}")
        latencies.append((time.perf_counter() - begun) * 1000)
    used = (time.process_time() - cpu) * 1000 / count
    print(f"    (CPU time of this process: {used:.2f} ms per call, whatever the machine's load)")
    return latencies, count / (time.perf_counter() - started)


def _line(name: str, latencies: list[float], achieved: float) -> dict[str, float]:
    figures = {
        "p50": _percentile(latencies, 0.50),
        "p90": _percentile(latencies, 0.90),
        "p99": _percentile(latencies, 0.99),
        "mean": statistics.fmean(latencies),
    }
    print(
        f"  {name:<44} {achieved:7.1f} req/s   p50 {figures['p50']:7.2f} ms   "
        f"p90 {figures['p90']:7.2f} ms   p99 {figures['p99']:7.2f} ms"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured calls first")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="seconds a database connection is kept between requests (the platform's "
        "default, 0, opens one per request: what a server without a pool pays)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=8,
        help="threads of the open-loop run (0: skip it); the message log's group commit "
        "writes the rows of calls that finish together in one transaction",
    )
    args = parser.parse_args(argv)
    _setup_django()

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from joserfc.jwk import ECKey

    from egov.lgsp import messagelog, services
    from egov.lgsp.auth import make_token
    from egov.lgsp.models import MessageLogEntry
    from egov.lgsp.population import CITIZENS
    from egov.lgsp.registry import ensure_platform_services

    settings.DATABASES["default"]["CONN_MAX_AGE"] = args.conn_max_age
    connection.settings_dict["CONN_MAX_AGE"] = args.conn_max_age
    settings.EGOV_SIMULATORS = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EGOV_LGSP_POPULATION_URL = "http://testserver/lgsp/mo-phong/dan-cu"
    settings.EGOV_LGSP_POPULATION_API_KEY = settings.EGOV_LGSP_POPULATION_API_KEY or "bench-key"
    made = ensure_platform_services()
    provider = made["CITIZEN-LOOKUP"].provider
    provider.target = settings.EGOV_LGSP_POPULATION_URL
    provider.transport = "inprocess"
    provider.save()
    member = services.ensure_member(
        None, instance="VN", member_class="GOV", member_code="000.00.05.H33", name="Sở Tư pháp"
    )
    subsystem = services.ensure_subsystem(None, member, "bench")
    key = ECKey.generate_key("P-256", private=True)
    consumer = services.register_consumer(None, subsystem, key.as_dict(private=False))
    for code in ("CITIZEN-LOOKUP", "CATEGORY-DOSSIER-STATUSES"):
        services.grant(None, consumer, made[code], rate_per_minute=0)
    cache.clear()

    clients = threading.local()

    def client() -> Any:  # one test client per thread (a pool's workers share none)
        made = getattr(clients, "client", None)
        if made is None:
            made = clients.client = Client()
        return made

    ident = consumer.identifier
    token = make_token(key, ident, lifetime=300)
    cccd = next(iter(CITIZENS))
    province = "VN/GOV/000.00.00.H33/lgsp"
    api_key = str(settings.EGOV_LGSP_POPULATION_API_KEY)
    gateway_headers = {"HTTP_X_ROAD_CLIENT": ident, "HTTP_AUTHORIZATION": f"Bearer {token}"}

    def direct() -> Any:
        return client().get(f"/lgsp/mo-phong/dan-cu/v1/cong-dan/{cccd}", HTTP_X_API_KEY=api_key)

    def through_gateway() -> Any:
        return client().get(f"/lgsp/r1/{province}/CITIZEN-LOOKUP/v1/{cccd}", **gateway_headers)

    def category() -> Any:
        return client().get(f"/lgsp/r1/{province}/CATEGORY-DOSSIER-STATUSES/v1", **gateway_headers)

    count = max(1, int(args.rate * args.seconds))
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"LGSP gateway overhead — {count} calls each at {args.rate:.0f} req/s, one thread, "
        f"in-process, database {database} (CONN_MAX_AGE={args.conn_max_age}), "
        f"Python {sys.version.split()[0]}"
    )
    for send in (direct, through_gateway, category):
        for _ in range(args.warmup):
            send()
    from django.test.utils import CaptureQueriesContext

    for name, send in (("direct", direct), ("gateway CITIZEN-LOOKUP", through_gateway)):
        with CaptureQueriesContext(connection) as queries:
            for _ in range(50):
                send()
        # The registry's per-process cache is read again every 10 s: an average.
        print(
            f"  database statements per call, {name}: "
            f"{len(queries.captured_queries) / 50:.2f} (50 calls)"
        )
    before = MessageLogEntry.objects.count()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average now: {load} on {os.cpu_count()} CPUs")
    print(f"service time, calls back to back ({count} each):")
    direct_closed = _line("direct: population simulator", *_closed(direct, count=count))
    gateway_closed = _line(
        "gateway: CITIZEN-LOOKUP → population simulator", *_closed(through_gateway, count=count)
    )
    _line("gateway: CATEGORY-DOSSIER-STATUSES (Python)", *_closed(category, count=count))
    print(
        f"  overhead of the gateway over the direct call: p50 "
        f"{gateway_closed['p50'] - direct_closed['p50']:+.2f} ms, p99 "
        f"{gateway_closed['p99'] - direct_closed['p99']:+.2f} ms"
    )
    print(f"paced at {args.rate:.0f} req/s (latency from the scheduled start):")
    direct_figures = _line(
        "direct: population simulator", *_paced(direct, rate=args.rate, count=count)
    )
    gateway_figures = _line(
        "gateway: CITIZEN-LOOKUP → population simulator",
        *_paced(through_gateway, rate=args.rate, count=count),
    )
    _line(
        "gateway: CATEGORY-DOSSIER-STATUSES (Python)",
        *_paced(category, rate=args.rate, count=count),
    )
    print(
        f"  overhead of the gateway over the direct call: p50 "
        f"{gateway_figures['p50'] - direct_figures['p50']:+.2f} ms, p99 "
        f"{gateway_figures['p99'] - direct_figures['p99']:+.2f} ms"
    )

    if args.workers > 0:
        print(
            f"open loop at {args.rate:.0f} req/s, {args.workers} worker threads "
            "(latency from the scheduled start, waiting for a worker included):"
        )
        pooled_direct = _line(
            "direct: population simulator",
            *_pooled(direct, rate=args.rate, count=count, workers=args.workers),
        )
        pooled_gateway = _line(
            "gateway: CITIZEN-LOOKUP → population simulator",
            *_pooled(through_gateway, rate=args.rate, count=count, workers=args.workers),
        )
        print(
            f"  overhead of the gateway over the direct call: p50 "
            f"{pooled_gateway['p50'] - pooled_direct['p50']:+.2f} ms, p99 "
            f"{pooled_gateway['p99'] - pooled_direct['p99']:+.2f} ms"
        )
        print(f"most calls a second, {args.workers} threads, no pacing:")
        _line(
            "gateway: CITIZEN-LOOKUP → population simulator",
            *_pooled(through_gateway, rate=1e9, count=count, workers=args.workers),
        )

    logged = MessageLogEntry.objects.count() - before
    started = time.perf_counter()
    result = messagelog.verify()
    took = time.perf_counter() - started
    print(
        f"  message log: {logged} rows written during the runs; chain of {result.checked} rows "
        f"verified in {took:.2f} s ({result.checked / took:,.0f} rows/s): "
        f"{'intact' if result.ok else 'BROKEN'}"
    )
    # closed and paced: both gateway kinds; open loop: the lookup, paced and unpaced
    expected = 4 * count + (2 * count if args.workers > 0 else 0)
    if logged != expected or not result.ok:
        print("CHECK FAILED: every gateway call must be logged and the chain must verify")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
