"""Staff pages of the audit log: who sees what, filters, pagination, details."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, include, path
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.core.audit import record, suspended_append_only_guard
from egov.core.audit_views import PAGE_SIZE, change_rows
from egov.core.models import AuditEntry, Unit, UnitLevel
from egov.urls import urlpatterns as project_urlpatterns

# Until the project mounts the audit pages, mount them here at their intended place.
urlpatterns: list[URLPattern | URLResolver] = [*project_urlpatterns]  # type: ignore[list-item]
if not any(getattr(p, "namespace", None) == "audit" for p in project_urlpatterns):
    urlpatterns.insert(0, path("can-bo/nhat-ky/", include("egov.core.urls_audit")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

LIST_URL = "/can-bo/nhat-ky/"


def detail_url(entry: AuditEntry) -> str:
    return f"{LIST_URL}{entry.pk}/"


@dataclass
class Org:
    province: Unit
    ict: Unit
    ict_office: Unit
    rach_gia: Unit
    commune: Unit


def _unit(parent: Unit | None, code: str, name: str, level: str) -> Unit:
    fields = {"code": code, "name": name, "level": level}
    if parent is None:
        unit: Unit = Unit.objects.add_root(fields)
    else:
        unit = Unit.objects.add_child(parent, fields)
    return unit


@pytest.fixture
def org() -> Org:
    province = _unit(None, "000.00.00.H33", "UBND tỉnh Kiên Giang", UnitLevel.PROVINCE)
    ict = _unit(
        province, "000.00.15.H33", "Sở Thông tin và Truyền thông", UnitLevel.PROVINCIAL_AGENCY
    )
    ict_office = _unit(ict, "000.15.01.H33", "Văn phòng Sở", UnitLevel.INTERNAL)
    rach_gia = _unit(province, "000.00.33.H33", "UBND Thành phố Rạch Giá", UnitLevel.DISTRICT)
    commune = _unit(rach_gia, "001.33.00.H33", "UBND Phường Vĩnh Thanh Vân", UnitLevel.COMMUNE)
    return Org(province, ict, ict_office, rach_gia, commune)


def make_staff(
    username: str, full_name: str, role: str | None = None, unit: Unit | None = None, **extra: Any
) -> User:
    user = User.objects.create_user(
        username, None, full_name=full_name, kind=AccountKind.STAFF, **extra
    )
    if role and unit:
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), unit=unit)
    return user


def in_english(client: Client) -> Client:
    """The same client after choosing English with the language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def signed_in(user: User) -> Client:
    """A client signed in and past the authenticator step, as staff pages require."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def add_entry(
    action: str = "test.change",
    *,
    actor: User | None = None,
    unit: Unit | None = None,
    object_type: str = "test.thing",
    object_id: str | int = 1,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    with transaction.atomic():
        if at is None:
            return record(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                unit=unit,
                changes=changes,
            )
        with mock.patch("egov.core.audit.timezone.now", return_value=at):
            return record(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                unit=unit,
                changes=changes,
            )


def listed_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/can-bo/nhat-ky/(\d+)/"', html)]


@pytest.fixture
def entries(org: Org) -> dict[str, AuditEntry]:
    clerk = make_staff("cb.hoa", "Trần Thị Hoa")
    return {
        "ict": add_entry("units.renamed", actor=clerk, unit=org.ict, object_type="core.unit"),
        "ict_office": add_entry("accounts.role_assigned", unit=org.ict_office),
        "commune": add_entry("units.renamed", unit=org.commune, object_type="core.unit"),
        "global": add_entry("accounts.account_created", object_type="accounts.user"),
    }


# --- access ---


def test_anonymous_visitor_is_sent_to_sign_in(entries: dict[str, AuditEntry]) -> None:
    response = Client().get(LIST_URL)
    assert response.status_code == 302
    assert "dang-nhap" in response["Location"]


def test_staff_without_the_permission_gets_403(org: Org, entries: dict[str, AuditEntry]) -> None:
    clerk = make_staff("cb.motcua", "Lê Văn Nam", "one_stop_clerk", org.commune)
    client = signed_in(clerk)
    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail_url(entries["commune"])).status_code == 403


def test_citizen_gets_403(entries: dict[str, AuditEntry]) -> None:
    citizen = User.objects.create_user(
        "091090001234", None, full_name="Nguyễn Văn An", kind=AccountKind.CITIZEN
    )
    assert signed_in(citizen).get(LIST_URL).status_code == 403


def test_superuser_sees_everything(entries: dict[str, AuditEntry]) -> None:
    root = make_staff("root", "Quản trị", is_superuser=True)
    response = signed_in(root).get(LIST_URL)
    assert response.status_code == 200
    assert sorted(listed_ids(response.content.decode())) == sorted(e.pk for e in entries.values())


def test_platform_operator_sees_everything_including_entries_without_unit(
    org: Org, entries: dict[str, AuditEntry]
) -> None:
    operator = make_staff("vanhanh", "Phạm Văn Hải", "platform_operator", org.province)
    html = signed_in(operator).get(LIST_URL).content.decode()
    assert entries["global"].pk in listed_ids(html)
    assert len(listed_ids(html)) == 4


def test_agency_admin_sees_only_the_subtree_of_their_units(
    org: Org, entries: dict[str, AuditEntry]
) -> None:
    admin = make_staff("quantri.stttt", "Võ Thị Mai", "agency_admin", org.ict)
    client = signed_in(admin)
    html = client.get(LIST_URL).content.decode()
    assert sorted(listed_ids(html)) == sorted([entries["ict"].pk, entries["ict_office"].pk])
    assert client.get(detail_url(entries["ict_office"])).status_code == 200
    assert client.get(detail_url(entries["commune"])).status_code == 404
    assert client.get(detail_url(entries["global"])).status_code == 404


def test_revoked_role_no_longer_grants_access(org: Org, entries: dict[str, AuditEntry]) -> None:
    admin = make_staff("quantri.rachgia", "Đỗ Văn Tâm", "agency_admin", org.rach_gia)
    client = signed_in(admin)
    assert listed_ids(client.get(LIST_URL).content.decode()) == [entries["commune"].pk]
    RoleAssignment.objects.filter(user=admin).update(revoked_at=datetime.now(UTC))
    assert client.get(LIST_URL).status_code == 403


# --- filters ---


@pytest.fixture
def operator_client(org: Org) -> Client:
    return signed_in(make_staff("vanhanh", "Phạm Văn Hải", "platform_operator", org.province))


def test_filter_by_object_type_and_id(org: Org, operator_client: Client) -> None:
    unit_entry = add_entry(object_type="core.unit", object_id=org.ict.pk, unit=org.ict)
    add_entry(object_type="core.unit", object_id=org.commune.pk, unit=org.commune)
    add_entry(object_type="accounts.user", object_id=org.ict.pk)
    response = operator_client.get(
        LIST_URL, {"object_type": "core.unit", "object_id": str(org.ict.pk)}
    )
    assert listed_ids(response.content.decode()) == [unit_entry.pk]


def test_filter_by_actor_user_name_or_part_of_name(operator_client: Client) -> None:
    hoa = make_staff("cb.hoa", "Trần Thị Hoa")
    nam = make_staff("cb.nam", "Lê Văn Nam")
    by_hoa = add_entry(actor=hoa)
    by_nam = add_entry(actor=nam)
    system = add_entry()
    assert listed_ids(operator_client.get(LIST_URL, {"actor": "CB.HOA"}).content.decode()) == [
        by_hoa.pk
    ]
    assert listed_ids(operator_client.get(LIST_URL, {"actor": "văn nam"}).content.decode()) == [
        by_nam.pk
    ]
    assert listed_ids(operator_client.get(LIST_URL, {"actor": "system"}).content.decode()) == [
        system.pk
    ]


def test_filter_by_action_code_or_its_beginning(operator_client: Client) -> None:
    created = add_entry("accounts.account_created")
    locked = add_entry("accounts.account_locked")
    add_entry("units.renamed")
    html = operator_client.get(LIST_URL, {"action": "accounts."}).content.decode()
    assert listed_ids(html) == [locked.pk, created.pk]
    html = operator_client.get(LIST_URL, {"action": "accounts.account_created"}).content.decode()
    assert listed_ids(html) == [created.pk]


def test_filter_by_local_dates(operator_client: Client) -> None:
    # Asia/Ho_Chi_Minh is UTC+7: 16:30 UTC on the 14th is 23:30 local on the 14th.
    late_14th = add_entry(at=datetime(2026, 1, 14, 16, 30, tzinfo=UTC))
    early_15th = add_entry(at=datetime(2026, 1, 14, 17, 30, tzinfo=UTC))
    late_15th = add_entry(at=datetime(2026, 1, 15, 16, 59, tzinfo=UTC))
    on_16th = add_entry(at=datetime(2026, 1, 15, 17, 0, tzinfo=UTC))
    html = operator_client.get(
        LIST_URL, {"date_from": "2026-01-15", "date_to": "2026-01-15"}
    ).content.decode()
    assert listed_ids(html) == [late_15th.pk, early_15th.pk]
    html = operator_client.get(LIST_URL, {"date_to": "14/01/2026"}).content.decode()
    assert listed_ids(html) == [late_14th.pk]
    html = operator_client.get(LIST_URL, {"date_from": "16/01/2026"}).content.decode()
    assert listed_ids(html) == [on_16th.pk]


def test_invalid_date_shows_an_error_next_to_the_field(operator_client: Client) -> None:
    add_entry()
    response = in_english(operator_client).get(LIST_URL, {"date_from": "31/02/2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert listed_ids(html) == []
    error = re.search(r'<ul class="errorlist" id="id_date_from_error">(.*?)</ul>', html, re.S)
    # The three-box date names the day that does not exist, as people write it.
    assert error and "31/02/2026 is not a real date" in error.group(1)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_date_from_0"', html)
    letters = in_english(operator_client).get(
        LIST_URL, {"date_from_0": "x", "date_from_1": "2", "date_from_2": "2026"}
    )
    assert "Enter a valid date, for example 15/01/2026." in letters.content.decode()


def test_end_date_before_start_date_is_refused(operator_client: Client) -> None:
    add_entry()
    html = (
        in_english(operator_client)
        .get(LIST_URL, {"date_from": "2026-02-10", "date_to": "2026-02-01"})
        .content.decode()
    )
    assert 'id="id_date_to_error"' in html
    assert "The end date must be on or after the start date." in html
    assert listed_ids(html) == []


def test_every_filter_input_has_a_label(operator_client: Client) -> None:
    html = operator_client.get(LIST_URL).content.decode()
    form = html[html.index('<form method="get"') :]
    form = form[: form.index("</form>")]
    input_ids = re.findall(r'<input[^>]*\bid="([^"]+)"', form)
    assert len(input_ids) == 10  # four text boxes and two dates in three boxes each
    for input_id in input_ids:
        assert re.search(f'<label[^>]*for="{input_id}"', form), f"{input_id} has no label"


# --- pagination and queries ---


def test_list_is_paginated_newest_first_and_keeps_filters(operator_client: Client) -> None:
    created = [add_entry("test.bulk", object_id=n) for n in range(PAGE_SIZE + 10)]
    add_entry("other.action")
    newest_first = [e.pk for e in reversed(created)]
    response = operator_client.get(LIST_URL, {"action": "test."})
    html = response.content.decode()
    assert listed_ids(html) == newest_first[:PAGE_SIZE]
    assert "page=2" in html and "action=test." in html
    html = operator_client.get(LIST_URL, {"action": "test.", "page": "2"}).content.decode()
    assert listed_ids(html) == newest_first[PAGE_SIZE:]


def _count_list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST_URL).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["platform_operator", "agency_admin"])
def test_list_page_query_count_does_not_grow_with_entries(
    org: Org, role: str, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(make_staff("xem.nhatky", "Người xem", role, org.province))
    for n in range(3):
        add_entry(actor=make_staff(f"cb.{n}", f"Cán bộ {n}"), unit=org.ict)
    few = _count_list_queries(client)
    units = [org.ict, org.ict_office, org.rach_gia, org.commune]
    for n in range(3, 60):
        add_entry(actor=make_staff(f"cb.{n}", f"Cán bộ {n}"), unit=units[n % 4])
    many = _count_list_queries(client)
    assert many == few, f"{few} queries for 3 entries, {many} for 60"
    # Session, user, device, roles, the page's own reads, and one or two per staff-menu
    # entry whose visibility depends on the person's units (tasks, reports, the 766
    # index): constant in the number of entries.
    with django_assert_max_num_queries(18):
        client.get(LIST_URL)


# --- details ---


def test_detail_shows_the_before_and_after_table(org: Org, operator_client: Client) -> None:
    entry = add_entry(
        "units.renamed",
        unit=org.ict,
        changes={"name": ["Sở TT&TT", "Sở Thông tin và Truyền thông"], "note": "sáp nhập"},
    )
    response = in_english(operator_client).get(detail_url(entry))
    html = response.content.decode()
    assert response.status_code == 200
    row = re.search(r"<tr><th scope=\"row\"><code>name</code></th>(.*?)</tr>", html, re.S)
    assert row and "<td>Sở TT&amp;TT</td><td>Sở Thông tin và Truyền thông</td>" in row.group(1)
    assert "sáp nhập" in html
    assert "matches its seal" in html
    assert entry.entry_hash in html


def test_detail_warns_when_the_entry_was_tampered_with(operator_client: Client) -> None:
    entry = add_entry()
    with transaction.atomic(), suspended_append_only_guard():
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    html = in_english(operator_client).get(detail_url(entry)).content.decode()
    assert "does not match its seal" in html


def test_unknown_entry_is_404(operator_client: Client) -> None:
    assert operator_client.get(f"{LIST_URL}999999/").status_code == 404


def test_change_rows_shapes() -> None:
    rows = change_rows({"b": [None, {"x": 1}], "a": "plain", "c": [1, 2, 3]})
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("a", "", "plain"),
        ("b", "", '{"x": 1}'),
        ("c", "", "[1, 2, 3]"),
    ]
    assert change_rows({}) == []
