#!/usr/bin/env python
"""Time the dossier statistics over a large dataset.

Usage (from the repository root; fill the database first with
``bench/generate_dossiers.py``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/bench_stats.py [--year 2019] [--repeat 7]

It uses the database ``egov_bench_large`` (``--bench-db``) on the server of the
URL, never the database named in it. For the whole province (the root unit) and
one year it times :func:`egov.dossiers.stats.figures.dossier_statistics` without
grouping, grouped by agency, by field and by procedure, and for one district and
one commune; each case runs once to warm the cache, then ``--repeat`` times,
printing min / median / max seconds (wall clock, as the application runs it, with
PostgreSQL's parallel workers), both from the dossier table (``source="direct"``)
and from the daily/monthly roll-ups (``source="rollups"``), with the two results
checked equal. The roll-up tables are created (``migrate dossiers``) and built once
when missing (the full build is timed); ``--rebuild`` builds them again. It also
times the background job's incremental run: nothing changed, then one month of
submissions rebuilt. When the server runs on this machine it also
prints the CPU time the server process spends on the province-wide query with
parallelism off: a figure that other load on the machine barely changes, unlike
wall-clock time. Then ``EXPLAIN (ANALYZE, BUFFERS)`` of the SQL the
grouped-by-agency call runs, condensed to the plan lines. It asserts nothing
about speed.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_large", help="Database to read.")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="Rebuild every roll-up first.")
    return parser.parse_args(argv)


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()


def _time(run: Callable[[], Any], repeat: int) -> list[float]:
    run()  # warm the caches (PostgreSQL's and the OS's)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def _ensure_rollups(rebuild: bool) -> None:
    """Create the roll-up tables when this database predates them, build them when
    never built (or when asked), printing how long the full build took."""
    from django.core.management import call_command

    from egov.dossiers.services.rollups import rebuild_rollups, rolled_up_at

    call_command("migrate", "dossiers", verbosity=0)
    if rolled_up_at() is not None and not rebuild:
        return
    started = time.perf_counter()
    parts, months = rebuild_rollups()
    print(
        f"Roll-ups built: {parts} submission months, {months} calendar months in "
        f"{time.perf_counter() - started:.1f} s (one process, machine shared)"
    )


def _rollup_sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM dossiers_dossierrollupday), "
            "(SELECT count(*) FROM dossiers_dossierrollupmonth), "
            "pg_size_pretty(pg_total_relation_size('dossiers_dossierrollupday')), "
            "pg_size_pretty(pg_total_relation_size('dossiers_dossierrollupmonth'))"
        )
        days, months, day_size, month_size = cursor.fetchone()
    return f"{days:,} daily rows ({day_size}), {months:,} monthly rows ({month_size})"


def _explain(run: Callable[[], Any], table: str) -> list[str]:
    """EXPLAIN ANALYZE of the slowest statement on ``table`` ``run`` executes, as it
    executes it
    (same session settings: the selector turns JIT off, and parallel workers too for
    the roll-ups, in a transaction of its own)."""
    from django.db import connection, transaction

    captured: list[tuple[float, str, Any, list[str]]] = []
    settings: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        result = execute(sql, params, many, context)
        if sql.startswith("SET LOCAL"):
            settings.append(sql)
        else:
            captured.append((time.perf_counter() - started, sql, params, list(settings)))
            settings.clear()
        return result

    with connection.execute_wrapper(capture):
        run()
    _, sql, params, local = max(
        (item for item in captured if table in item[1]), key=lambda item: item[0]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in local:
            cursor.execute(statement)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    # Keep the plan's shape, not the long filter expressions.
    return [line for line in lines if "Filter:" not in line and "Cond:" not in line]


def _client_cpu(run: Callable[[], Any], repeat: int) -> list[float]:
    """CPU seconds this process spends per run (Django, the driver, the folding)."""
    run()
    times = []
    for _ in range(repeat):
        before = time.process_time()
        run()
        times.append(time.process_time() - before)
    return times


def _server_cpu(run: Callable[[], Any], repeat: int) -> list[float] | None:
    """CPU seconds (user + system) of this connection's server process per run, with
    parallel workers off so that one process does all the work; ``None`` when the
    server's processes are not visible here (another machine, a container)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        run()
        times = []
        for _ in range(repeat):
            before = cpu()
            run()
            times.append(cpu() - before)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")
    return times


