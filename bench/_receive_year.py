"""``bench_receive.py --province-year``: a province-year of receipts through the
batch path (``dossiers.services.receive_batch``), spread over the demo tree's
agencies and procedures as ``generate_dossiers.py`` spreads them (issue 16)."""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bench_receive import YEAR_2019, _backend_pid, _process_cpu

#: Issue 16: a province-year through the batch path in under 3 minutes.
YEAR_TARGET_SECONDS = 180


@dataclass
class YearRun:
    ok: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    python_cpu: float = 0.0
    postgres_cpu: float = 0.0
    codes_by_prefix: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def _year_items(args: argparse.Namespace) -> tuple[Any, list[Any], int]:
    """The clerk and a year of receipts over the demo tree, spread over the agencies
    and procedures as ``generate_dossiers.py`` spreads them, in time order."""
    import random
    from datetime import datetime, timedelta
    from datetime import time as clock_time
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from generate_dossiers import POST_SHARE, load_catalogue, plan_agencies

    from egov.accounts import services as accounts
    from egov.accounts.models import User
    from egov.accounts.permissions import RoleCode
    from egov.core.demo_units import load_demo_units
    from egov.core.models import Unit
    from egov.core.workcalendar import get_calendar
    from egov.dossiers import services
    from egov.dossiers.models import Channel
    from egov.procedures.models import ProcedureVersion
    from egov.procedures.terms import required_papers

    load_demo_units(None)
    rng = random.Random(args.seed)
    versions = load_catalogue()
    agencies = plan_agencies(versions, rng)
    root = Unit.objects.filter(depth=1, dissolved_at__isnull=True).order_by("path").first()
    clerk = User.objects.filter(username="bench.year.clerk").first()
    if clerk is None:
        clerk = accounts.create_staff_account(
            None,
            username="bench.year.clerk",
            full_name="Cán bộ một cửa (thử nghiệm)",
            unit=root,
            role_codes=[RoleCode.ONE_STOP_CLERK],
        )
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[a.pk for a in agencies])}
    by_pk = {
        v.pk: v
        for v in ProcedureVersion.objects.filter(status="published").select_related("procedure")
    }
    papers: dict[int, list[Any]] = {}
    for pk, version in by_pk.items():
        papers[pk] = [
            services.PaperIn(required_paper=p.pk, copies=p.copies, form=p.form)
            for p in required_papers(version)
            if not p.is_optional
        ]
    eligible = {
        a.pk: sorted({v.pk for v in a.versions if not v.agencies or a.pk in v.agencies})
        for a in agencies
    }
    pool = [a for a in agencies if eligible[a.pk]]
    weights: list[float] = []
    running = 0.0
    for agency in pool:
        running += agency.weight
        weights.append(running)
    calendar = get_calendar()
    tz = ZoneInfo(settings.TIME_ZONE)
    days = [
        day
        for day in (datetime(args.year, 1, 1).date() + timedelta(n) for n in range(366))
        if day.year == args.year and calendar.is_working_day(day)
    ]
    picks = rng.choices(pool, cum_weights=weights, k=args.dossiers)
    items = []
    for number, agency in enumerate(picks, start=1):
        day = rng.choice(days)
        minute = rng.randrange(7 * 60 + 30, 16 * 60 + 30)
        moment = datetime.combine(day, clock_time(minute // 60, minute % 60), tz)
        version = by_pk[rng.choice(eligible[agency.pk])]
        items.append(
            services.ReceiptIn(
                version=version,
                agency=units[agency.pk],
                channel=Channel.POST if rng.random() < POST_SHARE else Channel.DESK,
                applicant=services.ApplicantIn(
                    name=f"Người nộp {number}",
                    id_number=f"{91_000_000_000 + number:012d}",
                    address=agency.place,
                    phone="0912 345 678" if number % 2 else "",
                ),
                papers=papers[version.pk],
                received_at=moment,
                reference=str(number),
            )
        )
    # In time order, as the desks receive them (every item has its moment).
    items.sort(key=lambda item: item.received_at or datetime.min.replace(tzinfo=tz))
    return clerk, items, len(pool)


def _year_worker(clerk: Any, items: list[Any], chunk: int) -> YearRun:
    from django.db import connection

    from egov.dossiers import services

    run = YearRun()
    backend = _backend_pid()
    pg_before = _process_cpu(backend)
    cpu_before = time.process_time()
    results = services.receive_batch(clerk, items, chunk_size=chunk)
    run.python_cpu = time.process_time() - cpu_before
    run.postgres_cpu = _process_cpu(backend) - pg_before
    for result in results:
        if result.dossier is not None:
            run.ok += 1
            prefix, number = result.dossier.code.rsplit("-", 1)
            run.codes_by_prefix[prefix].append(int(number))
        else:
            run.refused += 1
            if len(run.errors) < 5:
                run.errors.append(f"item {result.reference}: {result.error}")
    connection.close()
    return run


def _year_child(clerk: Any, items: list[Any], chunk: int, results: Any) -> None:  # pragma: no cover
    try:
        run = _year_worker(clerk, items, chunk)
    except Exception as exc:
        run = YearRun(errors=[f"{type(exc).__name__}: {exc}"])
    results.put(
        (
            run.ok,
            run.refused,
            run.errors,
            run.python_cpu,
            run.postgres_cpu,
            dict(run.codes_by_prefix),
        )
    )


def run_province_year(args: argparse.Namespace) -> bool:
    """Receive a province-year through ``services.receive_batch``: every agency's
    items in time order, ``--workers`` processes each taking a share of the
    agencies (an agency's code series stays with one worker, as one desk's)."""
    import multiprocessing

    from django.db import connections
    from django.urls import get_resolver

    from egov.core.audit import verify_chain
    from egov.core.numbering import dossier_sequence_reset
    from egov.dossiers.models import Dossier

    prepared = time.perf_counter()
    clerk, items, agency_count = _year_items(args)
    shares: list[list[Any]] = [[] for _ in range(args.workers)]
    slot: dict[int, int] = {}
    for item in items:
        index = slot.setdefault(item.agency.pk, len(slot) % args.workers)
        shares[index].append(item)
    print(
        f"Prepared {len(items):,} receipts at {agency_count} agencies "
        f"({time.perf_counter() - prepared:.1f} s, not counted); chunks of {args.chunk}, "
        f"{args.workers} process(es)"
    )
    before = Dossier.objects.count()
    get_resolver().url_patterns  # noqa: B018 - loaded before the clock starts
    connections.close_all()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    started = time.perf_counter()
    total = YearRun()
    if args.workers == 1:
        runs = [_year_worker(clerk, shares[0], args.chunk)]
    else:
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        children = [
            context.Process(target=_year_child, args=(clerk, share, args.chunk, queue))
            for share in shares
        ]
        for child in children:
            child.start()
        runs = []
        for _ in children:
            ok, refused, errors, python_cpu, postgres_cpu, prefixes = queue.get()
            run = YearRun(ok, refused, errors, python_cpu, postgres_cpu)
            run.codes_by_prefix.update(prefixes)
            runs.append(run)
        for child in children:
            child.join()
    elapsed = time.perf_counter() - started
    for run in runs:
        total.ok += run.ok
        total.refused += run.refused
        total.errors += run.errors
        total.python_cpu += run.python_cpu
        total.postgres_cpu += run.postgres_cpu
        for prefix, numbers in run.codes_by_prefix.items():
            total.codes_by_prefix[prefix] += numbers
    rate = total.ok / elapsed if elapsed else 0.0
    verdict = "under" if elapsed < YEAR_TARGET_SECONDS else "OVER"
    print(f"Load average when the clock started: {load} (machine shared with other work)")
    print(
        f"Received {total.ok:,} dossiers ({total.refused} refused) through receive_batch in "
        f"{elapsed:.1f} s -> {rate:,.0f} dossiers/s; {verdict} the "
        f"{YEAR_TARGET_SECONDS // 60}-minute target for a province-year"
    )
    if total.ok:
        python_ms = total.python_cpu / total.ok * 1000
        postgres_ms = total.postgres_cpu / total.ok * 1000
        print(
            f"CPU per dossier: Python {python_ms:.2f} ms + PostgreSQL server "
            f"{postgres_ms:.2f} ms = {python_ms + postgres_ms:.2f} ms"
        )
        cpu_seconds = (total.python_cpu + total.postgres_cpu) / total.ok * YEAR_2019
        cores = os.cpu_count() or 1
        print(
            f"  -> CPU-bound time for {YEAR_2019:,}: {cpu_seconds:,.0f} s on one idle core, "
            f"{cpu_seconds / cores:,.0f} s on {cores} (the wall time above depends on the "
            "machine's other load; this hardly does)"
        )
    ok = not total.errors and total.refused == 0
    for error in total.errors[:5]:
        print(f"  error: {error}")
    if Dossier.objects.count() - before != total.ok:
        print("  CHECK FAILED: the number of dossiers stored differs from the receipts")
        ok = False
    else:
        print(f"  check: {total.ok:,} dossiers stored")
    if dossier_sequence_reset() == "daily":
        holes = sum(
            1
            for numbers in total.codes_by_prefix.values()
            if sorted(numbers) != list(range(min(numbers), min(numbers) + len(numbers)))
        )
        if holes:
            print(f"  CHECK FAILED: {holes} agency-days with gaps or duplicates in their codes")
            ok = False
        else:
            print(f"  check: codes gap-free in each of {len(total.codes_by_prefix):,} agency-days")
    if not args.skip_verify:
        verify_started = time.perf_counter()
        result = verify_chain()
        took = time.perf_counter() - verify_started
        if result.ok:
            print(f"  check: audit chain verified ({result.checked:,} entries, {took:.1f} s)")
        else:
            print(f"  CHECK FAILED: {result.summary()}")
            ok = False
    return ok
