"""API schemas of the foundation; :class:`ErrorOut` is the error body every app reuses."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ErrorOut(Schema):
    """A refused request: ``code`` for programs, ``message`` for people."""

    code: str = Field(description="Machine-readable error code, e.g. `invalid_datetime`.")
    message: str = Field(description="Explanation in the request's language (Vietnamese).")
    field: str | None = Field(
        default=None, description="The request parameter or field at fault, if any."
    )


class SkippedDayOut(Schema):
    date: dt.date
    reason: str = Field(description="Weekend, holiday name, or the override's reason.")


class DueOut(Schema):
    start: dt.datetime = Field(description="The start as given, in local time (+07:00).")
    counted_from: dt.datetime = Field(
        description="First working moment at or after the start: counting begins here."
    )
    due: dt.datetime = Field(description="Due moment in local time (+07:00).")
    working_days: int | None = Field(default=None, description="Working days requested.")
    working_hours: float | None = Field(default=None, description="Working hours requested.")
    skipped: list[SkippedDayOut] = Field(
        description="Non-working days from the start's day to the due day, both included."
    )


class SpecialDayOut(Schema):
    date: dt.date
    reason: str
    source: str = Field(
        description="`holiday` (public holiday), `swap` (weekend day worked in exchange for "
        "a day off) or `override` (set by an administrator)."
    )


class NonWorkingDaysOut(Schema):
    year: int
    days: list[SpecialDayOut] = Field(
        description="Holidays and days off set by override (ordinary weekends not listed; "
        "a holiday on a weekend is)."
    )
    extra_working_days: list[SpecialDayOut] = Field(
        description="Days worked although a weekend or holiday (swaps, overrides)."
    )
