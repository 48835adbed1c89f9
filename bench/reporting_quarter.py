#!/usr/bin/env python
"""Time the automatic part of a provincial quarterly report on the large dataset.

Usage (from the repository root; fill the database first with
``bench/generate_dossiers.py``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/reporting_quarter.py [--year 2019] [--quarter 2] [--repeat 5]

It reads the database ``egov_bench_large`` (``--bench-db``) on the server of the
URL. For the seed regime "tthc-quy" (the Government Office's periodic form on
administrative procedures), it computes every automatic indicator for the root
unit (the whole province) over the Nghị định 09 quarter (15th of the month before
to the 14th), with the breakdown tables by unit, by field and by level and field — what
``reporting.services.create_report`` runs before saving — and prints min / median
/ max seconds after one warm-up, then the same for one district and one commune.
The regime is read from ``egov/reporting/data/regimes.json`` so the benchmark
needs no reporting tables in that database. It asserts nothing about speed; it
checks that the province's figures equal the sum of its children's rows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_large")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--quarter", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    url: str = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL (or --database-url) to a postgres:// URL.")
        return 2
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{args.bench_db}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()

    from egov.core.models import Unit, UnitLevel
    from egov.core.periods import cutoff_quarter
    from egov.dossiers.models import Dossier
    from egov.reporting import sources

    regimes = json.loads(
        (REPO_ROOT / "egov" / "reporting" / "data" / "regimes.json").read_text(encoding="utf-8")
    )
    regime = next(r for r in regimes if r["code"] == "tthc-quy")
    keys = [i["source"] for i in regime["indicators"] if i.get("source")]
    period = cutoff_quarter(args.year, args.quarter)
    total = Dossier.objects.count()
    if not total:
        print(f"No dossiers in {args.bench_db}: run bench/generate_dossiers.py first.")
        return 2
    province = Unit.objects.filter(depth=1).order_by("path").first()
    district = Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("path").first()
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).order_by("path").first()
    assert province is not None
    print(
        f"{args.bench_db}: {total:,} dossiers; regime {regime['code']} "
        f"({len(keys)} automatic indicators + tables by unit, field, level); "
        f"period {period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}; {os.cpu_count()} cores; "
        f"{args.repeat} runs after one warm-up"
    )
    print(f"{'unit':<40} {'min':>7} {'median':>7} {'max':>7}  received  on-time %")
    ok = True
    for label, unit in (("province", province), ("district", district), ("commune", commune)):
        if unit is None:
            continue
        computed = sources.compute(keys, unit, period.start, period.end)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            sources.compute(keys, unit, period.start, period.end)
            times.append(time.perf_counter() - started)
        received = computed.values["dossiers.received"]
        print(
            f"{label + ' ' + unit.code:<40} {min(times):7.3f} {statistics.median(times):7.3f} "
            f"{max(times):7.3f}  {received:>8,} {computed.values['dossiers.on_time_share']!s:>9}"
        )
        rows = computed.tables.get("by_unit", [])
        if rows and sum(r["received"] for r in rows) != received:
            print(f"  MISMATCH: rows by unit add up to {sum(r['received'] for r in rows):,}")
            ok = False
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Load average (1 min) at the end: {load:.2f} on {os.cpu_count()} cores")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
