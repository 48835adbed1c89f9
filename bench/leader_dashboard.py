#!/usr/bin/env python
"""Time a provincial leader's dashboard (the staff home ``/can-bo/``) per request.

Usage (from the repository root; fill the database first with
``bench/generate_dossiers.py``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/leader_dashboard.py [--today 2020-12-20] [--repeat 7]

It uses the database ``egov_bench_large`` (``--bench-db``) on the server of the URL.
Everything it writes — the tasks, dashboards and reporting migrations when missing, a provincial
leader (agency leader at the province root), a session — is written inside one
transaction that is rolled back at the end, so the dataset is left as it was.

"Today" is pinned to ``--today`` (the dataset holds 2019–2020) so the month,
quarter and year of the period switch hold dossiers. For each period kind it
times a full request through Django's test client (middleware, view, registry
providers, SVG charts, template): once with the figure cache cleared (cold: one
province-wide statistics run per chart period), then ``--repeat`` times warm, then
— the cache cleared again — after one run of the warm-up job
(``staff_dashboard.warm_figures``, what ``dashboards.warm_figures`` does in the
background; its own time is printed too): the first request a leader makes in
normal use. Prints min / median / max milliseconds and the number of SQL queries
(``--slowest N``: the N slowest queries of the cold and of a warm request). It
asserts nothing about speed; it exits 1 if the page does not show the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


class _Rollback(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_large")
    parser.add_argument("--today", default="2020-12-20")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="Profile one warm request.")
    parser.add_argument("--slowest", type=int, default=0, help="Print the N slowest queries.")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        print("Set DATABASE_URL (or --database-url) to a postgres:// URL.")
        return 2
    os.environ["DATABASE_URL"] = urlunsplit(
        urlsplit(args.database_url)._replace(path=f"/{args.bench_db}")
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_DEMO", "1")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from egov.accounts import services as accounts
    from egov.accounts.default_roles import ensure_default_roles
    from egov.accounts.permissions import RoleCode
    from egov.accounts.tests.helpers import sign_in_verified
    from egov.core import staff_dashboard
    from egov.core.models import Unit
    from egov.dossiers.models import Dossier

    today = date.fromisoformat(args.today)
    print(f"database: {args.bench_db}; dossiers: {Dossier.objects.count():,}; today = {today}")
    failed = False
    try:
        with transaction.atomic():
            call_command("migrate", "tasks", verbosity=0)
            call_command("migrate", "dashboards", verbosity=0)
            call_command("migrate", "reporting", verbosity=0)
            ensure_default_roles()
            root = Unit.objects.get(depth=1)
            leader = accounts.create_staff_account(
                None,
                username="bench.lanhdao.tinh",
                full_name="Lãnh đạo UBND tỉnh (bench)",
                unit=root,
                role_codes=[RoleCode.AGENCY_LEADER],
            )
            client = Client(HTTP_HOST="127.0.0.1")
            sign_in_verified(client, leader)
            with mock.patch("django.utils.timezone.localdate", return_value=today):
                for kind in ("month", "quarter", "year"):
                    url = f"/can-bo/?ky={kind}"
                    cache.clear()
                    started = time.perf_counter()
                    with CaptureQueriesContext(connection) as cold_queries:
                        response = client.get(url)
                    cold = (time.perf_counter() - started) * 1000
                    html = response.content.decode()
                    if response.status_code != 200 or 'id="leader-figures"' not in html:
                        print(f"{kind}: the page did not show the figures")
                        failed = True
                        continue
                    warm: list[float] = []
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        with CaptureQueriesContext(connection) as warm_queries:
                            client.get(url)
                        warm.append((time.perf_counter() - started) * 1000)
                    if args.profile:
                        import cProfile
                        import pstats

                        profiler = cProfile.Profile()
                        profiler.runcall(client.get, url)
                        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
                    if args.slowest:
                        for label, captured in (("cold", cold_queries), ("warm", warm_queries)):
                            slow = sorted(
                                captured.captured_queries, key=lambda q: -float(q["time"])
                            )[: args.slowest]
                            print(f"  slowest {label} queries:")
                            for query in slow:
                                print(
                                    f"    {float(query['time']) * 1000:6.0f} ms  "
                                    f"{query['sql'][:160]}"
                                )
                    cache.clear()
                    started = time.perf_counter()
                    summary = staff_dashboard.warm_figures(today)
                    job = (time.perf_counter() - started) * 1000
                    started = time.perf_counter()
                    with CaptureQueriesContext(connection) as first_queries:
                        client.get(url)
                    first = (time.perf_counter() - started) * 1000
                    received = html.split('data-name="dossiers.received"')[1].split("</dd>")[0]
                    print(
                        f"{kind:8s} cold {cold:8.0f} ms ({len(cold_queries)} queries) | warm "
                        f"min {min(warm):6.0f}  median {statistics.median(warm):6.0f}  max "
                        f"{max(warm):6.0f} ms ({len(warm_queries)} queries) | received: "
                        f"{received.rsplit('>', 1)[-1].strip()}"
                    )
                    print(
                        f"{'':8s} after the warm-up job ({job:6.0f} ms: {summary}): first "
                        f"request {first:6.0f} ms ({len(first_queries)} queries)"
                    )
            raise _Rollback
    except _Rollback:
        pass
    print("rolled back: the dataset is unchanged")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