def _time_refresh(start: date) -> None:
    """The background job's cost: a run that finds nothing changed; one month of
    submissions recomputed with nothing to change (what a run after a busy minute
    mostly does: read the month's dossiers); the same month written from scratch
    (its daily rows deleted first: every row and its calendar months written again)."""
    from egov.dossiers.models import DossierRollupDay
    from egov.dossiers.services.rollups import rebuild_rollups, refresh_rollups

    started = time.perf_counter()
    refresh_rollups()
    idle = time.perf_counter() - started
    month = start.replace(month=6)
    started = time.perf_counter()
    rebuild_rollups(month, month)
    same = time.perf_counter() - started
    DossierRollupDay.objects.filter(part=month).delete()
    started = time.perf_counter()
    _, months = rebuild_rollups(month, month)
    scratch = time.perf_counter() - started
    print(
        f"\nRoll-up job: a run with nothing changed {idle:.3f} s; one month of submissions "
        f"({month:%m/%Y}) recomputed, nothing to change {same:.2f} s; written from scratch "
        f"({months} calendar months summed again) {scratch:.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    url: str = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL (or --database-url) to a postgres:// URL.")
        return 2
    url = urlunsplit(urlsplit(url)._replace(path=f"/{args.bench_db}"))
    _setup_django(url)

    from django.db import connection
    from django.utils import timezone

    _ensure_rollups(args.rebuild)

    from egov.core.models import Unit, UnitLevel
    from egov.dossiers.models import Dossier
    from egov.dossiers.stats.figures import dossier_statistics

    total = Dossier.objects.count()
    if not total:
        print(f"No dossiers in {args.bench_db}: run bench/generate_dossiers.py first.")
        return 2
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('dossiers_dossier'))")
        size = cursor.fetchone()[0]
    province = Unit.objects.filter(depth=1).order_by("path").first()
    assert province is not None
    district = Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("path").first()
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).order_by("path").first()
    start, end = date(args.year, 1, 1), date(args.year, 12, 31)
    print(
        f"PostgreSQL {version}, {args.bench_db}: {total:,} dossiers (table {size}); "
        f"period {start:%d/%m/%Y}–{end:%d/%m/%Y}; {os.cpu_count()} cores; "
        f"{args.repeat} runs after one warm-up"
    )
    cases: list[tuple[str, Unit, str | None, datetime | None]] = [
        ("province, totals only", province, None, None),
        ("province, by agency", province, "agency", None),
        ("province, by field", province, "field", None),
        ("province, by procedure", province, "procedure", None),
    ]
    if district is not None:
        cases.append((f"district {district.code}, by agency", district, "agency", None))
    if commune is not None:
        cases.append((f"commune {commune.code}, totals only", commune, None, None))
    # The year still running: "now" at the generator's as-of moment (in progress and
    # overdue are then counted live, the rest comes from the roll-ups).
    last = Dossier.objects.order_by("-submitted_at").values_list("submitted_at", flat=True)[0]
    running_now = timezone.localtime(last)
    running_start = date(running_now.year, 1, 1)
    running_end = date(running_now.year, 12, 31)
    cases.append(
        (f"province {running_now.year} running, by agency", province, "agency", running_now)
    )
    print(f"Roll-ups: {_rollup_sizes()}")
    print(f"{'case':<38} {'source':<8} {'min':>7} {'median':>7} {'max':>7}  received  resolved")
    for label, unit, group_by, now in cases:
        first, last_day = (running_start, running_end) if now else (start, end)
        results = {}
        for source in ("direct", "rollups"):

            def run(
                unit: Unit = unit,
                group_by: str | None = group_by,
                source: str = source,
                now: datetime | None = now,
                first: date = first,
                last_day: date = last_day,
            ) -> Any:
                return dossier_statistics(
                    unit, first, last_day, group_by=group_by, source=source, now=now
                )

            result = run()
            results[source] = (result.totals, [(r.key, r.counts) for r in result.rows])

            times = _time(run, args.repeat)
            print(
                f"{label:<38} {source:<8} {min(times):7.3f} {statistics.median(times):7.3f} "
                f"{max(times):7.3f}  {result.totals.received:>8,} "
                f"{result.totals.resolved:>9,}"
            )
        same = "same figures" if results["direct"] == results["rollups"] else "DIFFERENT FIGURES"
        print(f"{'':<38} {same}")
    _time_refresh(start)
    # CPU seconds rather than wall clock: other load on the machine barely changes them.
    for source in ("direct", "rollups"):

        def province_by_agency(source: str = source) -> Any:
            return dossier_statistics(province, start, end, group_by="agency", source=source)

        cpu = _server_cpu(province_by_agency, args.repeat)
        client = _client_cpu(province_by_agency, args.repeat)
        # Means over the runs: the kernel counts a process's CPU in 10 ms ticks.
        server = f"server {statistics.mean(cpu) * 1000:.1f} ms" if cpu is not None else "server n/a"
        print(
            f"\nCPU per province-year by agency, {source} (mean of {args.repeat} runs; one "
            f"server process, no parallel workers): {server}; this process "
            f"{statistics.mean(client) * 1000:.1f} ms"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Load average (1 min) at the end: {load:.2f} on {os.cpu_count()} cores")
    if not args.no_explain:
        for source in ("direct", "rollups"):
            print(f"\nEXPLAIN ANALYZE, province by agency, {source} (filter expressions left out):")
            for line in _explain(
                functools.partial(
                    dossier_statistics, province, start, end, group_by="agency", source=source
                ),
                "dossiers_dossierrollup" if source == "rollups" else "dossiers_dossier",
            ):
                print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
