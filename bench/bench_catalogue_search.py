#!/usr/bin/env python
"""Benchmark of the public catalogue search (``egov.portal.search``) under load.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/bench_catalogue_search.py [--threads 16] [--seconds 20] [--page]

With a PostgreSQL URL the script never touches the database named in the URL: it
uses the same server and credentials with its own database
``egov_bench_catalogue`` (``--bench-db``), creating it when missing, applying
migrations and filling it once (``--reset`` fills it again) with

* the demo organisation tree of Kiên Giang (``load_demo_units``: 15 districts,
  143 communes, 22 departments);
* the 35 real procedures of the demo catalogue, plus generated ones up to
  ``--procedures`` (2,200, about a province's catalogue): names composed from
  real Vietnamese procedure vocabulary (an action, an object of the field, a
  qualifier: "Cấp lại Giấy phép xây dựng đối với nhà ở riêng lẻ"), twelve
  fields, commune / district / province level, carried out by every commune,
  every district or one department as real procedures are (about 100,000 rows
  procedure → agency). Rows are written with ``bulk_create`` (no audit entries:
  this is a read benchmark).

Then, like ``bench_lookup.py`` (whose server start it reuses: gunicorn with
``--server-workers`` processes of ``--server-threads`` threads, as in production,
or ``--server django``, Django's threaded server in one process; either way a
**separate process** from the load generator; each server process builds its own
index on its first request, within the warm-up), it runs
``--threads`` client threads for ``--seconds`` after a ``--warmup``, each issuing
``GET /api/v1/portal/procedures?q=<query>`` (or the HTML page
``/dich-vu-cong/thu-tuc/?q=`` with ``--page``) with queries drawn from a mix:
with and without diacritics, with typos, national codes, filters, empty. It prints
requests per second and p50/p95/p99 latency, overall and per kind of query, and
the in-process search time per query (no HTTP, one thread).

Checks (exit 1 on failure): every answer is 200, and the queries with a known
best answer ("dang ky khai sinh", "khai sihn", "1.001193", …) have it first. It
asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import prepare_postgres, setup_django  # noqa: E402 (bench/ is on sys.path)
from bench_lookup import _connect, percentile, start_server  # noqa: E402

#: (kind, query, national code expected first or None)
QUERIES: list[tuple[str, str, str | None]] = [
    ("diacritics", "Đăng ký khai sinh", "1.001193"),
    ("diacritics", "Đăng ký kết hôn", "1.000894"),
    ("diacritics", "xác nhận thông tin hộ tịch", "2.002516"),
    ("diacritics", "giấy phép xây dựng", None),
    ("diacritics", "chứng thực bản sao", None),
    ("plain", "dang ky khai sinh", "1.001193"),
    ("plain", "dang ky ket hon", "1.000894"),
    ("plain", "giay phep xay dung nha o rieng le", None),
    ("plain", "cap doi giay phep lai xe", None),
    ("plain", "ho kinh doanh", None),
    ("plain", "ho so", None),
    ("plain", "quyen su dung dat", None),
    ("typo", "dang ki khai sinh", "1.001193"),
    ("typo", "khai sihn", "1.001193"),
    ("typo", "dnag ky ket hon", "1.000894"),
    ("typo", "giay phep xay dungg", None),
    ("typo", "chung thuc ban sao tu ban chinhh", None),
    ("typo", "ly lich tu phapp", None),
    ("code", "1.001193", "1.001193"),
    ("code", "2.002516", "2.002516"),
    ("code", "1.00", None),
    ("filter", "dang ky&level=commune", None),
    ("filter", "&field=ho-tich", None),
    ("empty", "", None),
]

FIELDS: dict[str, tuple[str, list[str]]] = {
    "ho-tich": (
        "Hộ tịch",
        [
            "khai sinh",
            "kết hôn",
            "khai tử",
            "nhận cha, mẹ, con",
            "giám hộ",
            "thay đổi, cải chính hộ tịch",
            "xác định lại dân tộc",
            "trích lục hộ tịch",
        ],
    ),
    "chung-thuc": (
        "Chứng thực",
        [
            "bản sao từ bản chính",
            "chữ ký trong giấy tờ, văn bản",
            "hợp đồng, giao dịch",
            "di chúc",
            "văn bản thỏa thuận phân chia di sản",
        ],
    ),
    "dat-dai": (
        "Đất đai",
        [
            "Giấy chứng nhận quyền sử dụng đất",
            "biến động quyền sử dụng đất",
            "chuyển mục đích sử dụng đất",
            "tách thửa, hợp thửa đất",
            "gia hạn sử dụng đất",
        ],
    ),
    "hoat-dong-xay-dung": (
        "Hoạt động xây dựng",
        [
            "Giấy phép xây dựng",
            "Giấy phép sửa chữa, cải tạo công trình",
            "Giấy phép di dời công trình",
            "chứng chỉ hành nghề hoạt động xây dựng",
        ],
    ),
    "ho-kinh-doanh": (
        "Thành lập và hoạt động của hộ kinh doanh",
        ["hộ kinh doanh", "tạm ngừng kinh doanh", "chấm dứt hoạt động hộ kinh doanh"],
    ),
    "thanh-lap-doanh-nghiep": (
        "Thành lập và hoạt động doanh nghiệp",
        [
            "doanh nghiệp tư nhân",
            "công ty trách nhiệm hữu hạn",
            "công ty cổ phần",
            "chi nhánh, văn phòng đại diện",
            "địa điểm kinh doanh",
        ],
    ),
    "duong-bo": (
        "Đường bộ",
        ["Giấy phép lái xe", "Giấy đăng ký xe", "Giấy phép liên vận", "biển hiệu xe"],
    ),
    "giao-duc": (
        "Giáo dục và Đào tạo",
        [
            "trường mầm non",
            "trường tiểu học",
            "trung tâm ngoại ngữ, tin học",
            "văn bằng, chứng chỉ",
        ],
    ),
    "bao-tro-xa-hoi": (
        "Bảo trợ xã hội",
        ["trợ cấp xã hội hằng tháng", "hỗ trợ chi phí mai táng", "cơ sở trợ giúp xã hội"],
    ),
    "viec-lam": (
        "Việc làm",
        ["giấy phép lao động", "trợ cấp thất nghiệp", "dịch vụ việc làm"],
    ),
    "luu-thong-hang-hoa": (
        "Lưu thông hàng hóa trong nước",
        [
            "Giấy phép bán lẻ sản phẩm rượu",
            "Giấy phép bán lẻ sản phẩm thuốc lá",
            "cửa hàng xăng dầu",
        ],
    ),
    "y-te": (
        "Y tế",
        ["chứng chỉ hành nghề khám bệnh, chữa bệnh", "giấy phép hoạt động phòng khám", "nhà thuốc"],
    ),
}
ACTIONS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Điều chỉnh",
    "Gia hạn",
    "Thu hồi",
    "Đăng ký",
    "Đăng ký thay đổi",
    "Xác nhận",
    "Thẩm định hồ sơ",
    "Công nhận",
    "Chấp thuận",
    "Cho phép",
    "Giải quyết",
]
QUALIFIERS = [
    "",
    "",
    "có yếu tố nước ngoài",
    "đối với nhà ở riêng lẻ",
    "cho tổ chức",
    "cho cá nhân",
    "trong trường hợp bị mất, hỏng",
    "do hết hạn",
    "lưu động",
    "trên địa bàn tỉnh",
    "cho người nước ngoài",
    "theo yêu cầu",
    "đối với công trình cấp III",
]
LEVELS = [("commune", 0.4), ("district", 0.35), ("provincial_agency", 0.25)]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_catalogue")
    parser.add_argument("--procedures", type=int, default=2200, help="Procedures in force.")
    parser.add_argument("--reset", action="store_true", help="Fill the catalogue again.")
    parser.add_argument("--threads", type=int, default=16, help="Concurrent client threads.")
    parser.add_argument("--seconds", type=float, default=20.0, help="Measured duration.")
    parser.add_argument("--warmup", type=float, default=3.0, help="Unmeasured warm-up (s).")
    parser.add_argument("--port", type=int, default=8766, help="Port of the server process.")
    parser.add_argument("--page", action="store_true", help="Load the HTML page, not the API.")
    parser.add_argument("--seed", type=int, default=2200)
    parser.add_argument(
        "--server",
        choices=("django", "gunicorn"),
        default="gunicorn",
        help="The server process (see bench_lookup.py): gunicorn as in production, or "
        "Django's threaded development server (one process).",
    )
    parser.add_argument("--server-workers", type=int, default=3, help="gunicorn workers.")
    parser.add_argument("--server-threads", type=int, default=4, help="Threads per worker.")
    return parser.parse_args(argv)


# --- the database ------------------------------------------------------------------------


def _names(rng: random.Random, wanted: int, taken: set[str]) -> list[tuple[str, str]]:
    """(field code, name) pairs, all different and different from ``taken``."""
    result: list[tuple[str, str]] = []
    seen = set(taken)
    codes = list(FIELDS)
    attempts = 0
    while len(result) < wanted:
        attempts += 1
        if attempts > wanted * 200:
            raise RuntimeError("vocabulary too small for that many procedures")
        field_code = rng.choice(codes)
        thing = rng.choice(FIELDS[field_code][1])
        action = rng.choice(ACTIONS)
        qualifier = rng.choice(QUALIFIERS)
        name = " ".join(part for part in (action, thing, qualifier) if part)
        name = name[0].upper() + name[1:]
        if name in seen:
            continue
        seen.add(name)
        result.append((field_code, name))
    return result


def fill(wanted: int, seed: int, reset: bool) -> int:
    """Publish the demo catalogue and generated procedures up to ``wanted``;
    return the number of procedures in force."""
    from django.db import transaction
    from django.utils import timezone

    from egov.accounts.default_roles import ensure_default_roles
    from egov.core.demo_units import load_demo_units
    from egov.core.models import Unit, UnitLevel
    from egov.procedures.demo import load_demo_procedures
    from egov.procedures.models import (
        Procedure,
        ProcedureField,
        ProcedureVersion,
        RequiredPaper,
        VersionStatus,
    )
    from egov.procedures.text import search_key

    published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    if not reset and published.count() >= wanted:
        return published.count()
    print("Filling the catalogue…", flush=True)
    started = time.perf_counter()
    ensure_default_roles()
    load_demo_units()
    if reset:
        generated = Procedure.objects.filter(national_code__startswith="8.")
        ProcedureVersion.agencies.through.objects.filter(
            procedureversion__procedure__in=generated
        ).delete()
        RequiredPaper.objects.filter(version__procedure__in=generated).delete()
        ProcedureVersion.objects.filter(procedure__in=generated).delete()
        generated.delete()
    load_demo_procedures()
    for code, (name, _) in FIELDS.items():
        ProcedureField.objects.get_or_create(code=code, defaults={"name": name})
    fields = {item.code: item for item in ProcedureField.objects.all()}
    units = list(Unit.objects.filter(dissolved_at__isnull=True))
    by_level = {
        "commune": [u for u in units if u.level == UnitLevel.COMMUNE],
        "district": [u for u in units if u.level == UnitLevel.DISTRICT],
        "provincial_agency": [u for u in units if u.level == UnitLevel.PROVINCIAL_AGENCY],
    }
    rng = random.Random(seed)
    missing = wanted - published.count()
    taken = set(published.values_list("name", flat=True))
    now = timezone.now()
    with transaction.atomic():
        pairs = _names(rng, max(0, missing), taken)
        start = Procedure.objects.filter(national_code__startswith="8.").count()
        procedures = Procedure.objects.bulk_create(
            [Procedure(national_code=f"8.{start + n:06d}") for n in range(len(pairs))]
        )
        versions = []
        for procedure, (field_code, name) in zip(procedures, pairs, strict=True):
            level = rng.choices([lv for lv, _ in LEVELS], [w for _, w in LEVELS])[0]
            versions.append(
                ProcedureVersion(
                    procedure=procedure,
                    number=1,
                    status=VersionStatus.PUBLISHED,
                    name=name,
                    field=fields[field_code],
                    levels=[level],
                    online_level=rng.choice([2, 3, 3, 4, 4]),
                    time_limit=Decimal(rng.choice([1, 3, 5, 7, 10, 15, 20, 30])),
                    fees=[{"name": "Lệ phí", "amount": rng.choice([0, 10000, 50000, 100000])}],
                    result_type="Giấy phép",
                    legal_basis="Luật Tổ chức chính quyền địa phương 2015",
                    published_at=now,
                    search_key=search_key(f"{procedure.national_code} {name}"),
                )
            )
        versions = ProcedureVersion.objects.bulk_create(versions)
        through = ProcedureVersion.agencies.through
        links: list[Any] = []
        for version in versions:
            level = version.levels[0]
            agencies = (
                by_level[level]
                if level != "provincial_agency"
                else [rng.choice(by_level["provincial_agency"])]
            )
            links.extend(
                through(procedureversion_id=version.pk, unit_id=unit.pk) for unit in agencies
            )
        through.objects.bulk_create(links, batch_size=5000)
        RequiredPaper.objects.bulk_create(
            [
                RequiredPaper(version=version, position=1, name="Đơn đề nghị", form="original")
                for version in versions
            ]
        )
    total = published.count()
    print(f"Catalogue filled: {total:,} procedures in {time.perf_counter() - started:.1f} s.")
    return total


# --- in-process search ---------------------------------------------------------------------


def in_process(rounds: int = 20) -> tuple[float, dict[str, float], list[str]]:
    """Index build time and mean search time per kind (one thread, no HTTP); also
    checks the expected best answers."""
    from egov.portal.search import build_index

    began = time.perf_counter()
    index = build_index()
    build = time.perf_counter() - began
    problems = []
    per_kind: dict[str, list[float]] = {}
    for kind, query, expected in QUERIES:
        text = query.split("&", 1)[0]
        result = index.search(text, max_chars=200)
        if expected and (not result.hits or result.hits[0].entry.national_code != expected):
            first = result.hits[0].entry.national_code if result.hits else None
            problems.append(f"{query!r}: expected {expected} first, got {first}")
        began = time.perf_counter()
        for _ in range(rounds):
            index.search(text, max_chars=200)
        per_kind.setdefault(kind, []).append((time.perf_counter() - began) / rounds)
    return build, {kind: statistics.fmean(v) for kind, v in per_kind.items()}, problems


# --- the load generator --------------------------------------------------------------------


@dataclass
class WorkerResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0


def _path(query: str, page: bool) -> str:
    text, _, extra = query.partition("&")
    params = {"q": text}
    for pair in extra.split("&") if extra else []:
        key, _, value = pair.partition("=")
        params[key] = value
    if page:
        names = {"field": "linh_vuc", "level": "cap"}
        return "/dich-vu-cong/thu-tuc/?" + urlencode(
            {names.get(k, k): v for k, v in params.items()}
        )
    return "/api/v1/portal/procedures?" + urlencode(params)


def _check(query: str, expected: str | None, status: int, body: bytes, page: bool) -> str | None:
    if status != 200:
        return f"{query!r}: HTTP {status}"
    if expected is None:
        return None
    if page:
        return None if f"/dich-vu-cong/thu-tuc/{expected}/".encode() in body else f"{query!r}"
    items = json.loads(body)["items"]
    if not items or items[0]["national_code"] != expected:
        return f"{query!r}: {expected} not first"
    return None


def worker(
    port: int, seed: int, start_at: float, stop_at: float, page: bool, result: WorkerResult
) -> None:
    rng = random.Random(seed)
    connection = _connect(port)
    while time.perf_counter() < stop_at:
        kind, query, expected = rng.choice(QUERIES)
        began = time.perf_counter()
        try:
            connection.request("GET", _path(query, page), headers={"Connection": "keep-alive"})
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
                result.errors.append(f"{query!r}: {error!r}")
            continue
        elapsed = time.perf_counter() - began
        if began < start_at:
            continue
        result.latencies.setdefault(kind, []).append(elapsed)
        problem = _check(query, expected, response.status, body, page)
        if problem:
            result.errors.append(problem)
    connection.close()


def _line(label: str, values: list[float], seconds: float) -> str:
    ms = sorted(value * 1000 for value in values)
    if not ms:
        return f"{label:<11} no requests"
    return (
        f"{label:<11} {len(ms):>7,} req {len(ms) / seconds:>8,.1f}/s"
        f"  p50 {percentile(ms, 0.5):6.1f}"
        f"  p95 {percentile(ms, 0.95):6.1f}  p99 {percentile(ms, 0.99):6.1f}  max {ms[-1]:6.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    url = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "Set DATABASE_URL to a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres)."
        )
        return 2
    bench_url = prepare_postgres(url, args.bench_db)
    setup_django(bench_url)
    total = fill(args.procedures, args.seed, args.reset)
    from django.db import connection as db

    from egov.procedures.models import ProcedureVersion

    links = ProcedureVersion.agencies.through.objects.count()
    build, per_kind, problems = in_process()
    db.close()
    print(
        f"database: {args.bench_db}, {total:,} procedures in force, {links:,} procedure-agency rows"
    )
    print(f"index build: {build * 1000:.0f} ms (once per catalogue change, per process)")
    print(
        "in-process search, mean per query: "
        + ", ".join(f"{kind} {seconds * 1000:.2f} ms" for kind, seconds in per_kind.items())
    )

    server = start_server(bench_url, args.port, args)
    try:
        results = [WorkerResult() for _ in range(args.threads)]
        start_at = time.perf_counter() + args.warmup
        stop_at = start_at + args.seconds
        threads = [
            threading.Thread(
                target=worker,
                args=(args.port, args.seed + n, start_at, stop_at, args.page, results[n]),
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
        except Exception:
            server.kill()

    target = (
        "HTML page /dich-vu-cong/thu-tuc/?q=" if args.page else "GET /api/v1/portal/procedures?q="
    )
    server_text = (
        f"gunicorn {args.server_workers} workers x {args.server_threads} threads"
        if args.server == "gunicorn"
        else "Django threaded server, 1 process"
    )
    print(f"target: {target}; server: {server_text}")
    print(f"load: {args.threads} client threads, keep-alive; {args.seconds:g} s measured")
    kinds: dict[str, list[float]] = {}
    for result in results:
        for kind, values in result.latencies.items():
            kinds.setdefault(kind, []).extend(values)
    every = [value for values in kinds.values() for value in values]
    print(_line("all", every, args.seconds))
    for kind, values in sorted(kinds.items()):
        print(_line(kind, values, args.seconds))
    errors = problems + [error for result in results for error in result.errors]
    reconnects = sum(result.reconnects for result in results)
    print(f"errors: {len(errors)}; reconnects: {reconnects}")
    for error in errors[:10]:
        print("  ", error)
    return 1 if errors or not every else 0


if __name__ == "__main__":
    sys.exit(main())
