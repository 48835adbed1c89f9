#!/usr/bin/env python
"""Fill a PostgreSQL database with a large, realistic set of one-stop dossiers.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/generate_dossiers.py [--count 1000000 | --small 20000] [--reset]

Like ``bench_numbering.py`` the script never touches the database named in the
URL: it uses the same server and credentials with its own database
``egov_bench_large`` (``--bench-db``), creating it when missing and applying the
migrations. Statistics (``bench_stats.py``) and the public lookup benchmark read it.

What it writes
--------------
* the demo organisation tree (``load_demo_units``) and the demo catalogue
  (``load_demo_procedures`` when that command exists; otherwise about 30
  procedure versions of its own, with illustrative national codes);
* ``--count`` dossiers (default 1,000,000) received in 2019–2020 (``--years``)
  by the agencies in the proportions of the seed: per year 14,304 at provincial
  departments, 43,806 at districts, 15,392 at communes (73,502 in all), spread
  over the working days of the calendar, in office hours;
* channels: online 13.5 % in 2019 and 25 % in 2020 (an assumption: the seed gives
  2019 only), post 2 %, the rest at the desk; online dossiers only for procedures
  offered online (level 3 or 4);
* outcomes as seen at ``--as-of`` (default 31/12/2020 16:30): about 1 % refused
  at the desk, 0.8 % withdrawn, 0.4 % stopped, 0.2 % stuck; the others resolved
  early (55 %), on time (42 %) or late (3 %, a third of them with an apology
  letter and a new appointment); results handed back 0–3 working days later
  (1.5 % never collected); whatever would happen after ``--as-of`` is still in
  progress (some waiting for a supplement), online submissions not yet accepted
  are in status 1;
* for each dossier its history (``DossierEvent``: receipt or submission and
  acceptance, forward, result ready, return, withdrawal, stop, supplement
  request, apology), its apology letters, and the numbering ``Sequence`` rows, so
  that the next code issued by the application follows the generated ones.

Codes are ``<agency code>-<yymmdd>-<NNNN>``, numbered per agency in order of
submission, per day or per year as ``EGOV_DOSSIER_SEQUENCE_RESET`` says. Due dates
are computed from the working-day calendar (``get_calendar()``: holidays, swaps,
overrides): every generated receipt is a working moment, so "N working days
later, same clock time" is an index step in the table of working days; a sample is
checked against ``add_working_days`` at the end.

Why it bypasses the services and the audit log
----------------------------------------------
This is bulk synthetic data for measuring reads. Going through the services would
append one hash-chained audit entry per act (serialised on the chain head, about
170 per second here): hours for a million dossiers, and a fake history in the audit
log. Rows are written with PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy``), with
the secondary indexes dropped during the load and rebuilt after it, and with the
foreign-key triggers off (``session_replication_role = replica``; every id written
comes from rows read just before). Never point this script at a real database.
"""

from __future__ import annotations

import argparse
import bisect
import os
import queue
import random
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _common import prepare_postgres, setup_django

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Dossiers per year in the seed (Kiên Giang, 2019), by level of receiving agency.
SEED_PER_YEAR = {"provincial_agency": 14_304, "district": 43_806, "commune": 15_392}
#: Share received online, per year (2019 from the seed; later years assumed).
ONLINE_SHARE = {2019: 0.135, 2020: 0.25}
POST_SHARE = 0.02
#: Relative volume of the provincial departments, by their number in the demo tree
#: (000.00.NN.H33): driving licences, business registration, land and criminal
#: records dominate. Illustrative.
DEPARTMENT_WEIGHTS = {8: 22, 4: 20, 10: 15, 3: 12, 9: 6, 17: 6, 12: 5, 6: 4, 7: 3, 16: 3}
#: Share of provincial dossiers received through the province's service centre
#: instead of the department's own desk (an assumption).
CENTRE_SHARE = 0.4

BATCH_DAYS = 20  # working days generated per COPY batch


# --- database set-up (same approach as bench_numbering.py) -----------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_large", help="Database to fill.")
    parser.add_argument("--count", type=int, default=1_000_000, help="Dossiers to generate.")
    parser.add_argument(
        "--small", type=int, metavar="N", help="Quick run: generate N dossiers (e.g. 20000)."
    )
    parser.add_argument("--years", type=int, nargs="+", default=[2019, 2020])
    parser.add_argument(
        "--as-of",
        default="2020-12-31T16:30:00+07:00",
        help="The moment the data is a snapshot of (ISO 8601).",
    )
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--reset", action="store_true", help="Delete existing dossiers (and their rows) first."
    )
    parser.add_argument(
        "--append",
        action="store_true",
        help="Add to existing dossiers, continuing their numbering.",
    )
    parser.add_argument("--no-events", action="store_true", help="Skip the dossier histories.")
    return parser.parse_args(argv)


# --- the catalogue ---------------------------------------------------------------------

