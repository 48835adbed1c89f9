#!/usr/bin/env python
"""Benchmark of the public lookup by dossier code under concurrent load.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench_large \\
        uv run python bench/bench_lookup.py [--threads 16] [--seconds 20] [--page]

``DATABASE_URL`` names the database to read, as is: typically the one filled by
``bench/generate_dossiers.py`` (``egov_bench_large``, ≥ 1,000,000 dossiers). The
script only reads it: it samples existing codes (``--sample``, default 20,000;
``TABLESAMPLE`` on large tables, so the sample spans the whole table), then

1. starts the platform in a **separate process**: by default gunicorn, as in
   production (``--server-workers`` processes × ``--server-threads`` threads,
   gthread workers so HTTP/1.1 keep-alive works), or with ``--server django``
   Django's own threaded development server (one process, one core under the
   GIL; the figure of the previous issue-3 note);
2. runs the load generator in this process: ``--threads`` threads, each with its
   own keep-alive ``http.client`` connection, issuing ``GET
   /api/v1/public/dossiers/<random sampled code>`` (or the HTML page
   ``/tra-cuu/?ma=<code>`` with ``--page``) for ``--seconds`` after a
   ``--warmup``; then prints requests per second and p50/p95/p99 latency.

The server process raises the lookup rate limits (every request comes from
127.0.0.1) by setting ``EGOV_LOOKUP_LIMIT`` and ``EGOV_LOOKUP_UNKNOWN_LIMIT`` to
a billion. Every answer must be 200 with the code asked for; otherwise the script
exits 1. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from _common import gunicorn_command

REPO_ROOT = Path(__file__).resolve().parent.parent

HOST = "127.0.0.1"


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--threads", type=int, default=16, help="Concurrent client threads.")
    parser.add_argument("--seconds", type=float, default=20.0, help="Measured duration.")
    parser.add_argument("--warmup", type=float, default=3.0, help="Unmeasured warm-up (s).")
    parser.add_argument("--sample", type=int, default=20_000, help="Codes to sample.")
    parser.add_argument("--port", type=int, default=8765, help="Port of the server process.")
    parser.add_argument("--page", action="store_true", help="Load the HTML page, not the API.")
    parser.add_argument("--seed", type=int, default=176)
    parser.add_argument(
        "--server",
        choices=("django", "gunicorn"),
        default="gunicorn",
        help="The server process: gunicorn (as in production: worker processes, each "
        "with threads) or Django's threaded development server.",
    )
    parser.add_argument(
        "--server-workers",
        type=int,
        default=3,
        help="gunicorn worker processes (each with --server-threads threads).",
    )
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument(
        "--cache",
        choices=("redis", "file"),
        default="redis",
        help="Where the gunicorn workers share the rate-limit counters (production: redis).",
    )
    parser.add_argument(
        "--no-ceiling",
        action="store_true",
        help="Skip the framework ceiling (a plain Django view of constant JSON, same flags).",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the server process ------------------------------------------------------------------


def serve(port: int) -> None:
    """Run the platform on 127.0.0.1:``port`` until killed (``--serve`` mode)."""
    import logging

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    # All the load comes from one address: lift the guessing limits for this process.
    settings.EGOV_LOOKUP_LIMIT = 10**9
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 10**9
    settings.ALLOWED_HOSTS = [HOST, "localhost"]
    application = get_wsgi_application()  # configures logging again: quieten after it
    # One log line per request would cost more than some lookups.
    logging.getLogger("django.server").setLevel(logging.WARNING)
    WSGIServer.request_queue_size = 128
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle's
    # algorithm meets the client's delayed ACK and every keep-alive answer waits ~40 ms.
    WSGIRequestHandler.disable_nagle_algorithm = True
    run(HOST, port, application, ipv6=False, threading=True)


def start_server(
    url: str, port: int, args: argparse.Namespace, *, ceiling: bool = False
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "EGOV_DEBUG": "false"}
    if ceiling:
        command = gunicorn_command(
            HOST,
            port,
            workers=args.server_workers,
            threads=args.server_threads,
            app="bench.ceiling_app:application",
        )
    elif args.server == "gunicorn":
        # All the load comes from one address: lift the guessing limits.
        env |= {
            "EGOV_LOOKUP_LIMIT": str(10**9),
            "EGOV_LOOKUP_UNKNOWN_LIMIT": str(10**9),
            "EGOV_ALLOWED_HOSTS": f"{HOST},localhost",
            "EGOV_LOG_LEVEL": "WARNING",
            # The rate-limit counters are shared by the worker processes, as they
            # must be in production.
            "EGOV_CACHE": args.cache,
        }
        if args.cache == "redis":
            env.setdefault("EGOV_REDIS_URL", "redis://127.0.0.1:6379/0")
        command = gunicorn_command(
            HOST, port, workers=args.server_workers, threads=args.server_threads
        )
    else:
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server process exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("server did not answer /healthz within 60 s")


# --- codes -------------------------------------------------------------------------------


def sample_codes(url: str, wanted: int, seed: int) -> tuple[list[str], int]:
    """Up to ``wanted`` existing codes spread over the table, and the table's row
    estimate. ``TABLESAMPLE SYSTEM`` reads random pages, so a million-row table is
    sampled without a sort of every row."""
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'dossiers_dossier'"
        ).fetchone()
        estimate = int(row[0]) if row and row[0] and row[0] > 0 else 0
        if estimate < 200_000:
            estimate = int(
                connection.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0]  # type: ignore[index]
            )
            rows = connection.execute(
                "SELECT code FROM dossiers_dossier ORDER BY random() LIMIT %s", [wanted]
            ).fetchall()
        else:
            percent = min(100.0, 100.0 * wanted * 3 / estimate)
            connection.execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0)])
            rows = connection.execute(
                "SELECT code FROM dossiers_dossier TABLESAMPLE SYSTEM (%s) LIMIT %s",
                [percent, wanted],
            ).fetchall()
    codes = [code for (code,) in rows]
    random.Random(seed).shuffle(codes)
    return codes, estimate


# --- the load generator ------------------------------------------------------------------


@dataclass
class WorkerResult:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0


def _path(code: str, page: bool) -> str:
    if page:
        return "/tra-cuu/?" + urlencode({"ma": code})
    return "/api/v1/public/dossiers/" + quote(code, safe="")


def _check(code: str, status: int, body: bytes, page: bool) -> str | None:
    if status != 200:
        return f"{code}: HTTP {status}"
    if page:
        return None if code.encode() in body else f"{code}: code not on the page"
    if json.loads(body).get("code") != code:
        return f"{code}: another dossier answered"
    return None


def _connect(port: int) -> http.client.HTTPConnection:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.connect()
    assert connection.sock is not None
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def worker(
    port: int,
    codes: list[str],
    seed: int,
    start_at: float,
    stop_at: float,
    page: bool,
    result: WorkerResult,
) -> None:
    rng = random.Random(seed)
    connection = _connect(port)
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        code = rng.choice(codes)
        began = time.perf_counter()
        try:
            connection.request("GET", _path(code, page), headers={"Connection": "keep-alive"})
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            result.reconnects += 1
            try:
                connection = _connect(port)
            except OSError:
                time.sleep(0.1)
            if began >= start_at:
                result.errors.append(f"{code}: {error!r}")
            continue
        elapsed = time.perf_counter() - began
        if began < start_at:
            continue  # warm-up
        result.latencies.append(elapsed)
        problem = _check(code, response.status, body, page)
        if problem:
            result.errors.append(problem)
    connection.close()


@dataclass
class Measured:
    latencies: list[float]
    errors: list[str]
    reconnects: int


def measure(
    url: str, codes: list[str], args: argparse.Namespace, *, ceiling: bool = False
) -> Measured:
    """Serve (the platform, or the ceiling app), load it for ``--seconds``, stop it."""
    server = start_server(url, args.port, args, ceiling=ceiling)
    try:
        results = [WorkerResult() for _ in range(args.threads)]
        start_at = time.perf_counter() + args.warmup
        stop_at = start_at + args.seconds
        threads = [
            threading.Thread(
                target=worker,
                args=(args.port, codes, args.seed + n, start_at, stop_at, args.page, results[n]),
                daemon=True,
            )
            for n in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    return Measured(
        latencies=sorted(value for result in results for value in result.latencies),
        errors=[error for result in results for error in result.errors],
        reconnects=sum(result.reconnects for result in results),
    )


def percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.serve:
        serve(args.port)
        return 0
    url = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "Set DATABASE_URL to a PostgreSQL database (e.g. the one generate_dossiers.py fills)."
        )
        return 2
    codes, rows = sample_codes(url, args.sample, args.seed)
    if not codes:
        print("The database has no dossiers: run bench/generate_dossiers.py first.")
        return 2
    print(
        f"database: {url.rsplit('/', 1)[-1]}, about {rows:,} dossiers; {len(codes):,} codes sampled"
    )

    ceiling: Measured | None = None
    if not args.no_ceiling and args.server == "gunicorn":
        ceiling = measure(url, codes, args, ceiling=True)
    measured = measure(url, codes, args)
    latencies, errors, reconnects = measured.latencies, measured.errors, measured.reconnects
    target = "HTML page /tra-cuu/?ma=" if args.page else "GET /api/v1/public/dossiers/{code}"
    if args.server == "gunicorn":
        print(
            f"server: gunicorn, {args.server_workers} worker processes x "
            f"{args.server_threads} threads (gthread)"
        )
    else:
        print("server: Django's threaded development server (one process)")
    print(
        f"target: {target}; {args.threads} client threads, keep-alive; {args.seconds:g} s measured"
    )
    print(f"requests: {len(latencies):,} ({len(latencies) / args.seconds:,.1f} per second)")
    if latencies:
        ms = [value * 1000 for value in latencies]
        print(
            "latency ms: "
            f"p50 {percentile(ms, 0.50):.1f}  p95 {percentile(ms, 0.95):.1f}  "
            f"p99 {percentile(ms, 0.99):.1f}  max {ms[-1]:.1f}  mean {statistics.fmean(ms):.1f}"
        )
    print(f"errors: {len(errors)}; reconnects: {reconnects}")
    for error in errors[:10]:
        print("  ", error)
    if ceiling is not None and ceiling.latencies and latencies:
        share = len(latencies) / max(1, len(ceiling.latencies))
        ceiling_ms = [value * 1000 for value in ceiling.latencies]
        print(
            "framework ceiling (plain Django view, constant JSON, same gunicorn flags): "
            f"{len(ceiling.latencies) / args.seconds:,.1f} per second, "
            f"p50 {percentile(ceiling_ms, 0.50):.1f} ms, p99 {percentile(ceiling_ms, 0.99):.1f} ms"
        )
        print(
            f"lookup / ceiling: {share:.0%} of the throughput "
            f"(goal: at least 50%, and p99 under 50 ms at 16 connections); "
            f"cache for the counters: {args.cache}"
        )
    return 1 if errors or not latencies else 0


if __name__ == "__main__":
    sys.exit(main())
