"""Calendar override services: permission, validation, audit, cache refresh; and the
admin pages that call them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from egov.accounts.models import Role, RoleAssignment, User
from egov.accounts.permissions import Perm
from egov.accounts.tests.helpers import sign_in_verified
from egov.core import workcalendar
from egov.core.models import AuditEntry, CalendarOverride, Unit
from egov.core.services.calendar import add_override, change_override, remove_override
from egov.core.services.units import create_unit
from egov.core.workcalendar import get_calendar, invalidate_calendar

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 3, 11)
SATURDAY = date(2026, 3, 14)

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def province() -> Unit:
    return create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level="province"
    )


def _staff(username: str, **extra: Any) -> User:
    return User.objects.create_user(
        username=username, password="Mat-khau-2026", full_name=username, kind="staff", **extra
    )


@pytest.fixture
def manager(province: Unit) -> User:
    user = _staff("calendar_manager", is_staff=True)
    role = Role.objects.create(
        code="test_calendar", name="Quản lý lịch làm việc", permissions=[Perm.MANAGE_CALENDAR]
    )
    RoleAssignment.objects.create(user=user, role=role, unit=province)
    return user


@pytest.fixture
def clerk(province: Unit) -> User:
    user = _staff("clerk", is_staff=True)
    role = Role.objects.create(
        code="test_clerk", name="Tiếp nhận hồ sơ", permissions=[Perm.RECEIVE_DOSSIERS]
    )
    RoleAssignment.objects.create(user=user, role=role, unit=province)
    return user


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


# --- services -------------------------------------------------------------------------


def test_add_override_writes_row_and_audit(
    manager: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        override = add_override(
            manager, WEDNESDAY, is_working_day=False, reason="  Nghỉ theo QĐ 12/QĐ-UBND  "
        )
    assert override.reason == "Nghỉ theo QĐ 12/QĐ-UBND"
    assert override.created_by == manager
    [entry] = entries("calendar.override_added")
    assert entry.actor == manager
    assert entry.object_id == str(override.pk)
    assert entry.changes["date"] == [None, "2026-03-11"]
    assert entry.changes["is_working_day"] == [None, False]


def test_cached_calendar_follows_changes_at_commit(
    manager: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    assert get_calendar().is_working_day(WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        override = add_override(manager, WEDNESDAY, is_working_day=False, reason="Nghỉ")
    assert not get_calendar().is_working_day(WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        change_override(manager, override, day=SATURDAY, is_working_day=True)
    assert get_calendar().is_working_day(WEDNESDAY)
    assert get_calendar().is_working_day(SATURDAY)
    with django_capture_on_commit_callbacks(execute=True):
        remove_override(manager, override)
    assert not get_calendar().is_working_day(SATURDAY)


def test_calendar_is_cached_between_refreshes(
    manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = get_calendar()
    CalendarOverride.objects.create(date=WEDNESDAY, is_working_day=False, reason="ORM write")
    # Written behind the services' back: only seen once the cache period is over.
    assert get_calendar() is first
    assert get_calendar().is_working_day(WEDNESDAY)
    now = time.monotonic()
    monkeypatch.setattr(
        workcalendar.time, "monotonic", lambda: now + settings.EGOV_CALENDAR_CACHE_SECONDS + 1
    )
    assert not get_calendar().is_working_day(WEDNESDAY)


def test_unchanged_overrides_keep_the_calendar_object(
    manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = get_calendar()
    now = time.monotonic()
    monkeypatch.setattr(
        workcalendar.time, "monotonic", lambda: now + settings.EGOV_CALENDAR_CACHE_SECONDS + 1
    )
    # Reloaded after the period, but the same rows: the warmed-up object is kept.
    assert get_calendar() is first


def test_user_without_permission_is_refused(
    clerk: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with pytest.raises(PermissionDenied):
        add_override(clerk, WEDNESDAY, is_working_day=False, reason="Nghỉ")
    with pytest.raises(PermissionDenied):
        add_override(None, WEDNESDAY, is_working_day=False, reason="Nghỉ")
    assert not CalendarOverride.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="calendar.").exists()


def test_user_without_permission_cannot_change_or_remove(manager: User, clerk: User) -> None:
    override = add_override(manager, WEDNESDAY, is_working_day=False, reason="Nghỉ")
    with pytest.raises(PermissionDenied):
        change_override(clerk, override, reason="Khác")
    with pytest.raises(PermissionDenied):
        remove_override(clerk, override)
    override.refresh_from_db()
    assert override.reason == "Nghỉ"


@pytest.mark.parametrize(
    ("day", "is_working_day", "reason", "field"),
    [
        (WEDNESDAY, True, "Làm việc", "is_working_day"),  # already a working day
        (SATURDAY, False, "Nghỉ", "is_working_day"),  # already a weekend
        (date(2027, 2, 8), False, "Nghỉ Tết", "is_working_day"),  # already a holiday
        (WEDNESDAY, False, "   ", "reason"),
        (WEDNESDAY, False, "x" * 256, "reason"),
        (date(2150, 3, 11), False, "Nghỉ", "date"),  # no holiday data
    ],
)
def test_invalid_overrides_are_refused(
    manager: User, day: date, is_working_day: bool, reason: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_override(manager, day, is_working_day=is_working_day, reason=reason)
    assert field in caught.value.message_dict
    assert not CalendarOverride.objects.exists()


def test_duplicate_date_is_refused(manager: User) -> None:
    add_override(manager, WEDNESDAY, is_working_day=False, reason="Nghỉ")
    with pytest.raises(ValidationError) as caught:
        add_override(manager, WEDNESDAY, is_working_day=False, reason="Lần hai")
    assert "date" in caught.value.message_dict
    assert CalendarOverride.objects.count() == 1


def test_change_records_only_what_changed(manager: User) -> None:
    override = add_override(manager, WEDNESDAY, is_working_day=False, reason="Nghỉ")
    change_override(manager, override, reason="Nghỉ theo QĐ 15")
    [entry] = entries("calendar.override_changed")
    assert entry.changes == {"reason": ["Nghỉ", "Nghỉ theo QĐ 15"]}
    # Nothing changed: no write, no audit entry.
    change_override(manager, override, reason="Nghỉ theo QĐ 15")
    assert len(entries("calendar.override_changed")) == 1


def test_remove_writes_audit_and_deletes(manager: User) -> None:
    override = add_override(manager, WEDNESDAY, is_working_day=False, reason="Nghỉ")
    remove_override(manager, override)
    assert not CalendarOverride.objects.exists()
    [entry] = entries("calendar.override_removed")
    assert entry.object_id == str(override.pk)
    assert entry.changes["reason"] == ["Nghỉ", None]


# --- admin ----------------------------------------------------------------------------

# The project's URLconf may have been built before this module registered the admin
# (until egov/core/admin.py imports it); these tests use one built after.

ADD_URL = "/admin/core/calendaroverride/add/"


def test_admin_add_goes_through_the_service(client: Client, manager: User) -> None:
    sign_in_verified(client, manager)
    response = client.post(
        ADD_URL, {"date": "2026-03-11", "is_working_day": "", "reason": "Nghỉ theo QĐ"}
    )
    assert response.status_code == 302, response.content[:2000]
    override = CalendarOverride.objects.get()
    assert override.created_by == manager
    assert len(entries("calendar.override_added")) == 1


def test_admin_shows_validation_errors(client: Client, manager: User) -> None:
    sign_in_verified(client, manager)
    response = client.post(ADD_URL, {"date": "2026-03-11", "is_working_day": "on", "reason": "x"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.get("is_working_day")
    assert not CalendarOverride.objects.exists()


def test_admin_change_and_delete_go_through_the_services(client: Client, manager: User) -> None:
    override = add_override(manager, WEDNESDAY, is_working_day=False, reason="Nghỉ")
    sign_in_verified(client, manager)
    url = f"/admin/core/calendaroverride/{override.pk}/change/"
    response = client.post(url, {"date": "2026-03-11", "is_working_day": "", "reason": "Nghỉ bù"})
    assert response.status_code == 302, response.content[:2000]
    assert len(entries("calendar.override_changed")) == 1
    response = client.post(f"/admin/core/calendaroverride/{override.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert len(entries("calendar.override_removed")) == 1


def test_admin_is_closed_without_the_permission(client: Client, clerk: User) -> None:
    sign_in_verified(client, clerk)
    assert client.get(ADD_URL).status_code == 403