# (national code, name, field code, field name, level, days, hours, online level,
#  fee in đồng, department numbers). The rows that are also in the demo catalogue
#  follow it (checked against dichvucong.gov.vn, see docs/catalogue-sources.md); the
#  others are illustrative bench data. The demo catalogue is the reference when loaded.
# national code | name | field code | field name | level (P provincial department, D district,
# C commune) | days | hours | online level |
# fee in đồng | department numbers. Codes and limits are illustrative (bench data only):
# the demo catalogue of the procedures app is the reference when it is loaded.
FALLBACK_CATALOGUE = """
1.001193|Đăng ký khai sinh|ho-tich|Hộ tịch|C|1|0|4|0|
1.000894|Đăng ký kết hôn|ho-tich|Hộ tịch|C|1|0|3|0|
1.000656|Đăng ký khai tử|ho-tich|Hộ tịch|C|1|0|4|0|
2.000635|Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh|ho-tich|Hộ tịch|C|1|0|4|8000|
1.004873|Cấp Giấy xác nhận tình trạng hôn nhân|ho-tich|Hộ tịch|C|3|0|3|5000|
1.004837|Đăng ký giám hộ|ho-tich|Hộ tịch|C|3|0|3|0|
2.000815|Chứng thực bản sao từ bản chính|chung-thuc|Chứng thực|C|0|4|3|2000|
2.000884|Chứng thực chữ ký trong giấy tờ, văn bản|chung-thuc|Chứng thực|C|0|4|2|10000|
2.001035|Chứng thực giao dịch về động sản, đất, nhà ở|chung-thuc|Chứng thực|C|2|0|2|50000|
1.001612|Đăng ký thành lập hộ kinh doanh|ho-kinh-doanh|Hộ kinh doanh|C|3|0|4|50000|
2.000575|Đăng ký thay đổi nội dung đăng ký hộ kinh doanh|ho-kinh-doanh|Hộ kinh doanh|C|3|0|4|50000|
1.004203|Đăng ký biến động quyền sử dụng đất|dat-dai|Đất đai|D|10|0|3|50000|
2.000591|Cấp giấy phép bán lẻ rượu|luu-thong|Lưu thông hàng hóa|D|10|0|3|1100000|
1.004859|Thay đổi, cải chính, bổ sung thông tin hộ tịch|ho-tich|Hộ tịch|C|1|0|3|15000|
1.001699|Trợ cấp xã hội hằng tháng|bao-tro-xa-hoi|Bảo trợ xã hội|D|20|0|2|0|
2.001610|Đăng ký thành lập doanh nghiệp tư nhân|doanh-nghiep|Doanh nghiệp|P|3|0|4|150000|5
2.001583|Đăng ký thành lập công ty TNHH một thành viên|doanh-nghiep|Doanh nghiệp|P|3|0|4|150000|5
2.002044|Đăng ký thay đổi nội dung doanh nghiệp|doanh-nghiep|Doanh nghiệp|P|3|0|4|50000|5
1.002809|Đổi giấy phép lái xe|duong-bo|Đường bộ|P|5|0|4|135000|8
1.002835|Cấp giấy phép lái xe quốc tế|duong-bo|Đường bộ|P|5|0|3|135000|8
2.002516|Xác nhận thông tin hộ tịch|ho-tich|Hộ tịch|P|3|0|4|8000|3
1.013831|Đăng ký biến động quyền sử dụng đất|dat-dai|Đất đai|P|18|0|3|0|10
1.004446|Cấp Giấy chứng nhận quyền sử dụng đất cho tổ chức|dat-dai|Đất đai|P|20|0|2|500000|10
1.004253|Cấp giấy phép khai thác nước dưới đất|tai-nguyen-nuoc|Tài nguyên nước|P|30|0|2|1000000|10
1.003196|Cấp chứng chỉ hành nghề khám, chữa bệnh|kham-chua-benh|Khám chữa bệnh|P|20|0|3|360000|17
1.000459|Cấp giấy phép lao động cho người nước ngoài|viec-lam|Việc làm|P|5|0|4|600000|12
2.000178|Cấp Giấy chứng nhận đủ điều kiện bán lẻ xăng dầu|xang-dau|Xăng dầu, khí|P|15|0|3|1200000|6
1.003397|Cấp Giấy chứng nhận an toàn thực phẩm|attp|An toàn thực phẩm|P|15|0|3|700000|7,17
1.005092|Cấp bản sao văn bằng, chứng chỉ từ sổ gốc|van-bang|Văn bằng, chứng chỉ|P|1|0|3|0|16
1.003618|Giải quyết khiếu nại lần đầu|khieu-nai|Giải quyết khiếu nại|P|30|0|2|0|
"""


@dataclass
class VersionInfo:
    pk: int
    level: str
    days: int  # whole working days (0 with ``hours``)
    hours: Decimal
    online: bool
    fee: int
    agencies: set[int] = field(default_factory=set)


def _fallback_catalogue() -> None:
    from django.db import transaction

    from egov.core.models import Unit
    from egov.procedures.models import Procedure, ProcedureField, ProcedureVersion

    departments = {
        int(code.split(".")[2]): pk
        for pk, code in Unit.objects.filter(level="provincial_agency").values_list("pk", "code")
    }
    with transaction.atomic():
        for line in FALLBACK_CATALOGUE.strip().splitlines():
            code, name, field_code, field_name, level, days_, hours_, online_, fee_, depts_ = (
                line.split("|")
            )
            days, hours, online, fee = int(days_), int(hours_), int(online_), int(fee_)
            level = {"P": "provincial_agency", "D": "district", "C": "commune"}[level]
            depts = [int(n) for n in depts_.split(",") if n]
            procedure_field, _ = ProcedureField.objects.get_or_create(
                code=field_code, defaults={"name": field_name}
            )
            procedure, _ = Procedure.objects.get_or_create(national_code=code)
            if procedure.versions.filter(status="published").exists():
                continue
            version = ProcedureVersion.objects.create(
                procedure=procedure,
                number=1,
                status="published",
                name=name,
                field=procedure_field,
                levels=[level],
                online_level=online,
                time_limit=Decimal(hours or days),
                time_limit_unit="working_hours" if hours else "working_days",
                fees=[{"name": "Lệ phí", "amount": fee}] if fee else [],
            )
            version.agencies.set([departments[n] for n in depts if n in departments])


