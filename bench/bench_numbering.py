#!/usr/bin/env python
"""Benchmark of official numbering and audit appends under concurrent writers.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/bench_numbering.py [--workers 16] [--numbers 5000 | --seconds 10]

With a PostgreSQL URL the script never touches the database named in the URL: it
uses the same server and credentials with its own database ``egov_bench``
(``--bench-db``), creating it when missing and applying migrations. With a SQLite
URL (``sqlite:////tmp/bench.sqlite3``) it uses that file as is.

Each worker is a thread with its own database connection. Numbering workers take
numbers of one fresh scope, each in its own transaction, rolling back every
``--rollback-every``-th on purpose; at the end the committed numbers must be
exactly 1..N. Audit workers append entries; at the end the whole chain is
verified. The script prints figures and exits 1 if a check fails; it asserts
nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _common import prepare_postgres, setup_django

REPO_ROOT = Path(__file__).resolve().parent.parent


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench", help="PostgreSQL database to use.")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--numbers", type=int, default=5000, help="Numbers to commit.")
    parser.add_argument("--audit-appends", type=int, default=2000, help="Audit entries to add.")
    parser.add_argument(
        "--seconds", type=float, default=0.0, help="Run each phase this long instead of a count."
    )
    parser.add_argument(
        "--rollback-every", type=int, default=5, help="Roll back every N-th transaction (0: none)."
    )
    return parser.parse_args(argv)


@dataclass
class Outcome:
    committed: list[int] = field(default_factory=list)
    rolled_back: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Rollback(Exception):
    pass


def _run_workers(
    workers: int,
    target: int,
    seconds: float,
    rollback_every: int,
    work: Callable[[], int],
) -> tuple[Outcome, float]:
    """Run ``work`` (one transaction's worth, returning a value) in ``workers`` threads
    until ``target`` transactions committed or ``seconds`` elapsed."""
    from django.db import connection, transaction

    outcome = Outcome()
    attempts = 0
    start_gate = threading.Barrier(workers + 1)
    deadline: list[float] = [0.0]

    def done() -> bool:
        if seconds:
            return time.perf_counter() >= deadline[0]
        return len(outcome.committed) >= target

    def worker() -> None:
        nonlocal attempts
        try:
            start_gate.wait()
            while not done():
                with outcome.lock:
                    attempts += 1
                    roll_back = rollback_every > 0 and attempts % rollback_every == 0
                try:
                    with transaction.atomic():
                        value = work()
                        if roll_back:
                            raise Rollback
                except Rollback:
                    with outcome.lock:
                        outcome.rolled_back += 1
                    continue
                with outcome.lock:
                    outcome.committed.append(value)
        except Exception as exc:
            with outcome.lock:
                outcome.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    start_gate.wait()
    for thread in threads:
        thread.join()
    return outcome, time.perf_counter() - started


def bench_numbering(args: argparse.Namespace) -> bool:
    from egov.core.numbering import current_value, next_value

    scope = f"bench:{uuid.uuid4().hex[:12]}"
    outcome, elapsed = _run_workers(
        args.workers,
        args.numbers,
        args.seconds,
        args.rollback_every,
        lambda: next_value(scope, "-"),
    )
    count = len(outcome.committed)
    print(
        f"Numbering: {args.workers} workers committed {count} numbers "
        f"({outcome.rolled_back} rolled back) in {elapsed:.2f} s "
        f"-> {count / elapsed:,.0f} numbers/s committed"
    )
    ok = not outcome.errors
    for error in outcome.errors[:5]:
        print(f"  worker error: {error}")
    duplicates = count - len(set(outcome.committed))
    expected = list(range(1, count + 1))
    if sorted(outcome.committed) == expected and current_value(scope, "-") == count:
        print(f"  check: 1..{count} each issued exactly once: no gaps, no duplicates")
    else:
        missing = sorted(set(expected) - set(outcome.committed))[:10]
        print(
            f"  CHECK FAILED: {duplicates} duplicates, first missing {missing}, "
            f"sequence row says {current_value(scope, '-')}"
        )
        ok = False
    return ok


def bench_numbering_many_scopes(args: argparse.Namespace) -> bool:
    """Each worker numbers its own scope (say, its own agency): no lock is shared."""
    from egov.core.numbering import current_value, next_value

    run = uuid.uuid4().hex[:12]
    local = threading.local()

    def issue() -> int:
        if not hasattr(local, "scope"):
            local.scope = f"bench:{run}:{threading.get_ident()}"
        return next_value(local.scope, "-")

    outcome, elapsed = _run_workers(
        args.workers, args.numbers, args.seconds, args.rollback_every, issue
    )
    count = len(outcome.committed)
    print(
        f"Numbering, one scope per worker: {count} numbers committed in {elapsed:.2f} s "
        f"-> {count / elapsed:,.0f} numbers/s committed"
    )
    from egov.core.models import Sequence

    issued = sum(
        current_value(scope, "-")
        for scope in Sequence.objects.filter(scope__startswith=f"bench:{run}:").values_list(
            "scope", flat=True
        )
    )
    for error in outcome.errors[:5]:
        print(f"  worker error: {error}")
    if issued != count:
        print(f"  CHECK FAILED: sequences say {issued} numbers, workers committed {count}")
        return False
    return not outcome.errors


def bench_audit(args: argparse.Namespace) -> bool:
    from egov.core.audit import record, verify_chain

    run = uuid.uuid4().hex[:12]

    def append() -> int:
        entry = record(
            actor=None,
            action="bench.append",
            object_type="bench.run",
            object_id=run,
            changes={"worker": threading.get_ident() % 1000},
        )
        return int(entry.pk)

    outcome, elapsed = _run_workers(
        args.workers, args.audit_appends, args.seconds, args.rollback_every, append
    )
    count = len(outcome.committed)
    print(
        f"Audit appends: {args.workers} workers committed {count} entries "
        f"({outcome.rolled_back} rolled back) in {elapsed:.2f} s "
        f"-> {count / elapsed:,.0f} appends/s committed"
    )
    ok = not outcome.errors
    for error in outcome.errors[:5]:
        print(f"  worker error: {error}")
    started = time.perf_counter()
    result = verify_chain()
    took = time.perf_counter() - started
    if result.ok:
        print(
            f"  check: chain verified, {result.checked} entries in {took:.2f} s "
            f"({result.checked / max(took, 1e-9):,.0f} entries/s)"
        )
    else:
        print(f"  CHECK FAILED: {result.summary()}")
        ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
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
    connection.close()
    print(f"Database: {connection.vendor} {version}, {connection.settings_dict['NAME']}")
    mode = f"{args.seconds:g} s per phase" if args.seconds else "fixed counts"
    print(f"Workers: {args.workers} threads, one connection each; {mode}; cores: {os.cpu_count()}")
    ok = bench_numbering(args)
    ok = bench_numbering_many_scopes(args) and ok
    ok = bench_audit(args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
