"""The statistics selector: every bucket of the one-stop report, scopes, groupings,
and the reporting periods of Nghị định 09/2019.

Dossiers are written straight with the ORM (a small factory below): these tests
fix timestamps to the minute, which the workflow services would not let us do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from egov.accounts.models import User
from egov.core.models import Unit, UnitLevel
from egov.core.periods import (
    calendar_half,
    calendar_month,
    calendar_quarter,
    calendar_year,
    current_cutoff_month,
    cutoff_half,
    cutoff_month,
    cutoff_quarter,
    cutoff_year,
    period_bounds,
)
from egov.core.services.units import create_unit
from egov.dossiers.models import ApologyLetter, Channel, Dossier, Status
from egov.dossiers.stats.figures import (
    Counts,
    dossier_statistics,
    fold_name,
    quick_periods,
    sum_counts,
)
from egov.procedures.models import Procedure, ProcedureField, ProcedureVersion

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = (date(2020, 3, 1), date(2020, 3, 31))
NOW = datetime(2020, 4, 10, 9, 0, tzinfo=TZ)


def at(day: str, clock: str = "09:00") -> datetime:
    """A local (Asia/Ho_Chi_Minh) moment from ``"2020-03-02"`` and ``"09:00"``."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


# --- factory ------------------------------------------------------------------------


@dataclass
class Org:
    province: Unit
    centre: Unit
    justice: Unit
    justice_desk: Unit
    district: Unit
    district_desk: Unit
    commune: Unit
    commune_desk: Unit
    other_province: Unit