def load_catalogue() -> list[VersionInfo]:
    """Published procedure versions: the demo catalogue if its loader exists, else
    our own fallback list."""
    from django.core.management import call_command, get_commands

    from egov.procedures.models import ProcedureVersion

    if "load_demo_procedures" in get_commands():
        call_command("load_demo_procedures", verbosity=0)
        source = "load_demo_procedures"
    else:
        _fallback_catalogue()
        source = "fallback list of the generator"
    from egov.core.workcalendar import get_calendar

    day_hours = Decimal(get_calendar().working_day_length.total_seconds()) / 3600
    versions: list[VersionInfo] = []
    for version in ProcedureVersion.objects.filter(status="published").prefetch_related("agencies"):
        levels = list(version.levels or [])
        limit = Decimal(version.time_limit)
        whole_days = version.time_limit_unit == "working_days" and limit == limit.to_integral()
        fee = 0
        for item in version.fees or []:
            if isinstance(item, dict) and isinstance(item.get("amount"), int):
                fee = item["amount"]
                break
        if whole_days:
            days, hours = int(limit), Decimal(0)
        elif version.time_limit_unit == "working_hours":
            days, hours = 0, limit
        else:  # a fraction of a day: counted as working time
            days, hours = 0, limit * day_hours
        for level in levels or ["commune"]:
            versions.append(
                VersionInfo(
                    pk=version.pk,
                    level=level,
                    days=days,
                    hours=hours,
                    online=version.online_level >= 3,
                    fee=fee,
                    agencies={unit.pk for unit in version.agencies.all()},
                )
            )
    print(f"Catalogue: {len({v.pk for v in versions})} published versions ({source}).")
    return versions


# --- agencies --------------------------------------------------------------------------


@dataclass
class AgencyInfo:
    pk: int
    code: str
    level: str
    name: str
    desk: int
    weight: float
    versions: list[VersionInfo]
    place: str


def plan_agencies(versions: list[VersionInfo], rng: random.Random) -> list[AgencyInfo]:
    from egov.core.models import Unit
    from egov.core.selectors.units import one_stop_units

    units = list(
        Unit.objects.filter(dissolved_at__isnull=True, level__in=list(SEED_PER_YEAR)).order_by(
            "path"
        )
    )
    centre = (
        Unit.objects.filter(level="internal", is_one_stop=True, depth=2, dissolved_at__isnull=True)
        .order_by("path")
        .first()
    )
    communes_per_district: dict[str, int] = {}
    for unit in units:
        if unit.level == "commune":
            key = unit.path[: Unit.steplen * 2]
            communes_per_district[key] = communes_per_district.get(key, 0) + 1
    agencies: list[AgencyInfo] = []
    raw: dict[str, list[tuple[Unit, float]]] = {level: [] for level in SEED_PER_YEAR}
    for unit in units:
        if unit.level == "provincial_agency":
            number = int(unit.code.split(".")[2])
            weight = float(DEPARTMENT_WEIGHTS.get(number, 0.6))
        elif unit.level == "district":
            weight = float(communes_per_district.get(unit.path, 1))
        else:
            weight = rng.lognormvariate(0, 0.5)
        raw[unit.level].append((unit, weight))
    for level, items in raw.items():
        total = sum(weight for _, weight in items) or 1.0
        pool = [v for v in versions if v.level == level] or versions
        for unit, weight in items:
            own = [v for v in pool if unit.pk in v.agencies]
            if level == "provincial_agency":
                # A department handles its own procedures, else the generic ones.
                generic = [v for v in pool if not v.agencies]
                choice = own or generic or pool
            else:
                choice = pool
            desk = one_stop_units(unit).first()
            agencies.append(
                AgencyInfo(
                    pk=unit.pk,
                    code=unit.code,
                    level=level,
                    name=unit.name,
                    desk=desk.pk if desk else unit.pk,
                    weight=SEED_PER_YEAR[level] * weight / total,
                    versions=choice,
                    place=unit.name.replace("Ủy ban nhân dân ", ""),
                )
            )
    if centre is not None:
        for agency in agencies:
            if agency.level == "provincial_agency":
                agency.place = f"centre:{centre.pk}"
    return agencies


# --- time: working-day coordinates -------------------------------------------------------


