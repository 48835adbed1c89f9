"""Staff pages: operators only; charts drawn on the server; personal data masked."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import Perm
from egov.core.metrics import exposition
from egov.core.models import Unit, UnitLevel
from egov.lgsp.models import MessageLogEntry
from egov.lgsp.tests.conftest import PROVINCE, Caller

pytestmark = pytest.mark.django_db

CCCD = "091085001234"


def _signed_in(user: User) -> Client:
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _staff(username: str, permissions: list[str]) -> User:
    unit = (
        Unit.objects.add_root(
            dict(code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE)
        )
        if not Unit.objects.exists()
        else (Unit.objects.first())
    )
    user = User.objects.create_user(
        username, None, full_name="Phạm Văn Hải", kind=AccountKind.STAFF
    )
    role = Role.objects.create(code=f"r_{username}", name="Vai trò", permissions=permissions)
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def operator() -> Client:
    return _signed_in(_staff("vanhanh", [Perm.OPERATE_PLATFORM]))


def test_pages_are_for_operators_only(caller: Caller) -> None:
    clerk = _signed_in(_staff("vanthu", []))
    assert clerk.get("/can-bo/lgsp/").status_code == 403
    assert clerk.get("/can-bo/lgsp/nhat-ky/").status_code == 403
    assert Client().get("/can-bo/lgsp/").status_code in (302, 403)


def test_overview_draws_svg_charts_and_figures(
    caller: Caller, other_caller: Caller, operator: Client
) -> None:
    caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{CCCD}")
    caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1")
    other_caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{CCCD}")
    page = operator.get("/can-bo/lgsp/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nền tảng tích hợp" in html
    assert html.count("<svg") == 3
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert f"{PROVINCE}/CITIZEN-LOOKUP/v1" in html
    assert "Lượt gọi theo dịch vụ" in html


def test_log_pages_mask_personal_data(caller: Caller, operator: Client) -> None:
    response = caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{CCCD}")
    entry = MessageLogEntry.objects.get(request_id=response["X-Road-Id"])
    assert CCCD in entry.path and "Nguyễn Văn An" in entry.response_body  # kept whole
    listing = operator.get("/can-bo/lgsp/nhat-ky/").content.decode()
    assert CCCD not in listing and "091*******34" in listing
    detail = operator.get(f"/can-bo/lgsp/nhat-ky/{entry.pk}/").content.decode()
    for secret in (CCCD, "Nguyễn Văn An", "1985-03-12", "Nguyễn Trung Trực"):
        assert secret not in detail
    assert re.search(r"N\*\*\* V\*\*\* A\*\*\*", detail)


def test_prometheus_metrics_count_gateway_calls(caller: Caller) -> None:
    caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1")
    text = exposition().decode()
    assert "egov_lgsp_requests_total{" in text
    assert f'service="{PROVINCE}/CATEGORY-UNITS/v1"' in text
    assert "egov_lgsp_request_duration_seconds_bucket" in text
    assert "egov_lgsp_message_log_entries" in text
