"""Working-day arithmetic: explicit cases (Tết 2027, overrides, edges) and properties.

These tests build calendars directly and need no database. Expected dates follow the
data of ``holidays`` 0.109 for Vietnam, printed here once so a reader can check them:

2027: 01-01 Tết Dương lịch; 02-04 (Thu) 29 Tết … 02-10 (Wed) Mùng năm Tết Nguyên Đán
(Tết itself, 02-06, is a Saturday); 04-16 Giỗ Tổ; 04-30; 05-01 (Sat) + 05-03 nghỉ bù;
09-02, 09-03; 11-24. 2026: 08-31 off in exchange for Saturday 08-22 worked.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import assume, given
from hypothesis import strategies as st

from egov.core.workcalendar import (
    MAX_WORKING_DAYS,
    CalendarRangeError,
    DaySource,
    Deadline,
    Override,
    WorkingCalendar,
    build_calendar,
    parse_office_hours,
    parse_working_weekdays,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = timedelta(hours=7, minutes=30)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@functools.cache
def cal() -> WorkingCalendar:
    """The real calendar (settings + holidays.VN), without overrides."""
    return build_calendar({})


def with_overrides(**days: tuple[bool, str]) -> WorkingCalendar:
    overrides = {date.fromisoformat(k[1:].replace("_", "-")): Override(*v) for k, v in days.items()}
    return build_calendar(overrides)


# --- explicit cases ----------------------------------------------------------------


def test_tet_2027_five_working_days_land_after_the_holidays() -> None:
    # Wed 3 Feb 10:00 is working time. Thu 4 – Wed 10 Feb are Tết days off (29 Tết to
    # Mùng năm, the weekend inside them included), so the 5 working days are
    # Thu 11, Fri 12, Mon 15, Tue 16, Wed 17 (13-14 are a weekend).
    start = at(2027, 2, 3, 10)
    due = cal().add_working_days(start, 5)
    assert due == at(2027, 2, 17, 10)
    skipped = cal().skipped_days(start, due)
    assert [day for day, _ in skipped] == [date(2027, 2, d) for d in (4, 5, 6, 7, 8, 9, 10, 13, 14)]
    reasons = dict(skipped)
    assert reasons[date(2027, 2, 6)] == "Tết Nguyên Đán"
    assert reasons[date(2027, 2, 8)] == "Mùng ba Tết Nguyên Đán"
    assert "Tết" not in reasons[date(2027, 2, 13)]


def test_tet_2027_days_are_off_and_neighbours_work() -> None:
    assert cal().is_working_day(date(2027, 2, 3))
    for day in range(4, 11):
        assert not cal().is_working_day(date(2027, 2, day)), day
    assert cal().is_working_day(date(2027, 2, 11))


def test_working_hours_across_tet_2027() -> None:
    # 16:00 Wed 3 Feb: 1 h left that day, the other 0.5 h on Thu 11 Feb.
    assert cal().add_working_hours(at(2027, 2, 3, 16), 1.5) == at(2027, 2, 11, 8)
    assert cal().working_time_between(at(2027, 2, 3, 16), at(2027, 2, 11, 8)) == timedelta(
        hours=1, minutes=30
    )


def test_package_swap_2026_saturday_worked_and_monday_off() -> None:
    assert cal().is_working_day(date(2026, 8, 22))
    assert cal().describe(date(2026, 8, 22)).source == DaySource.SWAP
    assert not cal().is_working_day(date(2026, 8, 31))
    # Fri 21 Aug 09:00 + 1 → the worked Saturday.
    assert cal().add_working_days(at(2026, 8, 21, 9), 1) == at(2026, 8, 22, 9)


def test_weekday_off_override() -> None:
    calendar = with_overrides(d2026_03_11=(False, "Nghỉ bù theo quyết định của UBND tỉnh"))
    assert not calendar.is_working_day(date(2026, 3, 11))
    # Tue 10 Mar 09:00 + 1 skips Wed 11 → Thu 12.
    due = calendar.add_working_days(at(2026, 3, 10, 9), 1)
    assert due == at(2026, 3, 12, 9)
    assert calendar.skipped_days(at(2026, 3, 10, 9), due) == [
        (date(2026, 3, 11), "Nghỉ bù theo quyết định của UBND tỉnh")
    ]
    assert cal().add_working_days(at(2026, 3, 10, 9), 1) == at(2026, 3, 11, 9)


def test_saturday_worked_override() -> None:
    calendar = with_overrides(d2026_03_14=(True, "Làm bù cho ngày 02/01"))
    assert calendar.is_working_day(date(2026, 3, 14))
    assert calendar.add_working_days(at(2026, 3, 13, 9), 1) == at(2026, 3, 14, 9)
    assert cal().add_working_days(at(2026, 3, 13, 9), 1) == at(2026, 3, 16, 9)
    # A start on that Saturday is inside working time.
    assert calendar.next_working_moment(at(2026, 3, 14, 8)) == at(2026, 3, 14, 8)


def test_override_wins_over_a_holiday() -> None:
    calendar = with_overrides(d2027_02_04=(True, "Trực Tết"))
    assert calendar.describe(date(2027, 2, 4)).source == DaySource.OVERRIDE
    # Thu 4 Feb now counts as day 1: 4, 11, 12, 15, 16.
    assert calendar.add_working_days(at(2027, 2, 3, 10), 5) == at(2027, 2, 16, 10)


@pytest.mark.parametrize(
    ("start", "anchor"),
    [
        (at(2026, 3, 10, 9, 15), at(2026, 3, 10, 9, 15)),  # inside the morning
        (at(2026, 3, 10, 7, 0), at(2026, 3, 10, 7, 30)),  # before opening
        (at(2026, 3, 10, 11, 30), at(2026, 3, 10, 13, 30)),  # lunch starts at 11:30 sharp
        (at(2026, 3, 10, 12, 0), at(2026, 3, 10, 13, 30)),  # lunch
        (at(2026, 3, 10, 17, 0), at(2026, 3, 11, 7, 30)),  # closing time sharp
        (at(2026, 3, 13, 18, 0), at(2026, 3, 16, 7, 30)),  # Friday evening
        (at(2026, 3, 15, 10, 0), at(2026, 3, 16, 7, 30)),  # Sunday
    ],
)
def test_next_working_moment(start: datetime, anchor: datetime) -> None:
    assert cal().next_working_moment(start) == anchor


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (at(2026, 3, 10, 9, 15), 0, at(2026, 3, 10, 9, 15)),
        (at(2026, 3, 10, 9, 15), 1, at(2026, 3, 11, 9, 15)),
        (at(2026, 3, 13, 18, 0), 1, at(2026, 3, 17, 7, 30)),  # counted from Mon 07:30
        (at(2026, 3, 15, 10, 0), 0, at(2026, 3, 16, 7, 30)),  # n=0 is the anchor
        (at(2026, 3, 10, 17, 0), 2, at(2026, 3, 13, 7, 30)),
        (at(2026, 3, 10, 12, 0), 1, at(2026, 3, 11, 13, 30)),
        (at(2026, 3, 13, 10, 0), 5, at(2026, 3, 20, 10, 0)),  # over a weekend
    ],
)
def test_add_working_days(start: datetime, n: int, due: datetime) -> None:
    assert cal().add_working_days(start, n) == due


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 3, 10, 7, 30), 4, at(2026, 3, 10, 11, 30)),  # earliest: not 13:30
        (at(2026, 3, 10, 7, 30), 4.5, at(2026, 3, 10, 14, 0)),
        (at(2026, 3, 10, 7, 30), Decimal("7.5"), at(2026, 3, 10, 17, 0)),
        (at(2026, 3, 10, 16, 0), 2, at(2026, 3, 11, 8, 30)),
        (at(2026, 3, 13, 16, 0), timedelta(hours=8, minutes=30), at(2026, 3, 16, 17, 0)),
        (at(2026, 3, 13, 16, 0), timedelta(hours=9, minutes=30), at(2026, 3, 17, 8, 30)),
        (at(2026, 3, 14, 9, 0), 1, at(2026, 3, 16, 8, 30)),  # Saturday start
        (at(2026, 3, 10, 18, 0), 0, at(2026, 3, 10, 18, 0)),  # nothing to add
    ],
)
def test_add_working_hours(start: datetime, hours: float, due: datetime) -> None:
    assert cal().add_working_hours(start, hours) == due


def test_working_time_between_sign_and_values() -> None:
    a, b = at(2026, 3, 13, 16, 0), at(2026, 3, 16, 8, 30)
    assert cal().working_time_between(a, b) == timedelta(hours=2)
    assert cal().working_time_between(b, a) == -timedelta(hours=2)
    assert cal().working_time_between(a, a) == timedelta(0)
    # Only working time counts: lunch and night are free.
    assert cal().working_time_between(at(2026, 3, 10, 11), at(2026, 3, 10, 14)) == timedelta(
        hours=1
    )
    assert cal().working_time_between(at(2026, 3, 14, 0), at(2026, 3, 15, 23)) == timedelta(0)


def test_results_are_in_local_time_whatever_the_input_zone() -> None:
    start_utc = datetime(2027, 2, 3, 3, 0, tzinfo=UTC)  # 10:00 in Hồ Chí Minh City
    due = cal().add_working_days(start_utc, 5)
    assert due == at(2027, 2, 17, 10)
    assert due.utcoffset() == timedelta(hours=7)


def test_shift_working_time_backwards() -> None:
    # 2 h before Mon 08:30: 1 h on Monday morning, 1 h on Friday → Fri 16:00.
    assert cal().shift_working_time(at(2026, 3, 16, 8, 30), -timedelta(hours=2)) == at(
        2026, 3, 13, 16, 0
    )


def test_weekend_reason_names_the_day() -> None:
    status = cal().describe(date(2026, 3, 15))
    assert status.source == DaySource.WEEKEND
    assert not status.is_working_day
    assert status.reason


def test_special_days_of_2027() -> None:
    special = {status.day: status for status in cal().special_days(2027)}
    assert date(2027, 2, 6) in special  # Tết on a Saturday is listed
    assert date(2027, 2, 13) not in special  # an ordinary weekend is not
    assert special[date(2027, 5, 3)].reason == "Ngày Quốc tế Lao động (nghỉ bù)"


# --- guards -----------------------------------------------------------------------


@pytest.mark.parametrize("n", [-1, MAX_WORKING_DAYS + 1, 10**9])
def test_absurd_day_counts_are_refused(n: int) -> None:
    with pytest.raises(ValueError, match="ngày làm việc"):
        cal().add_working_days(at(2026, 3, 10, 9), n)


def test_the_largest_day_count_is_accepted() -> None:
    due = cal().add_working_days(at(2026, 3, 10, 9), MAX_WORKING_DAYS)
    assert cal().working_time_between(at(2026, 3, 10, 9), due) == MAX_WORKING_DAYS * DAY


@pytest.mark.parametrize("hours", [-0.5, float("nan"), float("inf"), 10**7])
def test_absurd_hours_are_refused(hours: float) -> None:
    with pytest.raises(ValueError):
        cal().add_working_hours(at(2026, 3, 10, 9), hours)


def test_non_numbers_are_refused() -> None:
    with pytest.raises(TypeError):
        cal().add_working_days(at(2026, 3, 10, 9), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cal().add_working_hours(at(2026, 3, 10, 9), True)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="múi giờ"):
        cal().add_working_days(datetime(2026, 3, 10, 9), 1)


def test_years_without_holiday_data_are_refused() -> None:
    with pytest.raises(CalendarRangeError):
        cal().add_working_days(at(2100, 12, 20, 9), 30)
    with pytest.raises(CalendarRangeError):
        cal().is_working_day(date(2150, 1, 5))


def test_far_years_inside_the_data_are_computed_on_demand() -> None:
    # Tết 2099 falls on 21 January (holidays.VN).
    assert not cal().is_working_day(date(2099, 1, 21))
    assert cal().add_working_days(at(2099, 1, 16, 9), 1) == at(2099, 1, 26, 9)


def test_settings_parsing() -> None:
    assert parse_office_hours("08:00-12:00") == ((8 * 3600 * 10**6, 12 * 3600 * 10**6),)
    assert parse_working_weekdays("0, 1,2") == frozenset({0, 1, 2})
    for bad in ("", "12:00-08:00", "07:30-11:30,11:00-17:00", "7h-11h"):
        with pytest.raises(ImproperlyConfigured):
            parse_office_hours(bad)
    for bad_days in ("", "7", "x"):
        with pytest.raises(ImproperlyConfigured):
            parse_working_weekdays(bad_days)


def test_custom_sessions_and_static_holidays() -> None:
    calendar = WorkingCalendar(
        sessions="08:00-12:00",
        working_weekdays="0,1,2,3,4,5",
        holidays={date(2030, 1, 2): "Test holiday"},
    )
    assert calendar.working_day_length == timedelta(hours=4)
    # Tue 1 Jan 2030 11:00 + 2 h: 1 h on the 1st, the 2nd is off, 1 h on the 3rd.
    assert calendar.add_working_hours(at(2030, 1, 1, 11), 2) == at(2030, 1, 3, 9)
    assert calendar.is_working_day(date(2030, 1, 5))  # Saturdays work here


# --- pausing -----------------------------------------------------------------------


def test_pause_and_resume_add_the_stopped_working_time() -> None:
    deadline = Deadline(due=at(2027, 2, 17, 10))
    paused = deadline.pause(at(2027, 2, 11, 9), cal())
    # Thu 09:00 → Wed 10:00: 4 working days and 1 hour.
    assert paused.remaining == 4 * DAY + timedelta(hours=1)
    resumed = paused.resume(at(2027, 2, 12, 9), cal())
    assert resumed == Deadline(due=at(2027, 2, 18, 10))


def test_pause_over_a_weekend_only_changes_nothing() -> None:
    deadline = Deadline(due=at(2026, 3, 16, 7, 30))
    resumed = deadline.pause(at(2026, 3, 13, 18), cal()).resume(at(2026, 3, 15, 12), cal())
    assert resumed.due == at(2026, 3, 16, 7, 30)


def test_pause_when_late_keeps_the_lateness() -> None:
    deadline = Deadline(due=at(2026, 3, 10, 9))
    paused = deadline.pause(at(2026, 3, 10, 10), cal())
    assert paused.remaining == -timedelta(hours=1)
    resumed = paused.resume(at(2026, 3, 12, 9), cal())
    assert resumed.due == at(2026, 3, 12, 8)


def test_pause_misuse_is_refused() -> None:
    deadline = Deadline(due=at(2026, 3, 10, 9))
    with pytest.raises(ValueError):
        deadline.resume(at(2026, 3, 10, 9), cal())
    paused = deadline.pause(at(2026, 3, 9, 9), cal())
    with pytest.raises(ValueError):
        paused.pause(at(2026, 3, 9, 10), cal())
    with pytest.raises(ValueError):
        paused.resume(at(2026, 3, 9, 8), cal())


# --- properties ---------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 1), timezones=st.just(TZ)
)
day_counts = st.integers(min_value=0, max_value=60)
durations = st.integers(min_value=0, max_value=40 * 450 * 60).map(
    lambda seconds: timedelta(seconds=seconds)
)


def in_closed_working_time(calendar: WorkingCalendar, moment: datetime) -> bool:
    local = moment.astimezone(TZ)
    if not calendar.is_working_day(local.date()):
        return False
    clock = local.time()
    sessions = [("07:30", "11:30"), ("13:30", "17:00")]
    return any(
        datetime.strptime(a, "%H:%M").time() <= clock <= datetime.strptime(b, "%H:%M").time()
        for a, b in sessions
    )


@given(moments, day_counts)
def test_due_is_a_working_moment(start: datetime, n: int) -> None:
    due = cal().add_working_days(start, n)
    assert cal().is_working_moment(due)
    assert due >= start


@given(moments, day_counts)
def test_due_is_exactly_n_working_days_of_working_time_after_the_anchor(
    start: datetime, n: int
) -> None:
    anchor = cal().next_working_moment(start)
    assert cal().working_time_between(anchor, cal().add_working_days(start, n)) == n * DAY
    assert cal().working_time_between(start, anchor) == timedelta(0)


@given(moments, day_counts)
def test_add_working_days_is_monotonic(start: datetime, n: int) -> None:
    assert cal().add_working_days(start, n + 1) > cal().add_working_days(start, n)


@given(moments, durations)
def test_working_time_between_inverts_add_working_hours(start: datetime, amount: timedelta) -> None:
    due = cal().add_working_hours(start, amount)
    assert cal().working_time_between(start, due) == amount
    if amount:
        assert in_closed_working_time(cal(), due)
        # Earliest: a moment earlier has less working time behind it.
        assert cal().working_time_between(start, due - timedelta(microseconds=1)) < amount


@given(moments, st.floats(min_value=0, max_value=300, allow_nan=False))
def test_fractional_hours_round_trip(start: datetime, hours: float) -> None:
    due = cal().add_working_hours(start, hours)
    expected = timedelta(microseconds=round(hours * 3600 * 10**6))
    assert cal().working_time_between(start, due) == expected


@given(moments, moments, moments)
def test_working_time_between_is_antisymmetric_and_additive(
    a: datetime, b: datetime, c: datetime
) -> None:
    ab = cal().working_time_between(a, b)
    assert cal().working_time_between(b, a) == -ab
    assert cal().working_time_between(a, c) == ab + cal().working_time_between(b, c)


@given(moments, durations)
def test_shifting_back_then_measuring_gives_the_amount(start: datetime, amount: timedelta) -> None:
    earlier = cal().shift_working_time(start, -amount)
    assert cal().working_time_between(earlier, start) == amount


@given(moments, day_counts)
def test_skipped_days_are_never_working_days(start: datetime, n: int) -> None:
    due = cal().add_working_days(start, n)
    skipped = cal().skipped_days(start, due)
    assert all(not cal().is_working_day(day) for day, _ in skipped)
    assert all(reason for _, reason in skipped)
    if cal().is_working_moment(start):
        # Every calendar day from start to due is either counted or skipped.
        assert (due.date() - start.date()).days + 1 == n + 1 + len(skipped)


@given(moments, moments)
def test_pause_then_immediate_resume_preserves_the_due(due: datetime, at_: datetime) -> None:
    deadline = Deadline(due=due)
    assert deadline.pause(at_, cal()).resume(at_, cal()) == deadline


@given(moments, moments, st.integers(min_value=0, max_value=20 * 24 * 3600))
def test_resume_keeps_the_remaining_working_time(
    due: datetime, pause_at: datetime, gap_seconds: int
) -> None:
    paused = Deadline(due=due).pause(pause_at, cal())
    resume_at = pause_at + timedelta(seconds=gap_seconds)
    assume(resume_at.year <= 2028)
    resumed = paused.resume(resume_at, cal())
    assert paused.remaining is not None
    if cal().working_time_between(pause_at, resume_at):
        assert cal().working_time_between(resume_at, resumed.due) == paused.remaining
    else:
        assert resumed.due == due


@given(moments)
def test_next_working_moment_is_idempotent(start: datetime) -> None:
    anchor = cal().next_working_moment(start)
    assert anchor >= start
    assert cal().is_working_moment(anchor)
    assert cal().next_working_moment(anchor) == anchor