class Clock:
    """Working moments as one integer ``W = i * DAY + w``: ``i`` the index of a working
    day in the calendar's table, ``w`` the working seconds elapsed that day. Adding N
    working days is ``W + N * DAY`` (same clock time, N working days later: exactly
    ``add_working_days`` for a start inside working time); adding working hours is
    ``W + seconds``."""

    def __init__(self, first_year: int, last_year: int) -> None:
        from django.conf import settings

        from egov.core.workcalendar import get_calendar, parse_office_hours

        calendar = get_calendar()
        self.sessions = [
            (start // 1_000_000, end // 1_000_000)
            for start, end in parse_office_hours(settings.EGOV_OFFICE_HOURS)
        ]
        self.day = sum(end - start for start, end in self.sessions)
        first = date(first_year, 1, 1)
        last = date(last_year + 2, 12, 31)  # room for appointments after the period
        self.epoch = first.toordinal()
        self.working: list[int] = []  # ordinals of working days
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                self.working.append(day.toordinal())
            day += timedelta(days=1)
        self.day_text = [
            (date.fromordinal(self.epoch + n)).strftime("%Y-%m-%d ")
            for n in range(last.toordinal() - self.epoch + 1)
        ]
        # Times are written as local wall-clock text with the zone's offset, which
        # must not change over the period (Asia/Ho_Chi_Minh: +07 since 1975).
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(settings.TIME_ZONE)
        offsets = {
            datetime(first.year, 1, 1, tzinfo=zone).utcoffset(),
            datetime(last.year, 7, 1, tzinfo=zone).utcoffset(),
        }
        offset = offsets.pop()
        if offsets or offset is None or offset.seconds % 3600:
            raise SystemExit(f"{settings.TIME_ZONE}: offset changes or is not whole hours")
        sign = "+" if offset >= timedelta(0) else "-"
        suffix = f"{sign}{abs(offset) // timedelta(hours=1):02d}"
        self.clock_text = [
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{suffix}" for s in range(86400)
        ]
        # Clock second of each working offset (0 .. day): sessions laid end to end.
        self.offset_clock: list[int] = []
        for start, end in self.sessions:
            self.offset_clock.extend(range(start, end))
        self.offset_clock.append(self.sessions[-1][1])

    def index_of(self, day: date) -> int:
        """Index of the first working day on or after ``day``."""
        return bisect.bisect_left(self.working, day.toordinal())

    def text(self, w: int) -> str:
        i, offset = divmod(w, self.day)
        return (
            self.day_text[self.working[i] - self.epoch] + self.clock_text[self.offset_clock[offset]]
        )

    def coordinate(self, moment: datetime) -> int:
        """``W`` of the first working moment at or after ``moment``."""
        from django.utils import timezone

        local = timezone.localtime(moment)
        i = self.index_of(local.date())
        if self.working[i] != local.date().toordinal():
            return i * self.day
        second = local.hour * 3600 + local.minute * 60 + local.second
        offset = 0
        for start, end in self.sessions:
            if second >= end:
                offset += end - start
            elif second > start:
                offset += second - start
                break
            else:
                break
        if offset >= self.day:
            return (i + 1) * self.day
        return i * self.day + offset


# --- people ----------------------------------------------------------------------------

FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 2 + [
    "Phạm", "Huỳnh", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Danh", "Thạch", "Lâm",
]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Quốc", "Hữu", "Thu", "Kim", "Đức"]
GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khoa", "Lan", "Linh",
    "Long", "Mai", "Nam", "Ngân", "Nhung", "Phong", "Phúc", "Quang", "Sơn", "Tâm", "Thảo",
    "Trang", "Trung", "Tuấn", "Vy", "Yến", "Khánh", "Lộc", "Tài", "Sang", "Thơ", "Út",
]  # fmt: skip
STREETS = [
    "Nguyễn Trung Trực", "Trần Phú", "Lê Lợi", "Mạc Cửu", "Ngô Quyền", "Lạc Hồng", "Nguyễn Huệ",
    "30 Tháng 4", "Lâm Quang Ky", "Chi Lăng", "Trần Hưng Đạo", "Quang Trung",
]  # fmt: skip


# --- generation --------------------------------------------------------------------------


@dataclass
class Batch:
    dossiers: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    sequences: dict[tuple[str, str], int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)


N = "\\N"  # NULL in COPY text format


