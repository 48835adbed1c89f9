#!/usr/bin/env python
"""Time the whole 766 index (groups 1–4, every indicator with what lowered it) over
the large dataset.

Usage (from the repository root; fill the database first with
``bench/generate_dossiers.py``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/index766.py [--bench-db egov_bench_quality] [--year 2019]

It reads the database ``--bench-db`` on the server of the URL (default
``egov_bench_quality``: a copy of ``egov_bench_large`` made with
``CREATE DATABASE egov_bench_quality TEMPLATE egov_bench_large``, so that this
branch's migrations never touch the shared one) and applies the migrations. For
the province (no unit filter), one district and one commune, and the chosen year,
it runs :func:`egov.quality.index.compute` once to warm the caches, then
``--repeat`` times, printing min / median / max seconds and the number of SQL
statements. It asserts nothing about speed (goal: under 2 s for the province).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import setup_django


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_quality")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    url: str = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL (or --database-url) to a postgres:// URL.")
        return 2
    setup_django(urlunsplit(urlsplit(url)._replace(path=f"/{args.bench_db}")))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from egov.core.models import Unit, UnitLevel
    from egov.dossiers.models import Dossier
    from egov.quality import index

    total = Dossier.objects.count()
    start, end = date(args.year, 1, 1), date(args.year, 12, 31)
    print(f"{total:,} dossiers in {args.bench_db}; period {start} – {end}")
    province = Unit.objects.filter(depth=1).order_by("path").first()
    district = Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("path").first()
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).order_by("path").first()
    for label, unit in (("province", province), ("district", district), ("commune", commune)):
        if unit is None:
            continue
        result = index.compute(unit, start, end)  # warm
        with CaptureQueriesContext(connection) as queries:
            index.compute(unit, start, end)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = index.compute(unit, start, end)
            times.append(time.perf_counter() - started)
        rows = {row.code: row for g in result.groups for row in g.indicators}
        on_time = rows["2.1"]
        print(
            f"{label:9} {unit.name[:40]:40} min {min(times):.3f} s, median "
            f"{statistics.median(times):.3f} s, max {max(times):.3f} s; "
            f"{len(queries)} queries; 2.1 = {on_time.numerator:,}/{on_time.denominator:,} "
            f"({on_time.value}%), score {result.score}%"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
