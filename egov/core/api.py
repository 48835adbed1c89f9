"""JSON API of the foundation: the working-day calendar.

Query parameters are taken as text and parsed here, so that every bad value gets
the structured :class:`~egov.core.schemas.ErrorOut` body with a 400, instead of
ninja's generic 422 list.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

import math
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import P, QueryEx, Router, Status

from egov.core.schemas import DueOut, ErrorOut, NonWorkingDaysOut
from egov.core.workcalendar import (
    MAX_WORKING_DAYS,
    CalendarRangeError,
    DayStatus,
    get_calendar,
)

router = Router(tags=["calendar"])

# A "+" left unencoded in a query string arrives as a space: "10:00:00 07:00".
_SPACE_FOR_PLUS = re.compile(r"^(.*T[\d:.]+) (\d{2}(:?\d{2})?)$")


class BadInput(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.error = ErrorOut(code=code, message=message, field=field)


def _parse_start(raw: str | None) -> datetime:
    if raw is None or not raw.strip():
        return timezone.localtime()
    text = raw.strip()
    match = _SPACE_FOR_PLUS.match(text)
    if match:
        text = f"{match.group(1)}+{match.group(2)}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            "invalid_datetime",
            gettext(
                "The start time is not a valid date and time; use ISO 8601, "
                "e.g. 2027-02-03T10:00:00+07:00."
            ),
            "start",
        ) from None
    try:
        if timezone.is_naive(value):
            # A time without offset is a local time of the province.
            value = timezone.make_aware(value, timezone.get_default_timezone())
        return timezone.localtime(value)
    except OverflowError:
        raise BadInput(
            "out_of_range", gettext("The start time is out of range."), "start"
        ) from None


def _parse_working_days(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadInput(
            "invalid_number",
            gettext("The number of working days must be a whole number."),
            "working_days",
        ) from None
    _check_range(value, MAX_WORKING_DAYS, "working_days")
    return value


def _parse_working_hours(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise BadInput(
            "invalid_number",
            gettext("The number of working hours must be a number, e.g. 4 or 1.5."),
            "working_hours",
        )
    day_hours = get_calendar().working_day_length.total_seconds() / 3600
    _check_range(value, math.floor(MAX_WORKING_DAYS * day_hours), "working_hours")
    return value


def _check_range(value: int | Decimal, maximum: int, field: str) -> None:
    if value < 0:
        raise BadInput("negative_duration", gettext("The duration cannot be negative."), field)
    if value > maximum:
        raise BadInput(
            "duration_too_large",
            gettext("The duration is too large; at most %(maximum)s.") % {"maximum": maximum},
            field,
        )


def _out_of_range(exc: CalendarRangeError, field: str) -> Status[ErrorOut]:
    return Status(400, ErrorOut(code="out_of_range", message=str(exc), field=field))


@router.get(
    "/calendar/due",
    response={200: DueOut, 400: ErrorOut},
    url_name="calendar-due",
    summary="Due moment after a number of working days or hours",
)
def calendar_due(
    request: HttpRequest,
    start: QueryEx[
        str | None,
        P(
            description="Start (receipt) time, ISO 8601. Without offset it is read as "
            "Asia/Ho_Chi_Minh time; when omitted, now.",
            examples=["2027-02-03T10:00:00+07:00"],
        ),
    ] = None,
    working_days: QueryEx[
        str | None,
        P(description=f"Whole number of working days, 0 to {MAX_WORKING_DAYS}."),
    ] = None,
    working_hours: QueryEx[
        str | None,
        P(description="Working hours, fractions allowed (e.g. 1.5)."),
    ] = None,
) -> Status[Any]:
    """Counting begins at the first working moment at or after ``start``; a working-day
    deadline falls at the same clock time on the Nth working day after that moment's day.
    Give exactly one of ``working_days`` and ``working_hours``."""
    try:
        begin = _parse_start(start)
        has_days = working_days is not None and working_days.strip() != ""
        has_hours = working_hours is not None and working_hours.strip() != ""
        if has_days == has_hours:
            if has_days:
                raise BadInput(
                    "conflicting_duration",
                    gettext("Give either working_days or working_hours, not both."),
                    "working_hours",
                )
            raise BadInput(
                "missing_duration",
                gettext("Give working_days or working_hours."),
                "working_days",
            )
        calendar = get_calendar()
        days = _parse_working_days(working_days) if has_days and working_days else None
        hours = _parse_working_hours(working_hours) if has_hours and working_hours else None
    except BadInput as exc:
        return Status(400, exc.error)
    try:
        counted_from = calendar.next_working_moment(begin)
        if days is not None:
            due = calendar.add_working_days(begin, days)
        else:
            due = calendar.add_working_hours(begin, hours or Decimal(0))
        skipped = calendar.skipped_days(begin, due)
    except CalendarRangeError as exc:
        return _out_of_range(exc, "start")
    return Status(
        200,
        # A plain dict: ninja validates it against DueOut once, on the way out.
        {
            "start": begin,
            "counted_from": counted_from,
            "due": due,
            "working_days": days,
            "working_hours": float(hours) if hours is not None else None,
            "skipped": [{"date": day, "reason": reason} for day, reason in skipped],
        },
    )


@router.get(
    "/calendar/non-working-days",
    response={200: NonWorkingDaysOut, 400: ErrorOut},
    url_name="calendar-non-working-days",
    summary="Holidays, days off and extra working days of a year",
)
def calendar_non_working_days(
    request: HttpRequest,
    year: QueryEx[
        str | None, P(description="Year, e.g. 2027; the current year if omitted.")
    ] = None,
) -> Status[Any]:
    """Public holidays (also those on a weekend) and override days off, plus the
    weekend days worked in exchange; ordinary weekends are not listed."""
    if year is None or not year.strip():
        number = timezone.localdate().year
    else:
        try:
            number = int(year.strip())
        except ValueError:
            return Status(
                400,
                ErrorOut(
                    code="invalid_year",
                    message=gettext("The year must be a number."),
                    field="year",
                ),
            )
    calendar = get_calendar()
    try:
        special = calendar.special_days(number)
    except CalendarRangeError as exc:
        return _out_of_range(exc, "year")
    days_off = [day for day in special if not day.is_working_day]
    extra = [day for day in special if day.is_working_day]
    return Status(
        200,
        {
            "year": number,
            "days": [_special(day) for day in days_off],
            "extra_working_days": [_special(day) for day in extra],
        },
    )


def _special(status: DayStatus) -> dict[str, Any]:
    return {"date": status.day, "reason": status.reason, "source": str(status.source)}