class Generator:
    def __init__(
        self,
        *,
        agencies: list[AgencyInfo],
        clock: Clock,
        years: list[int],
        count: int,
        as_of: datetime,
        first_id: int,
        sequences: dict[tuple[str, str], int],
        reset: str,
        user_id: int,
        seed: int,
        with_events: bool,
        tail: str,
        event_tail: str = "",
        apology_tail: str = "",
    ) -> None:
        self.agencies = agencies
        self.clock = clock
        self.years = years
        self.count = count
        self.as_of = as_of
        self.w_as_of = clock.coordinate(as_of)
        self.next_id = first_id
        self.sequences = sequences
        self.reset = reset
        self.user_id = user_id
        self.rng = random.Random(seed)
        self.with_events = with_events
        self.tail = tail
        self.event_tail = event_tail
        self.apology_tail = apology_tail
        self.cum_weights: list[float] = []
        running = 0.0
        for agency in agencies:
            running += agency.weight
            self.cum_weights.append(running)
        self.names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
        # Online probability among procedures offered online, so that the overall
        # share comes out as the year's target.
        capable = sum(
            agency.weight * sum(v.online for v in agency.versions) / max(len(agency.versions), 1)
            for agency in agencies
        ) / max(running, 1e-9)
        self.online_p = {
            year: min(1.0, ONLINE_SHARE.get(year, 0.25) / max(capable, 1e-9)) for year in years
        }
        self.centre = {
            agency.pk: int(agency.place.split(":")[1])
            for agency in agencies
            if agency.place.startswith("centre:")
        }
        self.communes = [a.place for a in agencies if a.level == "commune"] or ["Rạch Giá"]

    def days(self) -> list[int]:
        """Working-day indexes from 1 January of the first year up to the as-of day."""
        first = self.clock.index_of(date(self.years[0], 1, 1))
        last = self.clock.index_of(date(self.years[-1] + 1, 1, 1))
        as_of_day = self.w_as_of // self.clock.day
        return list(range(first, min(last, as_of_day + 1)))

    def volumes(self, days: list[int]) -> list[int]:
        """Dossiers per working day: each year's share of the target spread over its
        working days with ±20 % noise, scaled so the total is exactly ``count``."""
        per_year: dict[int, int] = {}
        for i in days:
            year = date.fromordinal(self.clock.working[i]).year
            per_year[year] = per_year.get(year, 0) + 1
        raw = [
            (0.8 + 0.4 * self.rng.random()) / per_year[date.fromordinal(self.clock.working[i]).year]
            for i in days
        ]
        scale = self.count / sum(raw)
        volumes = [int(value * scale) for value in raw]
        for _ in range(self.count - sum(volumes)):
            volumes[int(self.rng.random() * len(volumes))] += 1
        return volumes

    def batches(self) -> Iterator[Batch]:
        days = self.days()
        volumes = self.volumes(days)
        for start in range(0, len(days), BATCH_DAYS):
            batch = Batch()
            for i, volume in zip(
                days[start : start + BATCH_DAYS], volumes[start : start + BATCH_DAYS], strict=True
            ):
                year = date.fromordinal(self.clock.working[i]).year
                self._day(batch, i, volume, year)
            yield batch

    def _day(self, batch: Batch, i: int, volume: int, year: int) -> None:
        rng = self.rng
        clock = self.clock
        day_w = i * clock.day
        picks = rng.choices(range(len(self.agencies)), cum_weights=self.cum_weights, k=volume)
        # Submission moments in working time; numbered per agency in that order.
        # On the snapshot's day, nothing after the snapshot.
        limit = max(1, min(clock.day, self.w_as_of - day_w))
        items = sorted((a, int(rng.random() * limit)) for a in picks)
        ordinal = clock.working[i]
        day = date.fromordinal(ordinal)
        period = (
            day.strftime("%y%m%d")
            if self.reset == "daily"
            else (f"{day.year:04d}" if self.reset == "yearly" else "-")
        )
        yymmdd = day.strftime("%y%m%d")
        online_p = self.online_p.get(year, 0.25)
        for agency_index, offset in items:
            agency = self.agencies[agency_index]
            key = (f"dossier:{agency.code}", period)
            number = self.sequences.get(key, 0) + 1
            self.sequences[key] = number
            batch.sequences[key] = number
            code = f"{agency.code}-{yymmdd}-{number:04d}"
            self._dossier(batch, agency, code, day_w + offset, online_p)

    def _dossier(
        self, batch: Batch, agency: AgencyInfo, code: str, w_submit: int, online_p: float
    ) -> None:
        rng = self.rng
        clock = self.clock
        day = clock.day
        as_of = self.w_as_of
        pk = self.next_id
        self.next_id += 1
        version = agency.versions[int(rng.random() * len(agency.versions))]
        r = rng.random()
        if version.online and r < online_p:
            channel = 2
        elif r > 1 - POST_SHARE:
            channel = 3
        else:
            channel = 1
        desk = agency.desk
        if agency.pk in self.centre and rng.random() < CENTRE_SHARE:
            desk = self.centre[agency.pk]
        text = clock.text
        submitted = text(w_submit)
        # Online: accepted by the desk within half a working day of the submission.
        w_received = w_submit + 300 + int(rng.random() * day / 2) if channel == 2 else w_submit
        if version.days:
            w_due = w_received + version.days * day
        else:
            w_due = w_received + int(version.hours * 3600)

        status = 0
        received_at = due_at = resolved_at = returned_at = closed_at = paused_at = N
        remaining = N
        timeliness = ""
        before_pause = N
        current_unit = desk
        events: list[tuple[int, str, str, str, int | str, int | str]] = []
        apology: tuple[int, int, int] | None = None
        outcome = rng.random()
        if outcome < 0.01:
            # Refused at the desk: never received, closed at once.
            status = 3
            closed_at = submitted
            events.append((w_submit, "refuse_at_desk", N, "3", N, desk))
            kind = "refused"
        elif channel == 2 and w_received > as_of:
            status = 1
            events.append((w_submit, "submit_online", N, "1", N, desk))
            kind = "submitted"
        else:
            received_at = text(w_received)
            due_at = text(w_due)
            if channel == 2:
                events.append((w_submit, "submit_online", N, "1", N, desk))
                events.append((w_received, "accept", "1", "2", desk, desk))
            else:
                events.append((w_received, "receive", N, "2", N, desk))
            w_forward = w_received + 300 + int(rng.random() * 7200)
            forwarded = w_forward <= as_of
            if forwarded:
                events.append((w_forward, "forward", "2", "4", desk, agency.pk))
            w_end: int | None = None  # resolution (or closing) moment
            if outcome < 0.018:
                kind = "withdrawn"
                w_end = w_received + 600 + int(rng.random() * max(w_due - w_received, 3600))
            elif outcome < 0.022:
                kind = "stopped"
                w_end = w_received + 600 + int(rng.random() * max(w_due - w_received, 3600))
            elif outcome < 0.024:
                kind = "stuck"
            else:
                split = rng.random()
                due_day_start = (w_due // day) * day
                if split < 0.03:
                    kind = "late"
                    w_end = w_due + 60 + int(rng.random() * day * (1 + int(rng.random() * 10)))
                    if rng.random() < 0.34:
                        w_issue = max(w_received + 60, w_due - int(rng.random() * day))
                        w_new = w_due + (2 + int(rng.random() * 8)) * day
                        apology = (w_issue, w_due, w_new)
                elif split < 0.45 or due_day_start <= w_received + 600:
                    kind = "on_time"
                    low = max(w_received + 600, due_day_start)
                    w_end = min(low + int(rng.random() * max(w_due - low, 1)), w_due)
                else:
                    kind = "early"
                    low = w_received + 600
                    w_end = low + int(rng.random() * max(due_day_start - low, 1))
            if apology is not None and apology[0] <= as_of:
                due_at = text(apology[2])
                events.append((apology[0], "apology", "4", "4", agency.pk, agency.pk))
            else:
                apology = None
            if w_end is not None and w_end <= as_of:
                closed_kind = kind in ("withdrawn", "stopped")
                if closed_kind:
                    status = 7 if kind == "withdrawn" else 8
                    closed_at = text(w_end)
                    events.append(
                        (
                            w_end,
                            "stop" if kind == "stopped" else "withdraw",
                            "4",
                            str(status),
                            agency.pk,
                            desk,
                        )
                    )
                else:
                    resolved_at = text(w_end)
                    w_due_now = apology[2] if apology else w_due
                    if w_end > w_due_now:
                        timeliness = "late"
                    elif w_end // day < w_due_now // day:
                        timeliness = "early"
                    else:
                        timeliness = "on_time"
                    events.append((w_end, "result_ready", "4", "9", agency.pk, desk))
                    w_return = w_end + int(rng.random() * 3 * day)
                    if w_return <= as_of and rng.random() > 0.015:
                        status = 10
                        returned_at = closed_at = text(w_return)
                        events.append((w_return, "return_result", "9", "10", desk, N))
                    else:
                        status = 9
            else:
                # Still in progress at the snapshot.
                kind = "in_progress"
                status = 4 if forwarded else 2
                current_unit = agency.pk if forwarded else desk
                if forwarded and rng.random() < 0.06:
                    w_pause = w_forward + int(rng.random() * max(as_of - w_forward, 1))
                    status = 5 if rng.random() < 0.8 else 6
                    before_pause = "4"
                    paused_at = text(w_pause)
                    remaining = str(max(0, w_due - w_pause))
                    events.append(
                        (
                            w_pause,
                            "request_supplement" if status == 5 else "request_payment",
                            "4",
                            str(status),
                            agency.pk,
                            desk,
                        )
                    )
        batch.outcomes[kind] = batch.outcomes.get(kind, 0) + 1
        events.sort(key=lambda event: event[0])
        last = text(events[-1][0]) if events else submitted
        name = self.names[int(rng.random() * len(self.names))]
        place = self.communes[int(rng.random() * len(self.communes))]
        address = (
            f"Số {1 + int(rng.random() * 300)} đường {STREETS[int(rng.random() * 12)]}, {place}"
        )
        id_number = f"091{int(rng.random() * 1e9):09d}"
        phone = f"09{int(rng.random() * 1e8):08d}"
        batch.dossiers.append(
            f"{pk}\t{code}\t{version.pk}\t{agency.pk}\t{desk}\t{channel}\t{status}\t{name}\t"
            f"{id_number}\t{address}\t{phone}\t{submitted}\t{received_at}\t{due_at}\t"
            f"{due_at if apology is None else text(apology[1])}\t{paused_at}\t{remaining}\t"
            f"{resolved_at}\t{returned_at}\t{closed_at}\t{current_unit}\t{timeliness}\t"
            f"{before_pause}\t{version.fee}\t{len(events) or 1}\t{submitted}\t{last}{self.tail}\n"
        )
        if apology is not None:
            batch.apologies.append(
                f"{pk}\tQuá thời hạn do chờ ý kiến cơ quan phối hợp\t{text(apology[1])}\t"
                f"{text(apology[2])}\t{self.user_id}\t{agency.pk}\t{text(apology[0])}"
                f"{self.apology_tail}\n"
            )
        if self.with_events:
            for w, action, from_status, to_status, from_unit, to_unit in events:
                batch.events.append(
                    f"{pk}\t{text(w)}\t{action}\t{from_status}\t{to_status}\t{from_unit}\t"
                    f"{to_unit}\t\t{{}}{self.event_tail}\n"
                )


# --- writing -------------------------------------------------------------------------------

DOSSIER_COLUMNS = (
    "id", "code", "procedure_version_id", "receiving_agency_id", "receiving_unit_id", "channel",
    "status", "applicant_name", "applicant_id_number", "applicant_address", "applicant_phone",
    "submitted_at", "received_at", "due_at", "original_due_at", "paused_at",
    "remaining_seconds", "resolved_at", "returned_at", "closed_at", "current_unit_id",
    "timeliness", "status_before_pause", "fee_amount", "version", "created_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "dossier_id", "at", "action", "from_status", "to_status", "from_unit_id", "to_unit_id",
    "note", "data",
)  # fmt: skip
APOLOGY_COLUMNS = (
    "dossier_id", "reason", "previous_due_at", "new_due_at", "issued_by_id", "issuing_unit_id",
    "issued_at",
)  # fmt: skip


def _copy_default(model_field: Any) -> str:
    """The COPY text of a column we do not generate: NULL, or the field's default."""
    if model_field.null:
        return N
    if not model_field.has_default() and not getattr(model_field, "blank", False):
        raise SystemExit(
            f"Column {model_field.column} is required and has no default: "
            "teach bench/generate_dossiers.py to fill it."
        )
    value = model_field.get_default() if model_field.has_default() else ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        import json

        return json.dumps(value)
    return str(value)


def _columns(model: Any, generated: tuple[str, ...]) -> tuple[list[str], str, list[str]]:
    """Columns to COPY: the generated ones that exist, then the others with their
    defaults (so a column added later by a migration does not break the script).
    Returns (columns, constant tail of each line, generated columns missing)."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    missing = [c for c in generated if c not in by_column]
    columns = [c for c in generated if c in by_column]
    extra = [
        f
        for f in model._meta.concrete_fields
        if f.column not in generated
        and not (f.primary_key and f.column == "id")
        and f.column not in {"id"}
    ]
    tail = "".join("\t" + _copy_default(f) for f in extra)
    columns += [f.column for f in extra]
    return columns, tail, missing


@dataclass
class SavedIndex:
    name: str
    definition: str


def _drop_indexes(cursor: Any, table: str) -> list[SavedIndex]:
    """Drop the secondary indexes of ``table`` (not those behind constraints)."""
    rows = cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = %s AND i.schemaname = current_schema()
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c
            JOIN pg_class ic ON ic.oid = c.conindid
            WHERE ic.relname = i.indexname
          )
        """,
        [table],
    ).fetchall()
    for name, _ in rows:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [SavedIndex(name, definition) for name, definition in rows]


