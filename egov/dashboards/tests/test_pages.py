"""The staff home as the person's dashboard: what waits for them, the leader's key
figures with SVG charts and a period switch; the plan page."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.core import staff_dashboard, svg_charts
from egov.core.models import Unit
from egov.dashboards import services
from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, Staff, build_org, build_staff, person
from egov.tasks.tests.conftest import backdate, make_task

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    sign_in_verified(client, user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def world(db: None) -> tuple[Org, Staff]:
    ensure_document_types()
    org = build_org()
    return org, build_staff(org)


def test_a_specialist_sees_what_waits_no_figures(world: tuple[Org, Staff]) -> None:
    org, staff = world
    make_task(org, staff)
    page = _client(staff.specialist).get("/can-bo/").content.decode()
    assert 'data-name="tasks.waiting"' in page
    assert "leader-figures" not in page


def test_a_leader_sees_key_figures_with_charts_and_the_period_switch(
    world: tuple[Org, Staff],
) -> None:
    org, staff = world
    backdate(make_task(org, staff), assigned=10, due=2)
    client = _client(staff.leader)
    page = client.get("/can-bo/").content.decode()
    assert 'id="leader-figures"' in page and "Sở Tư pháp" in page
    assert page.count('<svg class="chart"') == 2
    assert 'data-name="tasks.late"' in page
    late = page.split('data-name="tasks.late"')[1].split("</dd>")[0]
    assert late.rstrip().endswith(">1")
    year = client.get("/can-bo/?ky=year").content.decode()
    assert "Năm" in year.split('id="period-label"')[1][:40]
    assert client.get("/can-bo/?ky=nonsense").status_code == 200


def test_provincial_leaders_see_the_whole_province(
    world: tuple[Org, Staff], settings: object
) -> None:
    org, staff = world
    boss = person("ct.ubnd", RoleCode.AGENCY_LEADER, org.province, "Lâm Minh Thành")
    assert staff_dashboard.leader_scopes(boss)[0].depth == 1
    assert staff_dashboard.leader_scopes(staff.leader) == [org.dept]
    head_scope = staff_dashboard.leader_scopes(staff.head)
    assert head_scope == [org.dept]  # a division head sees their agency


def test_a_failing_provider_does_not_take_the_page_down(world: tuple[Org, Staff]) -> None:
    _org, staff = world

    def broken(user: object) -> int:
        raise RuntimeError("boom")

    staff_dashboard.register_waiting(
        "test.broken", label="Hỏng", order=99, count=broken, url_name="tasks:index"
    )
    try:
        page = _client(staff.leader).get("/can-bo/")
        assert page.status_code == 200
        assert 'data-name="test.broken"' in page.content.decode()
    finally:
        staff_dashboard.unregister("test.broken")


def test_svg_escapes_labels() -> None:
    svg = svg_charts.bar_chart("<b>x</b>", ["<i>", "b"], [1, None])
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "<i>" not in svg


def test_plan_page_for_leaders_and_operators(world: tuple[Org, Staff]) -> None:
    _org, staff = world
    services.load_plan()
    page = _client(staff.leader).get("/can-bo/dieu-hanh/ke-hoach/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tối thiểu 30% DVCTT thực hiện ở mức độ 4" in html
    assert "LGSP" in html and "Chưa đạt" in html
    assert _client(staff.specialist).get("/can-bo/dieu-hanh/ke-hoach/").status_code == 403
    operator = person("vanhanh", RoleCode.PLATFORM_OPERATOR, Unit.objects.get(depth=1), "Bùi Hải")
    assert (
        "Báo cáo số liệu" in _client(operator).get("/can-bo/dieu-hanh/ke-hoach/").content.decode()
    )


def test_plan_page_period_switch(world: tuple[Org, Staff]) -> None:
    _org, staff = world
    services.load_plan()
    client = _client(staff.leader)
    page = client.get("/can-bo/dieu-hanh/ke-hoach/?ky=2025-Q2").content.decode()
    assert '<option value="2025-Q2" selected>' in page
    assert client.get("/can-bo/dieu-hanh/ke-hoach/?ky=rubbish").status_code == 200
