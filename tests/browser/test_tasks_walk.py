"""Directive and task tracking in a real browser, and the dashboards following it.

The leader of Sở Tư pháp assigns a task from an incoming letter; the head of the
lead division, on a phone, sees it waiting on their dashboard, asks for an
extension, which the leader approves, then reports completion; the leader confirms
and the dashboard's figures change. Screenshots at 360 and 1280 px go to
``var/screenshots/tasks`` for review.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.permissions import RoleCode
from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, Staff, build_org
from egov.outgoing.chains import ensure_default_chain
from egov.tasks.models import Task, TaskStatus
from egov.workfiles.tests.factories import incoming_doc
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.staff import DESKTOP, PHONE, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "tasks"


@pytest.fixture
def setting() -> tuple[Org, Staff]:
    ensure_default_roles()  # live-server tests run on a flushed database
    ensure_document_types()
    ensure_default_chain()
    org = build_org()
    staff = Staff(
        clerk=make_staff("vanthu.stp", "Trần Thị Bình", org.dept, RoleCode.RECORDS_CLERK),
        leader=make_staff("gd.stp", "Võ Văn Em", org.dept, RoleCode.AGENCY_LEADER),
        head=make_staff("tp.xdkt", "Phạm Thị Dung", org.dept_legal, RoleCode.UNIT_HEAD),
        specialist=make_staff("cv.xdkt", "Lê Văn Cường", org.dept_legal, RoleCode.SPECIALIST),
        office_specialist=make_staff("cv.vp", "Đỗ Thị Giang", org.dept_office, RoleCode.SPECIALIST),
        other_clerk=make_staff("vanthu.stc", "Ngô Văn Hải", org.other, RoleCode.RECORDS_CLERK),
        outsider=make_staff("cv.stc", "Hồ Thị Lan", org.other, RoleCode.SPECIALIST),
    )
    return org, staff


@pytest.fixture
def sign_in(staff_tabs: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in tab for a person, in a browser context of their own."""
    return functools.partial(staff_tabs, landing="/can-bo/")


def shoot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def accessible(tab: Any) -> None:
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)


def no_sideways_scroll(tab: Any) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"page is {width}px wide at 360px"


def waiting(tab: Any, name: str) -> str:
    return str(tab.locator(f'#waiting li[data-name="{name}"] .dash-count').inner_text()).strip()


def figure(tab: Any, name: str) -> str:
    return str(tab.locator(f'#leader-figures div[data-name="{name}"] dd').inner_text()).strip()


def test_a_task_from_a_document_through_extension_to_completion(
    setting: tuple[Org, Staff], sign_in: Callable[..., Any]
) -> None:
    org, staff = setting
    document = incoming_doc(
        org, staff, code_number="125", subject="Đề nghị rà soát văn bản quy phạm pháp luật"
    )

    leader = sign_in("gd.stp", DESKTOP)
    assert figure(leader, "tasks.late") == "0"
    assert leader.locator("svg.chart").count() == 2
    shoot(leader, "dashboard-leader-before-1280")
    accessible(leader)

    # The leader assigns a task from the letter.
    leader.goto(leader.base_url + f"/giao-viec/giao-viec/?source=incoming&document={document.pk}")
    assert "Đề nghị rà soát văn bản" in leader.locator("#from-document").inner_text()
    leader.select_option("#id_lead_unit", label="Phòng Xây dựng và kiểm tra văn bản")
    leader.fill("#id_working_days", "5")
    leader.select_option("#id_priority", "urgent")
    shoot(leader, "assign-1280")
    accessible(leader)
    leader.locator("#assign-button").click()
    leader.wait_for_load_state()
    assert "Đã giao nhiệm vụ" in leader.content()
    task = Task.objects.get()
    assert task.document_id == document.pk

    # The head of the lead division, on a phone, finds it on their dashboard.
    head = sign_in("tp.xdkt", PHONE)
    assert waiting(head, "tasks.waiting") == "1"
    shoot(head, "dashboard-head-360")
    no_sideways_scroll(head)
    accessible(head)
    head.locator('#waiting li[data-name="tasks.waiting"] a').click()
    head.wait_for_load_state()
    head.locator(f'#mine li[data-ref="{task.reference}"] a').click()
    head.wait_for_load_state()
    new_due = task.due_date + timedelta(days=10)
    # The proposed deadline in three boxes: ngày, tháng, năm.
    for index, part in enumerate((f"{new_due.day:02d}", f"{new_due.month:02d}", str(new_due.year))):
        head.fill(f"#id_extension-new_due_date_{index}", part)
    head.fill("#id_extension-reason", "Chờ ý kiến của các huyện")
    head.locator("#extension-button").click()
    head.wait_for_load_state()
    assert "Đã gửi đề nghị gia hạn" in head.content()
    shoot(head, "task-extension-360")
    no_sideways_scroll(head)
    accessible(head)

    # The leader sees the request waiting and approves it.
    leader.goto(leader.base_url + "/can-bo/")
    assert waiting(leader, "tasks.waiting") == "1"
    leader.goto(leader.base_url + f"/giao-viec/{task.pk}/")
    leader.locator("#approve-extension").click()
    leader.wait_for_load_state()
    assert "Đã chấp thuận gia hạn" in leader.content()
    assert leader.locator("#task-due").inner_text().startswith(new_due.strftime("%d/%m/%Y"))

    # The unit reports completion; the leader confirms.
    head.goto(head.base_url + f"/giao-viec/{task.pk}/")
    head.fill("#id_completion-note", "Đã ban hành văn bản trả lời")
    head.locator("#complete-button").click()
    head.wait_for_load_state()
    assert head.locator("#task-status").get_attribute("data-status") == "reported"
    leader.goto(leader.base_url + "/can-bo/")
    assert waiting(leader, "tasks.waiting") == "1"
    leader.goto(leader.base_url + f"/giao-viec/{task.pk}/")
    leader.locator("#confirm-button").click()
    leader.wait_for_load_state()
    assert leader.locator("#task-status").get_attribute("data-status") == "done"
    assert Task.objects.get().status == TaskStatus.DONE

    # The dashboards show the change.
    leader.goto(leader.base_url + "/can-bo/")
    assert waiting(leader, "tasks.waiting") == "0"
    assert figure(leader, "tasks.on_time_share") in ("100%", "100,0%")
    shoot(leader, "dashboard-leader-after-1280")
    head.goto(head.base_url + "/can-bo/")
    assert waiting(head, "tasks.waiting") == "0"
    leader.set_viewport_size(PHONE)
    leader.goto(leader.base_url + "/can-bo/?ky=quarter")
    shoot(leader, "dashboard-leader-quarter-360")
    no_sideways_scroll(leader)