def _produce(generator: Generator, out: queue.Queue[Batch | BaseException | None]) -> None:
    try:
        for batch in generator.batches():
            out.put(batch)
        out.put(None)
    except BaseException as exc:  # handed to the writer, which re-raises it
        out.put(exc)


def _write_lines(cursor: Any, table: str, columns: list[str], lines: list[str]) -> None:
    if not lines:
        return
    # Quoted: some column names are SQL keywords (current_role).
    quoted = ", ".join(f'"{column}"' for column in columns)
    statement = f"COPY {table} ({quoted}) FROM STDIN"
    with cursor.copy(statement) as copy:
        step = 20_000
        for start in range(0, len(lines), step):
            copy.write("".join(lines[start : start + step]))


def _load(
    cursor: Any,
    generator: Generator,
    tables: dict[str, str],
    columns: dict[str, list[str]],
    totals: dict[str, int],
    outcomes: dict[str, int],
) -> dict[tuple[str, str], int]:
    """COPY the batches as a second thread generates them (the thread runs while
    this one waits for PostgreSQL). Returns the last number of each sequence."""
    load_started = time.perf_counter()
    batches: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=3)
    producer = threading.Thread(target=_produce, args=(generator, batches), daemon=True)
    producer.start()
    all_sequences: dict[tuple[str, str], int] = {}
    last_report = time.perf_counter()
    while True:
        item = batches.get()
        if item is None:
            break
        if isinstance(item, BaseException):
            raise item
        _write_lines(cursor, tables["dossier"], columns["dossier"], item.dossiers)
        _write_lines(cursor, tables["event"], columns["event"], item.events)
        _write_lines(cursor, tables["apology"], columns["apology"], item.apologies)
        totals["dossiers"] += len(item.dossiers)
        totals["events"] += len(item.events)
        totals["apologies"] += len(item.apologies)
        all_sequences.update(item.sequences)
        for kind, number in item.outcomes.items():
            outcomes[kind] = outcomes.get(kind, 0) + number
        now = time.perf_counter()
        if now - last_report > 10:
            rate = totals["dossiers"] / (now - load_started)
            print(f"  {totals['dossiers']:,} dossiers ({rate:,.0f}/s)")
            last_report = now
    return all_sequences


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    count = args.small if args.small else args.count
    url: str = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL (or --database-url) to a postgres:// URL: COPY needs PostgreSQL.")
        return 2
    url = prepare_postgres(url, args.bench_db)
    started = time.perf_counter()
    setup_django(url)

    from django.db import connection

    from egov.accounts.models import User
    from egov.core.demo_units import load_demo_units
    from egov.core.numbering import dossier_sequence_reset
    from egov.dossiers.models import ApologyLetter, Dossier, DossierEvent

    print(f"Database: {connection.settings_dict['NAME']} ({time.perf_counter() - started:.1f} s)")
    load_demo_units(None)
    rng = random.Random(args.seed)
    versions = load_catalogue()
    agencies = plan_agencies(versions, rng)
    print(f"Agencies receiving dossiers: {len(agencies)}")
    user, _ = User.objects.get_or_create(
        username="bench.generator",
        defaults={"full_name": "Dữ liệu mô phỏng (benchmark)", "kind": "staff"},
    )
    existing = Dossier.objects.count()
    if existing and args.reset:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Dossier._meta.db_table} CASCADE")
            cursor.execute("DELETE FROM core_sequence WHERE scope LIKE 'dossier:%%'")
        print(f"Deleted {existing:,} dossiers and their rows.")
        existing = 0
    elif existing and not args.append:
        print(f"{existing:,} dossiers already there: use --reset or --append.")
        return 2

    as_of = datetime.fromisoformat(args.as_of)
    reset = dossier_sequence_reset()
    clock = Clock(min(args.years), max(args.years))
    sequences: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT scope, period, last_value FROM core_sequence WHERE scope LIKE 'dossier:%%'"
        )
        for scope, period, value in cursor.fetchall():
            sequences[(scope, period)] = value
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Dossier._meta.db_table}")
        first_id = int(cursor.fetchone()[0]) + 1

    d_columns, d_tail, d_missing = _columns(Dossier, DOSSIER_COLUMNS)
    if d_missing:
        # Generated values for columns the model no longer has: rebuild the line
        # layout without them would cost per-row work; refuse clearly instead.
        print(f"Dossier columns missing from the model: {d_missing}; update the generator.")
        return 2
    e_columns, e_tail, _ = _columns(DossierEvent, EVENT_COLUMNS)
    a_columns, a_tail, _ = _columns(ApologyLetter, APOLOGY_COLUMNS)
    columns = {"dossier": d_columns, "event": e_columns, "apology": a_columns}
    generator = Generator(
        agencies=agencies,
        clock=clock,
        years=sorted(args.years),
        count=count,
        as_of=as_of,
        first_id=first_id,
        sequences=sequences,
        reset=reset,
        user_id=user.pk,
        seed=args.seed,
        with_events=not args.no_events,
        tail=d_tail,
        event_tail=e_tail,
        apology_tail=a_tail,
    )
    print(
        f"Generating {count:,} dossiers for {', '.join(map(str, args.years))} as of "
        f"{as_of.isoformat()} (codes reset {reset}; online share among online-capable "
        f"procedures: {', '.join(f'{y}: {p:.0%}' for y, p in generator.online_p.items())})"
    )

    tables = {
        "dossier": Dossier._meta.db_table,
        "event": DossierEvent._meta.db_table,
        "apology": ApologyLetter._meta.db_table,
    }
    totals = {"dossiers": 0, "events": 0, "apologies": 0}
    outcomes: dict[str, int] = {}
    load_started = time.perf_counter()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        try:
            cursor.execute("SET session_replication_role = replica")
            fk_off = True
        except Exception:
            fk_off = False
            print("  (not a superuser: foreign keys are checked row by row; slower)")
        saved: dict[str, list[SavedIndex]] = {}
        for key in ("dossier", "event"):
            saved[key] = _drop_indexes(cursor, tables[key])
        try:
            all_sequences = _load(cursor, generator, tables, columns, totals, outcomes)
            copied = time.perf_counter() - load_started
        finally:
            # Even after a failure the table keeps its indexes.
            index_started = time.perf_counter()
            for key in ("dossier", "event"):
                for index in saved[key]:
                    cursor.execute(
                        index.definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)
                    )
            if fk_off:
                cursor.execute("SET session_replication_role = DEFAULT")
            index_seconds = time.perf_counter() - index_started
        print(
            f"Copied {totals['dossiers']:,} dossiers, {totals['events']:,} events, "
            f"{totals['apologies']:,} apology letters in {copied:.1f} s "
            f"-> {totals['dossiers'] / copied:,.0f} dossiers/s "
            f"({sum(totals.values()) / copied:,.0f} rows/s)"
        )
        # Keep the numbering consistent: the next code issued continues the series.
        cursor.execute("CREATE TEMP TABLE bench_sequence (scope text, period text, last_value int)")
        _write_lines(
            cursor,
            "bench_sequence",
            ["scope", "period", "last_value"],
            [f"{scope}\t{period}\t{value}\n" for (scope, period), value in all_sequences.items()],
        )
        cursor.execute(
            """
            INSERT INTO core_sequence (scope, period, last_value, updated_at)
            SELECT scope, period, last_value, now() FROM bench_sequence
            ON CONFLICT (scope, period) DO UPDATE
              SET last_value = GREATEST(core_sequence.last_value, EXCLUDED.last_value),
                  updated_at = EXCLUDED.updated_at
            """
        )
        cursor.execute("DROP TABLE bench_sequence")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{tables['dossier']}', 'id'), "
            f"(SELECT MAX(id) FROM {tables['dossier']}))"
        )
        print(
            f"Rebuilt {sum(len(v) for v in saved.values())} indexes in "
            f"{index_seconds:.1f} s; numbering: "
            f"{len(all_sequences):,} sequence rows"
        )
    analyze_started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables.values():
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        # The small tables the statistics join or filter on: fresh estimates too.
        cursor.execute("ANALYZE core_unit, core_sequence, procedures_procedureversion")
    print(f"VACUUM ANALYZE in {time.perf_counter() - analyze_started:.1f} s")
    total = time.perf_counter() - load_started
    print(
        f"Total {total:.1f} s for {totals['dossiers']:,} dossiers "
        f"-> {totals['dossiers'] / total:,.0f} dossiers/s end to end"
    )
    print("Outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items())))
    return 0 if _check(clock, reset, agencies) else 1


def _check(clock: Clock, reset: str, agencies: list[AgencyInfo]) -> bool:
    """Codes unique and well formed, numbering rows consistent, due dates as the
    calendar computes them (on a sample)."""
    import re

    from django.db import connection

    from egov.core.workcalendar import get_calendar
    from egov.dossiers.models import Dossier

    ok = True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT code), "
            "COUNT(*) FILTER (WHERE received_at IS NOT NULL AND channel = 2), "
            "COUNT(*) FILTER (WHERE received_at IS NOT NULL) FROM dossiers_dossier"
        )
        rows, distinct, online, received = cursor.fetchone()
        print(
            f"Check: {rows:,} dossiers, {distinct:,} distinct codes; "
            f"received online {online / max(received, 1):.1%}"
        )
        ok = ok and rows == distinct
        period_sql = {
            "daily": "split_part(code, '-', 2)",
            "yearly": "'20' || left(split_part(code, '-', 2), 2)",
        }.get(reset, "'-'")
        cursor.execute(
            f"""
            SELECT COUNT(*) FROM (
              SELECT split_part(code, '-', 1) AS agency, {period_sql} AS period,
                     MAX(split_part(code, '-', 3)::int) AS top, COUNT(*) AS n
              FROM dossiers_dossier GROUP BY 1, 2
            ) c LEFT JOIN core_sequence s
              ON s.scope = 'dossier:' || c.agency AND s.period = c.period
            WHERE s.last_value IS DISTINCT FROM c.top OR c.top <> c.n
            """
        )
        bad = cursor.fetchone()[0]
        print(f"Check: numbering rows agree with the codes ({bad} groups disagree)")
        ok = ok and bad == 0
    pattern = re.compile(r"^.+-\d{6}-\d{4,}$")
    calendar = get_calendar()
    sample = (
        Dossier.objects.filter(received_at__isnull=False, channel=1)
        .select_related("procedure_version")
        .order_by("?")[:200]
    )
    mismatched = 0
    from egov.dossiers.models import ApologyLetter

    apologised = set(ApologyLetter.objects.values_list("dossier_id", flat=True)[:100000])
    for dossier in sample:
        if not pattern.match(dossier.code):
            mismatched += 1
            continue
        version = dossier.procedure_version
        limit = Decimal(version.time_limit)
        if dossier.received_at is None:
            continue
        if version.time_limit_unit == "working_days" and limit == limit.to_integral():
            expected = calendar.add_working_days(dossier.received_at, int(limit))
        else:
            continue  # hour limits: counted in working seconds, not checked here
        actual = dossier.original_due_at if dossier.pk in apologised else dossier.due_at
        if actual != expected:
            mismatched += 1
    print(f"Check: codes and due dates of 200 sampled desk dossiers ({mismatched} mismatched)")
    return ok and mismatched == 0


if __name__ == "__main__":
    sys.exit(main())
