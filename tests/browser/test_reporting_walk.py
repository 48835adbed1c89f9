"""A quarterly report in real browsers: the commune's and the district's leaders
each prepare their unit's report (automatic figures filled, two entered), submit and
approve it; the province's leader sees completeness (who reported, who has not),
files the province's report — its entered figures start as the district's — approves
it (unsigned: no key) and sends it to the Government reporting system's simulator,
which acknowledges it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit
from egov.dossiers.tests.test_statistics import Org, make_org
from egov.reporting.models import GovernmentReceipt, Report, Status
from egov.reporting.seed import seed_regimes
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.test_forms_and_phones import sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "KienGiang2020"
KEY_HEX = "4b69656e4769616e6744656d6f324641323032"


def totp_code() -> str:
    totp = TOTP(bytes.fromhex(KEY_HEX), step=30, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def make_staff(username: str, full_name: str, unit: Unit, role: str) -> User:
    user = User.objects.create_user(username, PASSWORD, full_name=full_name, kind=AccountKind.STAFF)
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), unit=unit)
    TOTPDevice.objects.create(user=user, name="phone", key=KEY_HEX, confirmed=True)
    return user


@pytest.fixture
def org(settings: Any) -> Org:
    settings.EGOV_SIMULATORS = True
    settings.EGOV_GOVREPORT_TRANSPORT = "inprocess"
    settings.EGOV_GOVREPORT_SECRET = "browser-test-secret"
    settings.EGOV_GOVREPORT_URL = "http://testserver/bao-cao/mo-phong/chinh-phu"
    ensure_default_roles()  # live-server tests run on a flushed database
    seed_regimes()
    org = make_org()
    make_staff("ct.xa", "Lê Văn Cường", org.commune, RoleCode.AGENCY_LEADER)
    make_staff("ct.huyen", "Võ Văn Em", org.district, RoleCode.AGENCY_LEADER)
    make_staff("ct.tinh", "Nguyễn Văn Phúc", org.province, RoleCode.AGENCY_LEADER)
    return org


@pytest.fixture
def sign_in(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def open_as(username: str) -> Any:
        context = browser.new_context(
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        tab = context.new_page()
        tab.base_url = live_server.url
        tab.goto(live_server.url + "/tai-khoan/dang-nhap/?next=/bao-cao/")
        tab.fill("input[name=username]", username)
        tab.fill("input[name=password]", PASSWORD)
        tab.get_by_role("button", name="Đăng nhập").click()
        tab.wait_for_load_state()
        tab.fill("input[name=token]", totp_code())
        tab.get_by_role("button", name="Xác nhận").click()
        tab.wait_for_load_state()
        assert tab.url.endswith("/bao-cao/"), tab.url
        return tab

    yield open_as
    for context in contexts:
        context.close()


def fits_a_phone(tab: Any) -> None:
    """Issue 15: at 360 px the report's figures are stacked cards, nothing scrolls
    sideways (the inputs included), and axe-core stays clean; then back to desktop."""
    tab.set_viewport_size({"width": 360, "height": 740})
    assert sideways_overflow(tab) == []
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)
    tab.set_viewport_size({"width": 1280, "height": 900})


def file_and_approve(tab: Any, unit: Unit, received: str, handled: str) -> Report:
    tab.get_by_role("link", name=unit.name).click()
    tab.wait_for_load_state()
    tab.get_by_role("button", name="Lập báo cáo").first.click()
    tab.wait_for_load_state()
    assert "số liệu tự động đã được điền" in tab.content()
    tab.fill("input[name=pakn_tiep_nhan]", received)
    tab.fill("input[name=pakn_da_xu_ly]", handled)
    tab.fill("textarea[name=text_danh_gia]", "Hoàn thành các chỉ tiêu của quý.")
    tab.get_by_role("button", name="Lưu số liệu").click()
    tab.wait_for_load_state()
    assert "Đã lưu số liệu" in tab.content()
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)
    fits_a_phone(tab)
    tab.get_by_role("button", name="Trình lãnh đạo đơn vị").click()
    tab.wait_for_load_state()
    assert tab.locator("[data-status]").get_attribute("data-status") == "submitted"
    tab.get_by_role("button", name="Phê duyệt và ký số").click()
    tab.wait_for_load_state()
    assert tab.locator("[data-status]").get_attribute("data-status") == "approved"
    return Report.objects.get(unit=unit, is_current=True)


def test_commune_and_district_file_the_province_checks_approves_and_sends(
    org: Org, sign_in: Callable[..., Any]
) -> None:
    commune = file_and_approve(sign_in("ct.xa"), org.commune, "4", "3")
    assert commune.status == Status.APPROVED and not commune.is_signed
    district = file_and_approve(sign_in("ct.huyen"), org.district, "10", "9")
    assert district.period_key == commune.period_key

    province = sign_in("ct.tinh")
    province.get_by_role("link", name="Tình hình nộp báo cáo").click()
    province.wait_for_load_state()
    assert province.locator("#expected").inner_text() == "4"
    assert province.locator("#reported").inner_text() == "2"
    assert province.locator("tr[data-state=missing]").count() == 2
    violations = axe_violations(province)
    assert not violations, format_violations(violations)

    province.goto(province.base_url + "/bao-cao/")
    own = file_and_approve(province, org.province, "10", "9")
    assert own.values["pakn_tiep_nhan"]["value"] == "10"
    fits_a_phone(province)  # the approved report, with the subordinate reports' sums
    province.get_by_role("button", name="Gửi lên Hệ thống thông tin báo cáo Chính phủ").click()
    province.wait_for_load_state()
    assert province.locator("[data-status]").get_attribute("data-status") == "acknowledged"
    assert GovernmentReceipt.objects.get().payload["unit_code"] == org.province.code
