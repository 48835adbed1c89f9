#!/usr/bin/env python
"""Time 2.2 of the 766 index (average processing time in working time, by the core
working-day calendar) over the large dataset, read-only.

Usage (from the repository root; fill the database first with
``bench/generate_dossiers.py``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/index766_processing_time.py [--bench-db egov_bench_large] [--year 2019]

It only reads ``dossiers_dossier`` and the calendar overrides, so it runs on the
shared ``egov_bench_large`` without migrating it. For the province (no unit
filter), one district and one commune and the chosen year it runs
:func:`egov.dossiers.index_figures.working_time_totals` once to warm the caches,
then ``--repeat`` times, printing min / median / max seconds, the number of
procedures and completed dossiers, the mean working days and, for scale, the time
of the index's main dossier query (``version_counts``) once. It asserts nothing
about speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import setup_django


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_large")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    url: str = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL (or --database-url) to a postgres:// URL.")
        return 2
    setup_django(urlunsplit(urlsplit(url)._replace(path=f"/{args.bench_db}")), migrate=False)

    from datetime import date

    from egov.core.models import Unit, UnitLevel
    from egov.core.workcalendar import get_calendar
    from egov.dossiers import index_figures
    from egov.quality import index

    start, end = index.bounds(date(args.year, 1, 1), date(args.year, 12, 31))
    day_seconds = get_calendar().working_day_length.total_seconds()
    province = Unit.objects.filter(depth=1).order_by("path").first()
    district = Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("path").first()
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).order_by("path").first()
    print(f"{args.bench_db}; year {args.year}")
    for label, unit in (("province", province), ("district", district), ("commune", commune)):
        if unit is None:
            continue
        ids = index.unit_ids(unit)
        totals = index_figures.working_time_totals(ids, start, end)  # warm
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            totals = index_figures.working_time_totals(ids, start, end)
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        index_figures.version_counts(ids, start, end)
        main_query = time.perf_counter() - started
        completed = sum(count for count, _seconds in totals.values())
        seconds = sum(total for _count, total in totals.values())
        mean = seconds / completed / day_seconds if completed else 0.0
        print(
            f"{label:9} {unit.name[:40]:40} min {min(times):.3f} s, median "
            f"{statistics.median(times):.3f} s, max {max(times):.3f} s; "
            f"{len(totals)} procedures, {completed:,} completed dossiers, "
            f"mean {mean:.2f} working days (for scale: the index's main dossier query "
            f"{main_query:.3f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
