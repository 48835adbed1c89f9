"""Staff sign in with password + TOTP in a real browser and land on a page that
shows their unit and role; staff pages pass an axe-core scan."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from tests.browser.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "KienGiang2020"
KEY_HEX = "4b69656e4769616e6744656d6f324641323032"  # 19 bytes, any fixed key will do


def totp_code(key_hex: str, at: float | None = None) -> str:
    totp = TOTP(bytes.fromhex(key_hex), step=30, digits=6)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def org() -> dict[str, Unit]:
    # Live-server tests run on a flushed database: the migration-seeded roles are gone.
    ensure_default_roles()
    province = create_unit(
        None,
        None,
        code="000.00.00.H33",
        name="Ủy ban nhân dân tỉnh Kiên Giang",
        level=UnitLevel.PROVINCE,
    )
    justice = create_unit(
        None,
        province,
        code="000.00.03.H33",
        name="Sở Tư pháp",
        short_name="STP",
        level=UnitLevel.PROVINCIAL_AGENCY,
    )
    return {"province": province, "justice": justice}


def make_staff(username: str, unit: Unit, role: str, *, with_device: bool) -> User:
    user = User.objects.create_user(
        username, PASSWORD, full_name="Trần Thị Bích Ngọc", kind=AccountKind.STAFF
    )
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), unit=unit)
    if with_device:
        TOTPDevice.objects.create(user=user, name="phone", key=KEY_HEX, confirmed=True)
    return user


def sign_in_with_password(page: Any, username: str, password: str = PASSWORD) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def test_staff_signs_in_with_password_and_code_and_sees_unit_and_role(
    page: Any, org: dict[str, Unit]
) -> None:
    make_staff("chuyenvien.stp", org["justice"], RoleCode.SPECIALIST, with_device=True)
    page.goto(page.base_url + "/can-bo/")
    assert "/tai-khoan/dang-nhap/" in page.url  # staff pages ask for sign-in first
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    sign_in_with_password(page, "chuyenvien.stp")
    assert "/tai-khoan/xac-thuc/" in page.url
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.fill("input[name=token]", "000000" if totp_code(KEY_HEX) != "000000" else "111111")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    assert "/tai-khoan/xac-thuc/" in page.url  # a wrong code keeps the person here
    assert page.get_by_role("alert").count() >= 1

    # After a wrong code django-otp throttles the device (1 s after one failure);
    # then use the next time step so the code is fresh.
    page.wait_for_timeout(1500)
    page.fill("input[name=token]", totp_code(KEY_HEX, time.time() + 30))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    assert page.url.endswith("/can-bo/")
    body = page.locator("main").inner_text()
    assert "Trần Thị Bích Ngọc" in body
    assert "Sở Tư pháp" in body
    assert "Chuyên viên" in body
    assert "000.00.03.H33" in body
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    page.goto(page.base_url + "/can-bo/")
    assert "/tai-khoan/dang-nhap/" in page.url


def test_new_staff_member_must_enrol_an_authenticator_first(
    page: Any, org: dict[str, Unit]
) -> None:
    make_staff("motcua.tinh", org["province"], RoleCode.ONE_STOP_CLERK, with_device=False)
    page.goto(page.base_url + "/tai-khoan/dang-nhap/")
    sign_in_with_password(page, "motcua.tinh")
    assert "/tai-khoan/kich-hoat-2fa/" in page.url
    assert page.locator(".qr svg").count() == 1  # QR drawn inline, no outside service
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key_hex = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.fill("input[name=token]", totp_code(key_hex))
    page.get_by_role("button", name="Bật xác thực hai bước").click()
    page.wait_for_load_state()
    assert page.url.endswith("/can-bo/")
    assert "Ủy ban nhân dân tỉnh Kiên Giang" in page.locator("main").inner_text()


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(
    page: Any, org: dict[str, Unit], settings: Any
) -> None:
    make_staff("vanthu.vpubnd", org["province"], RoleCode.RECORDS_CLERK, with_device=True)
    page.goto(page.base_url + "/tai-khoan/dang-nhap/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(page, "vanthu.vpubnd", "wrong-Password1")
    text = page.locator("main").inner_text()
    assert "bị khóa" in text
    # The right password is refused too while the lock lasts.
    page.goto(page.base_url + "/tai-khoan/dang-nhap/")
    sign_in_with_password(page, "vanthu.vpubnd")
    assert "bị khóa" in page.locator("main").inner_text()
    assert "/can-bo/" not in page.url


def test_operator_browses_the_audit_log(page: Any, org: dict[str, Unit]) -> None:
    make_staff("vanhanh.stttt", org["province"], RoleCode.PLATFORM_OPERATOR, with_device=True)
    page.goto(page.base_url + "/tai-khoan/dang-nhap/")
    sign_in_with_password(page, "vanhanh.stttt")
    page.fill("input[name=token]", totp_code(KEY_HEX))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Nhật ký").first.click()
    page.wait_for_load_state()
    assert "/can-bo/nhat-ky/" in page.url
    # Signing in was itself audited, so the log is not empty.
    assert page.locator("main table tbody tr").count() >= 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
