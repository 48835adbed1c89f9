#!/usr/bin/env python
"""Benchmark of receiving dossiers through ``dossiers.services.receive_dossier``.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/bench_receive.py [--dossiers 5000] [--workers 4] [--agencies 1]

With a PostgreSQL URL the script never touches the database named in the URL: it
uses the same server and credentials with its own database ``egov_bench_receive``
(``--bench-db``), creating it when missing and applying migrations. With a SQLite
URL (``sqlite:////tmp/bench.sqlite3``) it uses that file as is.

Each receipt is the full service call: permission, papers checked against the
procedure, code (``core.numbering``), appointment from the working-day calendar,
first process step, papers, the event row and the audit entry, in one
transaction. PDF rendering is not included. Workers are threads with one
database connection each (``--processes``: processes, as under a multi-process
web server; threads share one GIL). ``--agencies`` spreads the receipts over that
many receiving agencies (1: every receipt contends for one agency's code
sequence). ``--api-lookups`` adds the reads an API request makes first.

The script prints dossiers per second, the projection for Kiên Giang's 73,502
dossiers of 2019 (target: under 5 minutes), and where the time goes: every SQL
statement is timed and classed (audit head lock, code sequence, inserts, reads),
and so are the commits; the CPU used per dossier (this process and the PostgreSQL
server processes, from /proc) gives a ceiling that the machine's other load
hardly changes. ``--stub-audit`` replaces ``audit.record`` by a no-op to
measure what the audit chain head costs — a diagnosis only, never a valid
configuration. It asserts nothing about speed; it exits 1 if a check fails
(duplicate codes, wrong count, broken audit chain).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import prepare_postgres, setup_django

REPO_ROOT = Path(__file__).resolve().parent.parent
YEAR_2019 = 73_502
TARGET_SECONDS = 300


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_receive")
    parser.add_argument(
        "--dossiers",
        type=int,
        default=None,
        help=f"Dossiers to receive (default 5,000; {YEAR_2019:,} with --province-year).",
    )
    parser.add_argument("--workers", type=int, default=4, help="Threads, one connection each.")
    parser.add_argument("--agencies", type=int, default=1, help="Receiving agencies used.")
    parser.add_argument(
        "--api-lookups",
        action="store_true",
        help="Also do, per receipt, the reads an API request adds (procedure version, "
        "agency, the clerk's roles).",
    )
    parser.add_argument(
        "--processes",
        action="store_true",
        help="Workers are processes (as under a multi-process web server), not threads.",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=0.0,
        help="Threads only: sys.setswitchinterval() in seconds (Python's default 0.005). A "
        "thread holding a row lock waits for the GIL after each statement; a shorter "
        "interval shortens those waits.",
    )
    parser.add_argument(
        "--stub-audit",
        action="store_true",
        help="Diagnosis: replace audit.record by a no-op to see what the chain head costs.",
    )
    parser.add_argument(
        "--skip-verify", action="store_true", help="Do not verify the whole audit chain."
    )
    parser.add_argument(
        "--province-year",
        action="store_true",
        help="Receive a province-year (--dossiers, default then 73,502) through the batch "
        "path (services.receive_batch) over the demo tree, spread over the agencies as "
        "generate_dossiers.py spreads them; --workers processes, each with a share of the "
        "agencies.",
    )
    parser.add_argument("--chunk", type=int, default=200, help="Batch path: items per chunk.")
    parser.add_argument("--year", type=int, default=2019, help="Batch path: the year received.")
    parser.add_argument("--seed", type=int, default=16, help="Batch path: random seed.")
    return parser.parse_args(argv)


# --- timing of SQL statements and commits ------------------------------------------------


def _classify(sql: str) -> str:
    text = sql.lstrip().upper()
    if "CORE_AUDITCHAINHEAD" in text:
        return (
            "audit head: lock (SELECT FOR UPDATE, incl. wait)"
            if "FOR UPDATE" in text
            else ("audit head: update")
        )
    if "CORE_AUDITENTRY" in text:
        return "audit entry: insert"
    if "CORE_SEQUENCE" in text:
        return "dossier code: sequence upsert (incl. wait)"
    if text.startswith("UPDATE") and "DOSSIERS_DOSSIER" in text:
        return "dossier code: written on the row"
    if text.startswith("INSERT") and "DOSSIERS_" in text:
        return "dossier, papers, event: inserts"
    if text.startswith("SELECT"):
        return "reads (procedure, papers, roles, units)"
    if text.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
        return "savepoints"
    return "other statements"


@dataclass
class Timings:
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    latencies: list[float] = field(default_factory=list)
    #: CPU seconds spent by the PostgreSQL server processes of the workers' connections.
    postgres_cpu: float = 0.0
    #: CPU seconds spent by the Python workers (all threads, or all processes).
    python_cpu: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label: str, seconds: float) -> None:
        with self.lock:
            self.seconds[label] += seconds
            self.counts[label] += 1


@contextmanager
def _timed_connection(timings: Timings) -> Iterator[None]:
    """Time every statement and the commits of this thread's connection."""
    from django.db import connection

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.add(_classify(sql), time.perf_counter() - started)

    connection.ensure_connection()
    real_commit = connection.commit

    def commit() -> None:
        started = time.perf_counter()
        try:
            real_commit()
        finally:
            timings.add("commit", time.perf_counter() - started)

    connection.commit = commit  # type: ignore[method-assign]
    with connection.execute_wrapper(wrapper):
        yield


