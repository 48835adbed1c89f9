"""The calendar JSON API: due moments, days off of a year, structured errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client, override_settings

from egov.core.models import CalendarOverride
from egov.core.workcalendar import MAX_WORKING_DAYS, invalidate_calendar

pytestmark = pytest.mark.django_db

DUE_URL = "/api/v1/calendar/due"
DAYS_URL = "/api/v1/calendar/non-working-days"


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    # The process cache would otherwise carry overrides across test transactions.
    invalidate_calendar()
    yield
    invalidate_calendar()


def get(client: Client, url: str, **params: Any) -> tuple[int, dict[str, Any]]:
    response = client.get(url, params)
    return response.status_code, response.json()


def test_due_in_working_days_over_tet_2027(client: Client) -> None:
    status, body = get(client, DUE_URL, start="2027-02-03T10:00:00+07:00", working_days="5")
    assert status == 200, body
    assert body["due"] == "2027-02-17T10:00:00+07:00"
    assert body["start"] == "2027-02-03T10:00:00+07:00"
    assert body["counted_from"] == "2027-02-03T10:00:00+07:00"
    assert body["working_days"] == 5
    assert body["working_hours"] is None
    assert {"date": "2027-02-08", "reason": "Mùng ba Tết Nguyên Đán"} in body["skipped"]
    assert [item["date"] for item in body["skipped"]][:3] == [
        "2027-02-04",
        "2027-02-05",
        "2027-02-06",
    ]


@pytest.mark.parametrize(
    "start",
    [
        "2027-02-03T10:00:00",  # naive: read as Asia/Ho_Chi_Minh
        "2027-02-03T03:00:00Z",
        "2027-02-03T10:00:00 07:00",  # '+' left unencoded in the URL arrives as a space
    ],
)
def test_start_forms_mean_the_same_moment(client: Client, start: str) -> None:
    status, body = get(client, DUE_URL, start=start, working_days="5")
    assert status == 200, body
    assert body["start"] == "2027-02-03T10:00:00+07:00"
    assert body["due"] == "2027-02-17T10:00:00+07:00"


def test_due_in_working_hours(client: Client) -> None:
    status, body = get(client, DUE_URL, start="2027-02-03T16:00:00+07:00", working_hours="1.5")
    assert status == 200, body
    assert body["due"] == "2027-02-11T08:00:00+07:00"
    assert body["working_hours"] == 1.5
    assert body["working_days"] is None


def test_start_outside_office_hours_counts_from_the_next_session(client: Client) -> None:
    status, body = get(client, DUE_URL, start="2026-03-13T18:00:00+07:00", working_days="1")
    assert status == 200, body
    assert body["counted_from"] == "2026-03-16T07:30:00+07:00"
    assert body["due"] == "2026-03-17T07:30:00+07:00"
    assert [item["date"] for item in body["skipped"]] == ["2026-03-14", "2026-03-15"]


def test_start_defaults_to_now(client: Client) -> None:
    status, body = get(client, DUE_URL, working_days="1")
    assert status == 200, body
    assert body["due"] > body["start"]


def test_override_is_applied(client: Client) -> None:
    CalendarOverride.objects.create(
        date=date(2026, 3, 11), is_working_day=False, reason="Nghỉ theo quyết định"
    )
    invalidate_calendar()
    status, body = get(client, DUE_URL, start="2026-03-10T09:00:00+07:00", working_days="1")
    assert status == 200, body
    assert body["due"] == "2026-03-12T09:00:00+07:00"
    assert body["skipped"] == [{"date": "2026-03-11", "reason": "Nghỉ theo quyết định"}]


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"start": "2027-02-03T10:00:00+07:00"}, "missing_duration", "working_days"),
        (
            {"start": "2027-02-03T10:00:00+07:00", "working_days": "1", "working_hours": "2"},
            "conflicting_duration",
            "working_hours",
        ),
        ({"start": "03/02/2027", "working_days": "1"}, "invalid_datetime", "start"),
        ({"start": "2027-02-30T10:00:00", "working_days": "1"}, "invalid_datetime", "start"),
        ({"working_days": "-1"}, "negative_duration", "working_days"),
        ({"working_days": "1.5"}, "invalid_number", "working_days"),
        ({"working_days": "năm"}, "invalid_number", "working_days"),
        ({"working_days": str(MAX_WORKING_DAYS + 1)}, "duration_too_large", "working_days"),
        ({"working_hours": "-0.5"}, "negative_duration", "working_hours"),
        ({"working_hours": "nan"}, "invalid_number", "working_hours"),
        ({"working_hours": "abc"}, "invalid_number", "working_hours"),
        ({"working_hours": "1e9"}, "duration_too_large", "working_hours"),
        ({"start": "2100-12-20T09:00:00", "working_days": "30"}, "out_of_range", "start"),
        ({"start": "0001-01-01T00:00:00", "working_days": "1"}, "out_of_range", "start"),
    ],
)
def test_bad_input_gives_a_structured_error(
    client: Client, params: dict[str, str], code: str, field: str
) -> None:
    status, body = get(client, DUE_URL, **params)
    assert status == 400
    assert body["code"] == code
    assert body["field"] == field
    assert body["message"]


def test_non_working_days_of_2027(client: Client) -> None:
    status, body = get(client, DAYS_URL, year="2027")
    assert status == 200, body
    assert body["year"] == 2027
    days = {item["date"]: item for item in body["days"]}
    assert days["2027-02-06"] == {
        "date": "2027-02-06",
        "reason": "Tết Nguyên Đán",
        "source": "holiday",
    }
    assert "2027-02-13" not in days  # ordinary weekend
    assert body["extra_working_days"] == []


def test_non_working_days_lists_swaps_and_overrides(client: Client) -> None:
    CalendarOverride.objects.create(date=date(2026, 3, 14), is_working_day=True, reason="Làm bù")
    CalendarOverride.objects.create(date=date(2026, 3, 11), is_working_day=False, reason="Nghỉ")
    invalidate_calendar()
    status, body = get(client, DAYS_URL, year="2026")
    assert status == 200, body
    extra = {item["date"]: item["source"] for item in body["extra_working_days"]}
    assert extra == {"2026-08-22": "swap", "2026-03-14": "override"}
    off = {item["date"]: item["source"] for item in body["days"]}
    assert off["2026-03-11"] == "override"
    assert off["2026-08-31"] == "holiday"


@pytest.mark.parametrize(("year", "code"), [("abc", "invalid_year"), ("2200", "out_of_range")])
def test_non_working_days_bad_year(client: Client, year: str, code: str) -> None:
    status, body = get(client, DAYS_URL, year=year)
    assert status == 400
    assert body["code"] == code
    assert body["field"] == "year"


def test_openapi_documents_the_schemas(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][DUE_URL]["get"]
    assert set(operation["responses"]) == {"200", "400"}
    components = schema["components"]["schemas"]
    assert {"DueOut", "ErrorOut", "NonWorkingDaysOut"} <= set(components)
    assert set(components["ErrorOut"]["properties"]) == {"code", "message", "field"}


def test_office_hours_come_from_settings(client: Client) -> None:
    with override_settings(EGOV_OFFICE_HOURS="08:00-12:00", EGOV_WORKING_WEEKDAYS="0,1,2,3,4,5"):
        # Sat 14 Mar 2026 works here; Fri 11:00 + 2 h → 1 h Friday, 1 h Saturday.
        status, body = get(client, DUE_URL, start="2026-03-13T11:00:00+07:00", working_hours="2")
    assert status == 200, body
    assert body["due"] == "2026-03-14T09:00:00+07:00"
    # Back to the default settings: the cached calendar was dropped again.
    status, body = get(client, DUE_URL, start="2026-03-13T11:00:00+07:00", working_hours="2")
    assert body["due"] == "2026-03-13T15:00:00+07:00"  # 11:00-11:30, 13:30-15:00
