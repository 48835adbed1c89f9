#!/usr/bin/env python
"""Benchmark of incoming documents: registration, full-text search, OCR.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/bench_incoming.py [--register 2000] [--workers 8] \\
        [--documents 100000] [--search-threads 8] [--search-seconds 10] [--ocr-pages 6]

With a PostgreSQL URL the script never touches the database named in the URL: it
uses its own database ``egov_bench_incoming`` (``--bench-db``) on the same server.

1. **Registration**: ``--register`` documents wait unregistered in one agency's
   queue; ``--workers`` threads (own connections) register them through
   ``services.register`` (lock, duplicate check, incoming number, event, audit).
   Prints registrations per second; checks the numbers are exactly 1..N.
2. **Search**: the table is filled to ``--documents`` rows (metadata and an OCR-like
   body, over 40 agencies; one year of the province is about 1.5 million: pass
   ``--documents 1500000``), then ``--search-threads`` threads run
   ``selectors.search`` as a records clerk of one agency for ``--search-seconds``
   with two- and three-word queries typed without diacritics. Prints requests per
   second and p50/p95/p99.
3. **OCR**: ``--ocr-pages`` generated A4-like scans read by Tesseract (vie+eng),
   one after the other; prints pages per minute.

It asserts nothing about speed; it exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import prepare_postgres, setup_django

REPO_ROOT = Path(__file__).resolve().parent.parent
AGENCIES = 40


def _split(text: str) -> list[str]:
    return text.split()


# Frequent words of official letters first, then syllables made of Vietnamese onsets
# and rhymes; drawn with a Zipf-like law so that queries are as selective as in a
# real corpus (a few very common words, a long tail).
COMMON = [
    *_split("báo cáo tình hình ứng dụng công nghệ thông tin chuyển đổi số kế hoạch triển khai"),
    *_split("dịch vụ công trực tuyến thủ tục hành chính cải cách quyết định công bố danh mục"),
    *_split("hướng dẫn lập hồ sơ lưu trữ điện tử kiểm tra văn bản quy phạm pháp luật đôn đốc"),
    *_split("thực hiện nghị quyết hội đồng nhân dân ngân sách đầu tư xây dựng giao thông"),
    *_split("nông nghiệp thủy sản y tế giáo dục tài nguyên môi trường an ninh trật tự"),
]
ONSETS = _split("b c ch d đ g gi h k kh l m n ng nh p ph qu r s t th tr v x")
RHYMES = _split(
    "a ai am an ang anh ao at au ay e em en eo et i ia im in inh it iu o oa oai oan oc oi "
    "om on ong ot u ua ui um un ung ut uy uyên ư ưa ưng ươn ương"
)
WORDS = COMMON + [onset + rhyme for onset in ONSETS for rhyme in RHYMES]
WEIGHTS = [1 / (rank + 1) ** 1.05 for rank in range(len(WORDS))]
AGENCY_NAMES = (
    "Ủy ban nhân dân tỉnh Kiên Giang",
    "Bộ Tư pháp",
    "Văn phòng Chính phủ",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Công an tỉnh",
    "Bộ Nội vụ",
)
QUERIES = (
    "bao cao tinh hinh",
    "chuyen doi so",
    "dich vu cong truc tuyen",
    "thu tuc hanh chinh",
    "kiem tra van ban",
    "ngan sach dau tu",
    "ke hoach trien khai",
    "ho so luu tru",
    "cong van don doc",
    "quyet dinh cong bo",
    "an ninh trat tu",
    "nong nghiep thuy san",
)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_incoming")
    parser.add_argument("--register", type=int, default=2000, help="Documents to register.")
    parser.add_argument("--workers", type=int, default=8, help="Registering threads.")
    parser.add_argument("--documents", type=int, default=100_000, help="Rows to search in.")
    parser.add_argument("--search-threads", type=int, default=8)
    parser.add_argument("--search-seconds", type=float, default=10.0)
    parser.add_argument("--ocr-pages", type=int, default=6)
    return parser.parse_args(argv)


def _world() -> tuple[list[Any], Any, Any]:
    """Agencies, a records clerk of the first one, and a superuser."""
    from egov.accounts.default_roles import ensure_default_roles
    from egov.accounts.models import AccountKind, Role, RoleAssignment, User
    from egov.core.models import Unit, UnitLevel
    from egov.core.services.units import create_unit
    from egov.documents.doctypes import ensure_document_types

    ensure_default_roles()
    ensure_document_types()
    root = Unit.objects.filter(code="000.00.00.H33", dissolved_at__isnull=True).first()
    if root is None:
        root = create_unit(
            None,
            None,
            code="000.00.00.H33",
            name="UBND tỉnh Kiên Giang",
            level=UnitLevel.PROVINCE,
        )
    agencies = []
    for n in range(1, AGENCIES + 1):
        code = f"000.00.{n:02d}.H33"
        unit = Unit.objects.filter(code=code, dissolved_at__isnull=True).first()
        if unit is None:
            unit = create_unit(
                None, root, code=code, name=f"Sở số {n}", level=UnitLevel.PROVINCIAL_AGENCY
            )
        agencies.append(unit)
    clerk, made = User.objects.get_or_create(
        username="bench.vanthu", defaults={"full_name": "Văn thư", "kind": AccountKind.STAFF}
    )
    if made:
        RoleAssignment.objects.create(
            user=clerk, role=Role.objects.get(code="records_clerk"), unit=agencies[0]
        )
    return agencies, clerk, None


def _body(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, WEIGHTS, k=words))


def bench_register(args: argparse.Namespace, agency: Any, clerk: Any) -> bool:
    from django.db import connection
    from django.utils import timezone

    from egov.documents import services
    from egov.documents.models import IncomingDocument, IncomingStatus, OcrStatus, Source
    from egov.documents.services.common import search_text_of

    rng = random.Random(1)
    run = uuid.uuid4().hex[:8]
    rows = []
    for n in range(args.register):
        doc = IncomingDocument(
            recipient_agency=agency,
            source=Source.PAPER,
            received_at=timezone.now(),
            status=IncomingStatus.RECEIVED,
            ocr_status=OcrStatus.NONE,
            issuing_agency_name=rng.choice(AGENCY_NAMES),
            code_number=str(n + 1),
            code_notation=f"BENCH-{run}",
            subject=_body(rng, 12).capitalize(),
        )
        doc.search_text = search_text_of(doc)
        rows.append(doc)
    IncomingDocument.objects.bulk_create(rows, batch_size=1000)
    ids = list(
        IncomingDocument.objects.filter(code_notation=f"BENCH-{run}").values_list("pk", flat=True)
    )
    queue = list(ids)
    lock = threading.Lock()
    errors: list[str] = []
    numbers: list[int] = []
    gate = threading.Barrier(args.workers + 1)

    def worker() -> None:
        gate.wait()
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    pk = queue.pop()
                try:
                    done = services.register(IncomingDocument(pk=pk), actor=clerk)
                    with lock:
                        numbers.append(int(done.arrival_number or 0))
                except Exception as error:  # reported below
                    with lock:
                        errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    gate.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    first = min(numbers) if numbers else 0
    gap_free = sorted(numbers) == list(range(first, first + len(numbers)))
    print(
        f"register: {len(numbers)} documents by {args.workers} workers in {elapsed:.2f} s "
        f"= {len(numbers) / elapsed:.0f} per second; numbers {first}..{first + len(numbers) - 1}"
        f" gap-free: {gap_free}; errors: {len(errors)}"
    )
    if errors:
        print("  first error:", errors[0])
    return gap_free and not errors


def fill(args: argparse.Namespace, agencies: list[Any]) -> None:
    from django.utils import timezone

    from egov.documents.models import IncomingDocument, IncomingStatus, OcrStatus, Source
    from egov.documents.services.common import search_text_of

    have = IncomingDocument.objects.count()
    missing = args.documents - have
    if missing <= 0:
        print(f"search: {have} documents already there")
        return
    rng = random.Random(2)
    start = time.perf_counter()
    batch: list[Any] = []
    now = timezone.now()
    for n in range(missing):
        doc = IncomingDocument(
            recipient_agency=agencies[n % len(agencies)],
            source=Source.PAPER,
            received_at=now - timedelta(seconds=rng.randint(0, 365 * 86400)),
            status=IncomingStatus.REGISTERED,
            ocr_status=OcrStatus.DONE,
            issuing_agency_name=rng.choice(AGENCY_NAMES),
            code_number=str(n % 9000 + 1),
            code_notation=rng.choice(("UBND-VP", "KH-UBND", "QĐ-UBND", "STC-NS")),
            subject=_body(rng, 14).capitalize(),
            ocr_text=_body(rng, 120),
        )
        doc.search_text = search_text_of(doc)
        batch.append(doc)
        if len(batch) == 5000:
            IncomingDocument.objects.bulk_create(batch)
            batch = []
    if batch:
        IncomingDocument.objects.bulk_create(batch)
    elapsed = time.perf_counter() - start
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE documents_incomingdocument")
    print(
        f"search: generated {missing} documents in {elapsed:.0f} s "
        f"({missing / elapsed:.0f} rows/s, GIN/FTS index kept up to date)"
    )


def bench_search(args: argparse.Namespace, clerk: Any) -> bool:
    from django.db import connection

    from egov.documents import selectors

    latencies: list[float] = []
    counts: list[int] = []
    lock = threading.Lock()
    stop_at = [0.0]
    gate = threading.Barrier(args.search_threads + 1)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        gate.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                query = rng.choice(QUERIES)
                began = time.perf_counter()
                page = list(selectors.search(clerk, query)[:20])
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    counts.append(len(page))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.search_threads)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + args.search_seconds
    gate.wait()
    for thread in threads:
        thread.join()
    if not latencies:
        print("search: no request completed")
        return False
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        f"search: {len(latencies)} searches by {args.search_threads} threads in "
        f"{args.search_seconds:.0f} s = {len(latencies) / args.search_seconds:.0f} per second; "
        f"p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms; "
        f"mean hits per page {statistics.mean(counts):.1f}"
    )
    return all(count > 0 for count in counts[:10])


def bench_ocr(args: argparse.Namespace) -> bool:
    from egov.documents import ocr
    from egov.documents.demo import scan_png

    if ocr.tesseract_path() is None:
        print("ocr: tesseract not installed (make ocr-deps): skipped")
        return True
    rng = random.Random(3)
    pages = [
        scan_png(tuple(_body(rng, 5).upper() if i == 0 else _body(rng, 6) for i in range(8)))
        for _ in range(args.ocr_pages)
    ]
    start = time.perf_counter()
    read = [ocr.ocr_image(page) for page in pages]
    elapsed = time.perf_counter() - start
    print(
        f"ocr: {len(pages)} pages (1400×700 px, 8 lines) in {elapsed:.1f} s = "
        f"{len(pages) / elapsed * 60:.0f} pages per minute in one process"
    )
    return all(text.strip() for text in read)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    url = args.database_url
    if url.startswith("postgres"):
        url = prepare_postgres(url, args.bench_db)
    elif not url:
        print("Set DATABASE_URL (PostgreSQL) or pass --database-url.", file=sys.stderr)
        return 2
    setup_django(url)
    from django.db import connection

    print(f"database: {connection.vendor} ({args.bench_db if 'postgres' in url else url})")
    agencies, clerk, _ = _world()
    ok = bench_register(args, agencies[0], clerk)
    fill(args, agencies)
    ok = bench_search(args, clerk) and ok
    ok = bench_ocr(args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