def make_org() -> Org:
    province = create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
    )
    centre = create_unit(
        None,
        province,
        code="000.00.23.H33",
        name="Trung tâm Phục vụ hành chính công",
        level=UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    justice = create_unit(
        None, province, code="000.00.03.H33", name="Sở Tư pháp", level=UnitLevel.PROVINCIAL_AGENCY
    )
    justice_desk = create_unit(
        None,
        justice,
        code="000.01.03.H33",
        name="Bộ phận Một cửa Sở Tư pháp",
        level=UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    district = create_unit(
        None,
        province,
        code="000.00.31.H33",
        name="UBND thành phố Rạch Giá",
        level=UnitLevel.DISTRICT,
    )
    district_desk = create_unit(
        None,
        district,
        code="000.01.31.H33",
        name="Bộ phận TN&TKQ thành phố Rạch Giá",
        level=UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    commune = create_unit(
        None,
        district,
        code="001.00.31.H33",
        name="UBND phường Vĩnh Thanh Vân",
        level=UnitLevel.COMMUNE,
    )
    commune_desk = create_unit(
        None,
        commune,
        code="001.99.31.H33",
        name="Bộ phận TN&TKQ phường Vĩnh Thanh Vân",
        level=UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    other = create_unit(
        None, None, code="000.00.00.H34", name="UBND tỉnh khác", level=UnitLevel.PROVINCE
    )
    return Org(
        province,
        centre,
        justice,
        justice_desk,
        district,
        district_desk,
        commune,
        commune_desk,
        other,
    )


@dataclass
class Catalogue:
    civil: ProcedureField
    land: ProcedureField
    birth: ProcedureVersion
    birth_v2: ProcedureVersion
    marriage: ProcedureVersion
    land_use: ProcedureVersion


def make_catalogue() -> Catalogue:
    civil = ProcedureField.objects.create(code="ho-tich", name="Hộ tịch")
    land = ProcedureField.objects.create(code="dat-dai", name="Đất đai")

    def version(
        code: str, name: str, field: ProcedureField, number: int = 1, status: str = "published"
    ) -> ProcedureVersion:
        procedure, _ = Procedure.objects.get_or_create(national_code=code)
        return ProcedureVersion.objects.create(
            procedure=procedure,
            number=number,
            status=status,
            name=name,
            field=field,
            time_limit=Decimal(5),
        )

    return Catalogue(
        civil=civil,
        land=land,
        birth=version("1.001193", "Đăng ký khai sinh (cũ)", civil, 1, "replaced"),
        birth_v2=version("1.001193", "Đăng ký khai sinh", civil, 2),
        marriage=version("1.000894", "Đăng ký kết hôn", civil),
        land_use=version("1.004227", "Đăng ký đất đai lần đầu", land),
    )


_serial = count(1)


def make_dossier(
    agency: Unit,
    desk: Unit,
    version: ProcedureVersion,
    *,
    status: int,
    channel: int = Channel.DESK,
    received_at: datetime | None,
    due_at: datetime | None = None,
    resolved_at: datetime | None = None,
    returned_at: datetime | None = None,
    closed_at: datetime | None = None,
    paused_at: datetime | None = None,
) -> Dossier:
    moment = received_at or closed_at or NOW
    return Dossier.objects.create(
        code=f"{agency.code}-{moment:%y%m%d}-{next(_serial):04d}",
        procedure_version=version,
        receiving_agency=agency,
        receiving_unit=desk,
        channel=channel,
        status=status,
        applicant_name="Nguyễn Văn An",
        submitted_at=moment,
        received_at=received_at,
        due_at=due_at,
        original_due_at=due_at,
        resolved_at=resolved_at,
        returned_at=returned_at,
        closed_at=closed_at,
        paused_at=paused_at,
    )


@pytest.fixture
def org() -> Org:
    return make_org()


@pytest.fixture
def cat() -> Catalogue:
    return make_catalogue()


@pytest.fixture
def march(org: Org, cat: Catalogue) -> dict[str, Dossier]:
    """One dossier per bucket (plus some that must count nowhere) for March 2020."""
    j, jd, c, cd, d, dd = (
        org.justice,
        org.justice_desk,
        org.commune,
        org.commune_desk,
        org.district,
        org.district_desk,
    )
    made = {
        # Open at 1 March (received in February), result ready early in March.
        "carried_early": make_dossier(
            j,
            jd,
            cat.birth,
            status=Status.RETURNED,
            received_at=at("2020-02-20"),
            due_at=at("2020-03-10"),
            resolved_at=at("2020-03-05"),
            returned_at=at("2020-03-06"),
            closed_at=at("2020-03-06"),
        ),
        # Closed in February: in no bucket of March.
        "closed_before": make_dossier(
            j,
            jd,
            cat.birth,
            status=Status.RETURNED,
            received_at=at("2020-02-01"),
            due_at=at("2020-02-12"),
            resolved_at=at("2020-02-10"),
            returned_at=at("2020-02-11"),
            closed_at=at("2020-02-11"),
        ),
        # Ready in February, handed back in March: returned only, not carried over.
        "returned_only": make_dossier(
            c,
            cd,
            cat.marriage,
            status=Status.RETURNED,
            received_at=at("2020-02-20"),
            due_at=at("2020-02-28"),
            resolved_at=at("2020-02-27"),
            returned_at=at("2020-03-02"),
            closed_at=at("2020-03-02"),
        ),
        # New at the desk, ready on the due day an hour before the appointment.
        "on_time": make_dossier(
            c,
            cd,
            cat.birth_v2,
            status=Status.RESULT_READY,
            received_at=at("2020-03-02"),
            due_at=at("2020-03-09", "09:00"),
            resolved_at=at("2020-03-09", "08:00"),
        ),
        # Same local day as the appointment but in the early morning: in UTC that is
        # the day before, so a UTC date comparison would wrongly call it early.
        "on_time_tz": make_dossier(
            c,
            cd,
            cat.birth_v2,
            status=Status.RESULT_READY,
            received_at=at("2020-03-03"),
            due_at=at("2020-03-10", "16:00"),
            resolved_at=at("2020-03-10", "06:30"),
        ),
        # New online, ready the due day but after the appointment: late.
        "late": make_dossier(
            d,
            dd,
            cat.land_use,
            status=Status.RETURNED,
            channel=Channel.ONLINE,
            received_at=at("2020-03-02"),
            due_at=at("2020-03-10", "10:00"),
            resolved_at=at("2020-03-10", "15:00"),
            returned_at=at("2020-03-11"),
            closed_at=at("2020-03-11"),
        ),
        # New by post, still in progress at the end of March, due 20 March: overdue.
        "overdue": make_dossier(
            d,
            dd,
            cat.land_use,
            status=Status.PROCESSING,
            channel=Channel.POST,
            received_at=at("2020-03-04"),
            due_at=at("2020-03-20"),
        ),
        # New online, due in April: in progress, not yet due.
        "not_due": make_dossier(
            c,
            cd,
            cat.marriage,
            status=Status.PROCESSING,
            channel=Channel.ONLINE,
            received_at=at("2020-03-25"),
            due_at=at("2020-04-05"),
        ),
        # Waiting for a supplement since 15 March: the clock stands still, not overdue.
        "paused": make_dossier(
            j,
            jd,
            cat.birth_v2,
            status=Status.SUPPLEMENT_REQUESTED,
            received_at=at("2020-03-05"),
            due_at=at("2020-03-20"),
            paused_at=at("2020-03-15"),
        ),
        "withdrawn": make_dossier(
            c,
            cd,
            cat.marriage,
            status=Status.WITHDRAWN,
            received_at=at("2020-03-03"),
            due_at=at("2020-03-12"),
            closed_at=at("2020-03-04"),
        ),
        "stopped": make_dossier(
            j,
            jd,
            cat.birth_v2,
            status=Status.STOPPED,
            received_at=at("2020-03-03"),
            due_at=at("2020-03-12"),
            closed_at=at("2020-03-12"),
        ),
        # Refused at the desk: never received.
        "refused": make_dossier(
            c,
            cd,
            cat.marriage,
            status=Status.REFUSED,
            channel=Channel.ONLINE,
            received_at=None,
            closed_at=at("2020-03-05"),
        ),
        # Received in April: outside March.
        "april": make_dossier(
            c,
            cd,
            cat.marriage,
            status=Status.RECEIVED,
            received_at=at("2020-04-02"),
            due_at=at("2020-04-09"),
        ),
        # Submitted online, not yet accepted: not received.
        "submitted": make_dossier(
            c,
            cd,
            cat.marriage,
            status=Status.SUBMITTED,
            channel=Channel.ONLINE,
            received_at=None,
        ),
        # Received in February and still open in April: carried over and overdue.
        "carried_overdue": make_dossier(
            j,
            jd,
            cat.birth_v2,
            status=Status.PROCESSING,
            received_at=at("2020-02-25"),
            due_at=at("2020-03-03"),
        ),
        # Another province: never in the scope of Kiên Giang.
        "elsewhere": make_dossier(
            org.other_province,
            org.other_province,
            cat.birth_v2,
            status=Status.PROCESSING,
            received_at=at("2020-03-02"),
            due_at=at("2020-03-04"),
        ),
    }
    return made


# --- buckets --------------------------------------------------------------------------


def test_every_bucket_of_the_province_for_march(org: Org, march: dict[str, Dossier]) -> None:
    result = dossier_statistics(org.province, *MARCH, group_by=None, now=NOW)
    t = result.totals
    assert t.carried_over == 2  # carried_early, carried_overdue
    assert t.new == 8
    assert (t.new_desk, t.new_online, t.new_post) == (5, 2, 1)
    assert t.received == 10
    assert t.resolved_early == 1  # carried_early
    assert t.resolved_on_time == 2  # on_time, on_time_tz
    assert t.resolved_late == 1
    assert t.resolved == 4
    assert t.in_progress_overdue == 2  # overdue, carried_overdue
    assert t.in_progress_not_due == 2  # not_due, paused
    assert t.returned == 3  # carried_early, returned_only, late
    assert t.withdrawn == 1
    assert t.refused == 1
    assert t.stopped == 1
    assert t.online_share == pytest.approx(2 / 8)
    assert t.on_time_share == pytest.approx(3 / 4)
    assert result.satisfaction is not None and result.satisfaction["count"] == 0
    assert result.rows == []
    assert result.as_of == datetime(2020, 4, 1, tzinfo=TZ)
    # The report balances: every received dossier ended the period somewhere.
    assert t.received == t.resolved + t.in_progress + t.withdrawn + t.stopped


def test_in_progress_is_measured_now_when_the_period_has_not_ended(
    org: Org, march: dict[str, Dossier]
) -> None:
    now = at("2020-03-18", "10:00")
    result = dossier_statistics(org.province, *MARCH, group_by=None, now=now)
    assert result.as_of == now
    t = result.totals
    # On 18 March "overdue" (due 20 March) is not due yet and the paused one stands
    # still; "not_due" (received 25 March) is not yet in the house at that moment.
    assert t.in_progress_overdue == 1  # carried_overdue only
    assert t.in_progress_not_due == 2  # overdue (due the 20th), paused


def test_a_dossier_resolved_exactly_at_the_appointment_is_on_time(org: Org, cat: Catalogue) -> None:
    due = at("2020-03-10", "10:00")
    make_dossier(
        org.commune,
        org.commune_desk,
        cat.birth_v2,
        status=Status.RESULT_READY,
        received_at=at("2020-03-02"),
        due_at=due,
        resolved_at=due,
    )
    make_dossier(
        org.commune,
        org.commune_desk,
        cat.birth_v2,
        status=Status.RESULT_READY,
        received_at=at("2020-03-02"),
        due_at=None,
        resolved_at=due,
    )
    t = dossier_statistics(org.commune, *MARCH, group_by=None, now=NOW).totals
    assert (t.resolved_early, t.resolved_on_time, t.resolved_late) == (0, 2, 0)


def test_an_apology_letter_makes_a_dossier_late_whatever_its_new_appointment(
    org: Org, cat: Catalogue
) -> None:
    clerk = User.objects.create_user("motcua.test", "KienGiang2020", full_name="Lê Văn Hùng")

    def apologise(dossier: Dossier, previous: datetime, new: datetime) -> None:
        ApologyLetter.objects.create(
            dossier=dossier,
            reason="Chờ ý kiến cơ quan phối hợp",
            previous_due_at=previous,
            new_due_at=new,
            issued_by=clerk,
            issuing_unit=org.commune,
            issued_at=previous - timedelta(days=1),
        )
        dossier.due_at = new
        dossier.save(update_fields=["due_at"])

    # Ready before its new appointment, after the first one: late.
    ready = make_dossier(
        org.commune,
        org.commune_desk,
        cat.land_use,
        status=Status.RESULT_READY,
        received_at=at("2020-03-02"),
        due_at=at("2020-03-09"),
        resolved_at=at("2020-03-12"),
    )
    apologise(ready, at("2020-03-09"), at("2020-03-16"))
    # Still open at the end of March; its first appointment (25 March) was missed
    # and replaced by one in April: overdue.
    moved = make_dossier(
        org.commune,
        org.commune_desk,
        cat.land_use,
        status=Status.PROCESSING,
        received_at=at("2020-03-16"),
        due_at=at("2020-03-25"),
    )
    apologise(moved, at("2020-03-25"), at("2020-04-08"))
    # Apologised ahead of an appointment after the end of the period: not yet due.
    ahead = make_dossier(
        org.commune,
        org.commune_desk,
        cat.land_use,
        status=Status.PROCESSING,
        received_at=at("2020-03-20"),
        due_at=at("2020-04-03"),
    )
    apologise(ahead, at("2020-04-03"), at("2020-04-20"))
    t = dossier_statistics(org.commune, *MARCH, group_by=None, now=NOW).totals
    assert (t.resolved_early, t.resolved_on_time, t.resolved_late) == (0, 0, 1)
    assert (t.in_progress_not_due, t.in_progress_overdue) == (1, 1)


def test_period_edges_are_local_midnights(org: Org, cat: Catalogue) -> None:
    # 31 March 23:59 local is 16:59 UTC: in March. 1 April 00:00 local: not.
    for moment in (at("2020-03-31", "23:59"), at("2020-04-01", "00:00"), at("2020-03-01", "00:00")):
        make_dossier(
            org.commune,
            org.commune_desk,
            cat.birth_v2,
            status=Status.RECEIVED,
            received_at=moment,
            due_at=at("2020-04-20"),
        )
    t = dossier_statistics(org.commune, *MARCH, group_by=None, now=NOW).totals
    assert t.new == 2
    assert t.carried_over == 0
    starts_at, ends_at = period_bounds(*MARCH)
    assert starts_at.isoformat() == "2020-03-01T00:00:00+07:00"
    assert ends_at.isoformat() == "2020-04-01T00:00:00+07:00"


def test_empty_scope_gives_zeros_and_no_shares(org: Org) -> None:
    t = dossier_statistics(org.commune, *MARCH, group_by=None, now=NOW).totals
    assert t == Counts()
    assert t.is_empty
    assert t.online_share is None and t.on_time_share is None


def test_bad_arguments_are_refused(org: Org) -> None:
    with pytest.raises(ValueError):
        dossier_statistics(org.province, date(2020, 3, 2), date(2020, 3, 1))
    with pytest.raises(ValueError):
        dossier_statistics(org.province, *MARCH, group_by="channel")


# --- scope and grouping -------------------------------------------------------------------


def test_grouped_by_agency_folds_each_subtree_into_a_child(
    org: Org, cat: Catalogue, march: dict[str, Dossier]
) -> None:
    # One dossier received by the province itself (through its centre).
    make_dossier(
        org.province,
        org.centre,
        cat.land_use,
        status=Status.RECEIVED,
        received_at=at("2020-03-20"),
        due_at=at("2020-04-20"),
    )
    result = dossier_statistics(org.province, *MARCH, group_by="agency", now=NOW)
    rows = {row.key: row for row in result.rows}
    # The centre (an internal unit) received nothing as an agency: no line.
    assert list(rows) == ["000.00.00.H33", "000.00.03.H33", "000.00.31.H33"]
    assert rows["000.00.00.H33"].is_self
    assert rows["000.00.00.H33"].counts.new == 1
    justice = rows["000.00.03.H33"].counts
    assert (justice.carried_over, justice.new, justice.resolved_early) == (2, 2, 1)
    assert (justice.in_progress_overdue, justice.in_progress_not_due, justice.stopped) == (1, 1, 1)
    district = rows["000.00.31.H33"].counts  # the district and its commune together
    assert district.new == 6
    assert district.resolved_late == 1 and district.resolved_on_time == 2
    assert district.refused == 1 and district.withdrawn == 1 and district.returned == 2
    assert result.totals == sum_counts(row.counts for row in result.rows)
    ungrouped = dossier_statistics(org.province, *MARCH, group_by=None, now=NOW)
    assert result.totals == ungrouped.totals


def test_a_single_province_is_counted_without_a_scope_filter(cat: Catalogue) -> None:
    province = create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
    )
    commune = create_unit(
        None, province, code="001.00.31.H33", name="UBND xã Mong Thọ", level=UnitLevel.COMMUNE
    )
    for agency in (province, commune):
        make_dossier(
            agency,
            agency,
            cat.birth_v2,
            status=Status.RECEIVED,
            received_at=at("2020-03-02"),
            due_at=at("2020-04-20"),
        )
    result = dossier_statistics(province, *MARCH, now=NOW)
    assert result.totals.new == 2
    assert [(row.key, row.counts.new) for row in result.rows] == [
        ("000.00.00.H33", 1),
        ("001.00.31.H33", 1),
    ]
    assert dossier_statistics(commune, *MARCH, now=NOW).totals.new == 1


def test_a_quiet_agency_still_has_its_line(org: Org, march: dict[str, Dossier]) -> None:
    result = dossier_statistics(org.district, *MARCH, group_by="agency", now=NOW)
    rows = {row.key: row for row in result.rows}
    assert list(rows) == ["000.00.31.H33", "001.00.31.H33"]  # self (district), commune
    assert rows["000.00.31.H33"].is_self
    assert rows["000.00.31.H33"].counts.new == 2
    assert rows["001.00.31.H33"].counts.new == 4
    quiet = dossier_statistics(org.commune, date(2019, 1, 1), date(2019, 1, 31), now=NOW)
    assert [row.key for row in quiet.rows] == []  # a commune has only a desk below it
    assert quiet.totals.is_empty


def test_a_one_stop_desk_sees_what_it_received(
    org: Org, cat: Catalogue, march: dict[str, Dossier]
) -> None:
    # The province's centre receives a dossier on behalf of the Department of Justice.
    make_dossier(
        org.justice,
        org.centre,
        cat.birth_v2,
        status=Status.RECEIVED,
        channel=Channel.ONLINE,
        received_at=at("2020-03-20"),
        due_at=at("2020-04-20"),
    )
    centre = dossier_statistics(org.centre, *MARCH, group_by="agency", now=NOW)
    assert centre.by_desk
    assert centre.totals.new == 1 and centre.totals.new_online == 1
    assert [(row.key, row.is_self) for row in centre.rows] == [("000.00.23.H33", True)]
    # The department still counts it as its own.
    justice = dossier_statistics(org.justice, *MARCH, group_by=None, now=NOW)
    assert not justice.by_desk
    assert justice.totals.new == 3
    desk = dossier_statistics(org.commune_desk, *MARCH, group_by=None, now=NOW)
    assert desk.totals.new == 4


def test_grouped_by_field_and_procedure(
    org: Org, cat: Catalogue, march: dict[str, Dossier]
) -> None:
    by_field = dossier_statistics(org.province, *MARCH, group_by="field", now=NOW)
    assert [(row.key, row.name) for row in by_field.rows] == [
        ("dat-dai", "Đất đai"),  # "Đ" sorts as "D", before "H"
        ("ho-tich", "Hộ tịch"),
    ]
    assert [row.counts.received for row in by_field.rows] == [2, 8]
    assert by_field.totals == sum_counts(row.counts for row in by_field.rows)

    by_procedure = dossier_statistics(org.province, *MARCH, group_by="procedure", now=NOW)
    rows = {row.key: row for row in by_procedure.rows}
    assert list(rows) == ["1.000894", "1.001193", "1.004227"]
    # Both versions of the birth registration in one line, named after the newest.
    assert rows["1.001193"].name == "Đăng ký khai sinh"
    assert rows["1.001193"].counts.carried_over == 2
    assert rows["1.001193"].counts.new == 4
    assert by_procedure.totals == by_field.totals


def test_filters_by_field_and_procedure(
    org: Org, cat: Catalogue, march: dict[str, Dossier]
) -> None:
    land = dossier_statistics(org.province, *MARCH, field=cat.land, group_by=None, now=NOW)
    assert land.totals.new == 2
    assert land.totals.resolved_late == 1 and land.totals.in_progress_overdue == 1
    marriage = dossier_statistics(
        org.province, *MARCH, procedure=cat.marriage.procedure, group_by="agency", now=NOW
    )
    assert marriage.totals.new == 2  # not_due, withdrawn
    assert marriage.totals.returned == 1 and marriage.totals.refused == 1
    nothing = dossier_statistics(
        org.province,
        *MARCH,
        field=cat.land,
        procedure=cat.marriage.procedure,
        group_by=None,
        now=NOW,
    )
    assert nothing.totals.is_empty


def test_one_aggregate_query_whatever_the_number_of_dossiers(
    org: Org, cat: Catalogue, march: dict[str, Dossier], django_assert_max_num_queries: Any
) -> None:
    for number in range(30):
        make_dossier(
            org.commune,
            org.commune_desk,
            cat.marriage,
            status=Status.RECEIVED,
            received_at=at("2020-03-10"),
            due_at=at("2020-03-10", f"{10 + number % 7}:00"),
        )
    # On PostgreSQL the aggregate runs with JIT off: savepoint, SET LOCAL, release.
    extra = 3 if connection.vendor == "postgresql" else 0
    # The subtree, whether it is the whole tree, the roll-ups' watermark (none: never
    # built), the aggregate, then the ratings summary.
    with django_assert_max_num_queries(5 + extra):
        dossier_statistics(org.province, *MARCH, group_by=None, now=NOW)
    with django_assert_max_num_queries(5 + extra):
        dossier_statistics(org.province, *MARCH, group_by="agency", now=NOW)
    # And the versions (with their field and procedure).
    with django_assert_max_num_queries(6 + extra):
        dossier_statistics(org.province, *MARCH, group_by="procedure", now=NOW)


def test_counts_as_dict_has_every_figure() -> None:
    counts = Counts(new=4, new_online=1, resolved_early=1, resolved_late=1)
    data = counts.as_dict()
    assert data["received"] == 4 and data["resolved"] == 2
    assert data["online_share"] == 0.25 and data["on_time_share"] == 0.5
    assert "satisfaction" not in data  # ratings are counted per scope, not per row
    assert counts + counts == Counts(new=8, new_online=2, resolved_early=2, resolved_late=2)


# --- periods ----------------------------------------------------------------------------


def test_calendar_periods() -> None:
    assert (calendar_month(2020, 2).start, calendar_month(2020, 2).end) == (
        date(2020, 2, 1),
        date(2020, 2, 29),
    )
    assert calendar_month(2020, 12).end == date(2020, 12, 31)
    assert (calendar_quarter(2020, 4).start, calendar_quarter(2020, 4).end) == (
        date(2020, 10, 1),
        date(2020, 12, 31),
    )
    assert calendar_half(2019, 2).start == date(2019, 7, 1)
    assert calendar_year(2019).end == date(2019, 12, 31)


def test_reporting_periods_of_decree_09_2019_run_from_the_15th_to_the_14th() -> None:
    assert (cutoff_month(2020, 3).start, cutoff_month(2020, 3).end) == (
        date(2020, 2, 15),
        date(2020, 3, 14),
    )
    assert cutoff_month(2020, 1).start == date(2019, 12, 15)
    assert (cutoff_quarter(2020, 1).start, cutoff_quarter(2020, 1).end) == (
        date(2019, 12, 15),
        date(2020, 3, 14),
    )
    assert cutoff_quarter(2020, 3).start == date(2020, 6, 15)
    assert (cutoff_half(2020, 2).start, cutoff_half(2020, 2).end) == (
        date(2020, 6, 15),
        date(2020, 12, 14),
    )
    assert (cutoff_year(2020).start, cutoff_year(2020).end) == (
        date(2019, 12, 15),
        date(2020, 12, 14),
    )
    assert current_cutoff_month(date(2020, 3, 14)) == cutoff_month(2020, 3)
    assert current_cutoff_month(date(2020, 3, 15)) == cutoff_month(2020, 4)
    assert current_cutoff_month(date(2020, 12, 20)) == cutoff_month(2021, 1)


@pytest.mark.parametrize(
    "today",
    [
        date(2020, 1, 1),
        date(2020, 1, 31),
        date(2020, 3, 14),
        date(2020, 3, 15),
        date(2020, 5, 31),
        date(2020, 12, 14),
        date(2020, 12, 15),
    ],
)
def test_quick_periods_contain_today_and_follow_each_other(today: date) -> None:
    choices = quick_periods(today)
    for basis in ("calendar", "cutoff"):
        by_slot = dict(choices[basis])
        for current, previous in (
            ("this_month", "last_month"),
            ("this_quarter", "last_quarter"),
            ("this_year", "last_year"),
        ):
            this = by_slot[current]
            assert this.start <= today <= this.end, (basis, current)
            assert by_slot[previous].end.toordinal() + 1 == this.start.toordinal()
            assert this.basis == basis
    cut = dict(choices["cutoff"])
    assert all(period.end.day == 14 for period in cut.values())


def test_vietnamese_names_sort_without_tone_marks() -> None:
    names = ["Xây dựng", "Đất đai", "Hộ tịch", "Chứng thực", "Ẩn"]
    assert sorted(names, key=fold_name) == ["Ẩn", "Chứng thực", "Đất đai", "Hộ tịch", "Xây dựng"]