# --- the fixture: agencies, a clerk, a procedure ------------------------------------------


def _fixture(agency_count: int) -> tuple[Any, list[Any], Any, list[Any]]:
    from egov.accounts import services as accounts
    from egov.accounts.models import User
    from egov.accounts.permissions import RoleCode
    from egov.core.models import Unit, UnitLevel
    from egov.core.services.units import create_unit
    from egov.procedures.models import (
        PaperForm,
        Procedure,
        ProcedureField,
        ProcedureVersion,
        RequiredPaper,
        VersionStatus,
    )

    province = Unit.objects.filter(code="000.00.00.H33", dissolved_at__isnull=True).first()
    if province is None:
        province = create_unit(
            None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
        )
    agencies = []
    for index in range(1, agency_count + 1):
        code = f"000.00.{index:02d}.H33"
        agency = Unit.objects.filter(code=code, dissolved_at__isnull=True).first()
        if agency is None:
            agency = create_unit(
                None, province, code=code, name=f"Cơ quan thử nghiệm {index}", level="district"
            )
            create_unit(
                None,
                agency,
                code=f"{index % 1000:03d}.01.{index % 100:02d}.H33",
                name=f"Bộ phận Một cửa {index}",
                level=UnitLevel.INTERNAL,
                is_one_stop=True,
            )
        agencies.append(agency)
    clerk = User.objects.filter(username="bench.clerk").first()
    if clerk is None:
        clerk = accounts.create_staff_account(
            None,
            username="bench.clerk",
            full_name="Cán bộ thử nghiệm",
            unit=province,
            role_codes=[RoleCode.ONE_STOP_CLERK],
        )
    field_row, _ = ProcedureField.objects.get_or_create(
        code="ho-tich", defaults={"name": "Hộ tịch"}
    )
    procedure, _ = Procedure.objects.get_or_create(national_code="1.001193")
    version = ProcedureVersion.objects.filter(
        procedure=procedure, status=VersionStatus.PUBLISHED
    ).first()
    if version is None:
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=procedure.versions.count() + 1,
            status=VersionStatus.PUBLISHED,
            name="Đăng ký khai sinh",
            field=field_row,
            time_limit=5,
            fees=[{"name": "Lệ phí", "amount": 8000}],
        )
        for position, (name, form) in enumerate(
            [
                ("Tờ khai đăng ký khai sinh", PaperForm.ORIGINAL),
                ("Giấy chứng sinh", PaperForm.ORIGINAL),
                ("Bản sao Căn cước công dân của cha, mẹ", PaperForm.CERTIFIED_COPY),
            ],
            start=1,
        ):
            RequiredPaper.objects.create(
                version=version, position=position, name=name, copies=1, form=form
            )
    if version.agencies.exists():
        # The demo catalogue (loaded by --province-year in the same database) names
        # the agencies that carry the procedure out: the bench agencies join them.
        version.agencies.add(*agencies)
    papers = list(version.papers.filter(is_optional=False))
    return clerk, agencies, version, papers


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Setup:
    clerk_id: int
    agency_codes: list[str]
    national_code: str
    paper_ids: list[tuple[int, int]]
    api_lookups: bool = False


