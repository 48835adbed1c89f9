"""A quarterly report in real browsers: the commune's and the district's leaders
each prepare their unit's report (automatic figures filled, two entered), submit and
approve it; the province's leader sees completeness (who reported, who has not),
files the province's report — its entered figures start as the district's — approves
it (unsigned: no key) and queues it for the Government reporting system's simulator;
the background job sends it and the simulator acknowledges it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit
from egov.dossiers.tests.test_statistics import Org, make_org
from egov.reporting import services
from egov.reporting.models import GovernmentReceipt, Report, Status
from egov.reporting.seed import seed_regimes
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.staff import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
def sign_in(staff_tabs: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in tab for a person, in a browser context of their own."""
    return functools.partial(staff_tabs, landing="/bao-cao/")


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
    province.get_by_role("button", name="Gửi lên Hệ thống thông tin báo cáo Chính phủ").click()
    province.wait_for_load_state()
    # Queued: the background job sends it, outside the request.
    assert province.locator("#sending").get_attribute("data-sending") == "queued"
    assert services.send_queued().startswith("1 sent")
    province.reload()
    province.wait_for_load_state()
    assert province.locator("[data-status]").get_attribute("data-status") == "acknowledged"
    assert GovernmentReceipt.objects.get().payload["unit_code"] == org.province.code