def _receive_loop(
    setup: Setup,
    next_ticket: Callable[[], int | None],
    timings: Timings,
    codes: list[str],
    ready: Callable[[], object],
) -> None:
    """One worker: receive dossiers until the tickets run out. Each receipt first
    looks up what an API request would (procedure version, agency, the clerk's
    roles), then calls the service."""
    from egov.accounts.models import User
    from egov.dossiers import services

    clerk = User.objects.get(pk=setup.clerk_id)
    papers = [services.PaperIn(required_paper=pk, copies=copies) for pk, copies in setup.paper_ids]
    with _timed_connection(timings):
        backend = _backend_pid()
        ready()
        cpu_before = _process_cpu(backend)
        try:
            _receipts(setup, clerk, papers, next_ticket, timings, codes)
        finally:
            spent = _process_cpu(backend) - cpu_before
            with timings.lock:
                timings.postgres_cpu += spent


def _backend_pid() -> int | None:
    """The PID of this connection's PostgreSQL server process (None on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of a local process, read from /proc; 0 if unknown
    (a remote server, or no /proc)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    # After the command name: state is field 3; utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / ticks


def _receipts(
    setup: Setup,
    clerk: Any,
    papers: list[Any],
    next_ticket: Callable[[], int | None],
    timings: Timings,
    codes: list[str],
) -> None:
    from egov.accounts.permissions import forget_cached_roles
    from egov.core.selectors.units import get_unit_by_code
    from egov.dossiers import services
    from egov.procedures.models import ProcedureVersion, VersionStatus

    def lookups(ticket: int) -> tuple[Any, Any]:
        """What the API does before calling the service, per request."""
        forget_cached_roles(clerk)
        version = (
            ProcedureVersion.objects.select_related("procedure")
            .filter(procedure__national_code=setup.national_code, status=VersionStatus.PUBLISHED)
            .first()
        )
        agency = get_unit_by_code(setup.agency_codes[ticket % len(setup.agency_codes)])
        return version, agency

    versions: dict[int, Any] = {}
    agencies: dict[int, Any] = {}
    while (ticket := next_ticket()) is not None:
        started = time.perf_counter()
        if setup.api_lookups:
            version, agency = lookups(ticket)
        else:
            # The service alone: the request's objects are reused, as in one request.
            slot = ticket % len(setup.agency_codes)
            if slot not in agencies:
                versions[slot], agencies[slot] = lookups(ticket)
            version, agency = versions[slot], agencies[slot]
        dossier = services.receive_dossier(
            clerk,
            version=version,
            agency=agency,
            applicant=services.ApplicantIn(
                name=f"Người nộp {ticket}",
                id_number=f"{91_000_000_000 + ticket:012d}",
                address="Rạch Giá, Kiên Giang",
                phone="0912 345 678",  # a mobile: the SMS notice is queued too
            ),
            papers=papers,
        )
        elapsed = time.perf_counter() - started
        with timings.lock:
            timings.latencies.append(elapsed)
            codes.append(dossier.code)


def _run_threads(
    args: argparse.Namespace, setup: Setup
) -> tuple[Timings, list[str], list[str], float]:
    from django.db import connection

    timings = Timings()
    codes: list[str] = []
    errors: list[str] = []
    taken = 0
    taken_lock = threading.Lock()
    gate = threading.Barrier(args.workers + 1)

    def next_ticket() -> int | None:
        nonlocal taken
        with taken_lock:
            if taken >= args.dossiers:
                return None
            taken += 1
            return taken

    def worker() -> None:
        try:
            _receive_loop(setup, next_ticket, timings, codes, gate.wait)
        except Exception as exc:
            with timings.lock:
                errors.append(f"{type(exc).__name__}: {exc}")
            gate.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    with suppress(threading.BrokenBarrierError):
        gate.wait()
    started = time.perf_counter()
    cpu_started = time.process_time()
    for thread in threads:
        thread.join()
    timings.python_cpu = time.process_time() - cpu_started
    return timings, codes, errors, time.perf_counter() - started


def _process_main(
    setup: Setup, dossiers: int, counter: Any, gate: Any, results: Any
) -> None:  # pragma: no cover - runs in a child process
    # The parent closed its connections before forking: each child opens its own.
    timings = Timings()
    codes: list[str] = []
    error = ""

    def next_ticket() -> int | None:
        with counter.get_lock():
            if counter.value >= dossiers:
                return None
            counter.value += 1
            return int(counter.value)

    cpu: list[float] = []

    def ready() -> None:
        gate.wait()
        cpu.append(time.process_time())

    try:
        _receive_loop(setup, next_ticket, timings, codes, ready)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        gate.abort()
    python_cpu = time.process_time() - cpu[0] if cpu else 0.0
    results.put(
        (
            dict(timings.seconds),
            dict(timings.counts),
            timings.latencies,
            codes,
            error,
            python_cpu,
            timings.postgres_cpu,
        )
    )


def _run_processes(
    args: argparse.Namespace, setup: Setup
) -> tuple[Timings, list[str], list[str], float]:
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    gate = context.Barrier(args.workers + 1)
    results = context.Queue()
    processes = [
        context.Process(target=_process_main, args=(setup, args.dossiers, counter, gate, results))
        for _ in range(args.workers)
    ]
    for process in processes:
        process.start()
    with suppress(threading.BrokenBarrierError):
        gate.wait()
    started = time.perf_counter()
    timings = Timings()
    codes: list[str] = []
    errors: list[str] = []
    for _ in processes:
        seconds, counts, latencies, child_codes, error, python_cpu, postgres_cpu = results.get()
        timings.python_cpu += python_cpu
        timings.postgres_cpu += postgres_cpu
        for label, value in seconds.items():
            timings.seconds[label] += value
            timings.counts[label] += counts[label]
        timings.latencies.extend(latencies)
        codes.extend(child_codes)
        if error:
            errors.append(error)
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    return timings, codes, errors, elapsed


def run(args: argparse.Namespace) -> bool:
    from django.db import connection
    from django.urls import get_resolver

    from egov.core.audit import verify_chain
    from egov.dossiers import services
    from egov.dossiers.models import Dossier

    clerk, agencies, version, required = _fixture(args.agencies)
    setup = Setup(
        clerk_id=clerk.pk,
        agency_codes=[agency.code for agency in agencies],
        national_code=version.procedure.national_code,
        paper_ids=[(paper.pk, paper.copies) for paper in required],
        api_lookups=args.api_lookups,
    )
    if args.stub_audit:
        services.audit.record = lambda **kwargs: None  # type: ignore[assignment]
        print("DIAGNOSIS: audit.record stubbed out (not a valid configuration).")
    before = Dossier.objects.count()
    # Load the URL configuration before the workers start (a receipt's notice
    # reverses the public lookup URL): the figures are receipts, not imports.
    get_resolver().url_patterns  # noqa: B018
    connection.close()
    if args.processes:
        timings, codes, errors, elapsed = _run_processes(args, setup)
    else:
        if args.switch_interval:
            sys.setswitchinterval(args.switch_interval)
        print(f"GIL switch interval: {sys.getswitchinterval() * 1000:g} ms")
        timings, codes, errors, elapsed = _run_threads(args, setup)

    count = len(codes)
    rate = count / elapsed if elapsed else 0.0
    projection = YEAR_2019 / rate if rate else float("inf")
    kind = "processes" if args.processes else "threads"
    print(
        f"Received {count} dossiers with {args.workers} {kind} at {args.agencies} "
        f"agenc{'y' if args.agencies == 1 else 'ies'} in {elapsed:.2f} s "
        f"-> {rate:,.0f} dossiers/s"
    )
    verdict = "under" if projection < TARGET_SECONDS else "OVER"
    print(
        f"Projection for {YEAR_2019:,} dossiers (Kiên Giang, 2019): {projection:,.0f} s "
        f"({projection / 60:.1f} min), {verdict} the {TARGET_SECONDS // 60}-minute target"
    )
    if timings.latencies:
        ordered = sorted(timings.latencies)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"Latency per receipt: median {statistics.median(ordered) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
        )
    total_call = sum(timings.latencies)
    print("Where the time goes (summed over workers; share of the time inside receive calls):")
    for label, seconds in sorted(timings.seconds.items(), key=lambda kv: -kv[1]):
        share = seconds / total_call * 100 if total_call else 0.0
        per = timings.counts[label] / max(count, 1)
        print(f"  {label:<52} {seconds:8.2f} s  {share:5.1f} %  ({per:.1f} per dossier)")
    sql_and_commit = sum(timings.seconds.values())
    python = total_call - sql_and_commit
    print(
        f"  {'Python (validation, calendar, ORM, hashing)':<52} {python:8.2f} s  "
        f"{python / total_call * 100 if total_call else 0:5.1f} %"
    )

    if count and timings.python_cpu:
        python_ms = timings.python_cpu / count * 1000
        postgres_ms = timings.postgres_cpu / count * 1000
        total_ms = python_ms + postgres_ms
        cores = os.cpu_count() or 1
        capacity = cores / (total_ms / 1000) if total_ms else 0.0
        print(
            f"CPU per dossier: Python {python_ms:.1f} ms + PostgreSQL server "
            f"{postgres_ms:.1f} ms = {total_ms:.1f} ms"
            + ("" if postgres_ms else " (server CPU not measured)")
        )
        print(
            f"  -> CPU-bound ceiling on {cores} idle cores: {capacity:,.0f} dossiers/s, "
            f"{YEAR_2019 / capacity / 60 if capacity else float('inf'):.1f} min for "
            f"{YEAR_2019:,} (other load on the machine does not change this figure much)"
        )
    ok = not errors
    for error in errors[:5]:
        print(f"  worker error: {error}")
    if len(set(codes)) != count:
        print(f"  CHECK FAILED: {count - len(set(codes))} duplicate codes")
        ok = False
    if Dossier.objects.count() - before != count:
        print("  CHECK FAILED: the number of dossiers stored differs from the receipts")
        ok = False
    else:
        print(f"  check: {count} dossiers stored, {len(set(codes))} distinct codes")
    if not args.stub_audit and not args.skip_verify:
        verify_started = time.perf_counter()
        result = verify_chain()
        took = time.perf_counter() - verify_started
        if result.ok:
            print(f"  check: audit chain verified ({result.checked:,} entries, {took:.1f} s)")
        else:
            print(f"  CHECK FAILED: {result.summary()}")
            ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.dossiers is None:
        args.dossiers = YEAR_2019 if args.province_year else 5000
    if not 1 <= args.agencies <= 99:
        print("--agencies must be between 1 and 99.")
        return 2
    url: str = args.database_url
    if url.startswith(("postgres://", "postgresql://")):
        url = prepare_postgres(url, args.bench_db)
    elif not url.startswith("sqlite:"):
        print("Set DATABASE_URL (or --database-url) to a postgres:// or sqlite:// URL.")
        return 2
    setup_django(url)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        version = cursor.fetchone()[0]
    print(f"Database: {connection.vendor} {version}, {connection.settings_dict['NAME']}")
    kind = "processes" if args.processes or args.province_year else "threads"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Workers: {args.workers} {kind}, one connection each; cores: {os.cpu_count()}; "
        f"load average before: {load}"
    )
    connection.close()
    if args.province_year:
        from _receive_year import run_province_year

        return 0 if run_province_year(args) else 1
    return 0 if run(args) else 1


if __name__ == "__main__":
    sys.exit(main())
