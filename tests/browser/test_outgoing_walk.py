"""An outgoing document from draft to the other agency's register, in real browsers.

The specialist of Sở Tư pháp drafts a decision on the page and submits it; the head
of division approves it on a 360 px phone; the director approves it for signing,
also on the phone; the records clerk takes the number and issues it; it arrives in
Sở Tài chính's incoming queue (the incoming side's page), their clerk registers it,
and the registration shows on the sender's document page. Each person signs in
with password + TOTP in their own browser context. Screenshots of the new pages
at 360 and 1280 px are written to ``var/screenshots/outgoing`` for review.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.permissions import RoleCode
from egov.documents.doctypes import ensure_document_types
from egov.documents.models import IncomingDocument
from egov.documents.tests.factories import Org, build_org
from egov.outgoing.chains import ensure_default_chain
from egov.outgoing.models import OutgoingDocument, Status
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.staff import PHONE, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "outgoing"


@pytest.fixture
def org() -> Org:
    ensure_default_roles()  # live-server tests run on a flushed database
    ensure_document_types()
    ensure_default_chain()
    org = build_org()
    make_staff("cv.xdkt", "Lê Văn Cường", org.dept_legal, RoleCode.SPECIALIST)
    make_staff("tp.xdkt", "Phạm Thị Dung", org.dept_legal, RoleCode.UNIT_HEAD)
    make_staff("gd.stp", "Võ Văn Em", org.dept, RoleCode.AGENCY_LEADER)
    make_staff("vanthu.stp", "Trần Thị Bình", org.dept, RoleCode.RECORDS_CLERK)
    make_staff("vanthu.stc", "Ngô Văn Hải", org.other, RoleCode.RECORDS_CLERK)
    return org


@pytest.fixture
def sign_in(staff_tabs: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in tab for a person, in a browser context of their own."""
    return functools.partial(staff_tabs, landing="/van-ban/di/")


def shoot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def accessible(tab: Any) -> None:
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)


def no_sideways_scroll(tab: Any) -> None:
    """At 360 px the page must not scroll sideways (tables scroll inside their wrap)."""
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"page is {width}px wide at 360px"


def test_a_decision_walks_from_draft_to_the_other_agencys_register(
    org: Org, sign_in: Callable[..., Any]
) -> None:
    # The specialist drafts from the type's template and submits.
    specialist = sign_in("cv.xdkt")
    specialist.get_by_role("link", name="Soạn văn bản").first.click()
    specialist.select_option("select[name=type_code]", "quyet-dinh")
    specialist.get_by_role("button", name="Dùng mẫu của loại văn bản").click()
    assert "QUYẾT ĐỊNH:" in specialist.input_value("textarea[name=body]")
    specialist.fill("textarea[name=subject]", "Về việc ban hành Quy chế phối hợp kiểm tra văn bản")
    specialist.select_option("select[name=authority]", "KT.")
    specialist.fill("input[name=authority_of]", "Giám đốc")
    specialist.fill("input[name=signer_position]", "Phó Giám đốc")
    specialist.fill("input[name=signer_name]", "Võ Văn Em")
    specialist.select_option("select[name=recipients]", label="Sở Tài chính")
    shoot(specialist, "new-1280")
    specialist.get_by_role("button", name="Lưu dự thảo").click()
    specialist.wait_for_load_state()
    assert "Đã lưu dự thảo" in specialist.content()
    shoot(specialist, "draft-1280")
    accessible(specialist)
    specialist.get_by_role("button", name="Trình duyệt").click()
    specialist.wait_for_load_state()
    assert specialist.locator("#doc-status").get_attribute("data-status") == "in_review"
    document = OutgoingDocument.objects.get()
    detail_path = f"/van-ban/di/{document.reference}/"

    # The head of division approves on a phone.
    head = sign_in("tp.xdkt", PHONE)
    shoot(head, "worklist-360")
    no_sideways_scroll(head)
    accessible(head)
    waiting = head.locator("section[aria-labelledby=h-waiting]")
    waiting.get_by_role("link", name="Về việc ban hành Quy chế phối hợp kiểm tra văn bản").click()
    head.wait_for_load_state()
    shoot(head, "review-360")
    no_sideways_scroll(head)
    head.fill("#approve-note", "Đồng ý, trình Giám đốc.")
    head.locator("#approve-button").click()
    head.wait_for_load_state()
    assert "chuyển sang bước tiếp theo" in head.content()

    # The director approves it for signing, also on the phone.
    leader = sign_in("gd.stp", PHONE)
    leader.goto(leader.base_url + detail_path)
    assert leader.locator("#approve-button").inner_text().strip() == "Duyệt ký"
    leader.locator("#approve-button").click()
    leader.wait_for_load_state()
    assert leader.locator("#doc-status").get_attribute("data-status") == "approved"
    assert leader.locator("#unsigned").is_visible()
    shoot(leader, "approved-360")
    no_sideways_scroll(leader)

    # The records clerk takes the number and issues.
    clerk = sign_in("vanthu.stp")
    clerk.goto(clerk.base_url + detail_path)
    clerk.locator("#issue-button").click()
    clerk.wait_for_load_state()
    assert clerk.locator("#doc-number").inner_text() == "01/QĐ-STP"
    assert "chưa ký số" in clerk.content()
    row = clerk.locator("#recipients tbody tr").first
    assert row.get_attribute("data-delivery") == "delivered"
    assert row.get_attribute("data-status") == "received"
    shoot(clerk, "issued-1280")
    accessible(clerk)
    document.refresh_from_db()
    assert document.status == Status.ISSUED

    # It is in Sở Tài chính's incoming queue; their clerk registers it.
    other = sign_in("vanthu.stc")
    other.goto(other.base_url + "/van-ban/den/")
    other.get_by_role(
        "link", name="Về việc ban hành Quy chế phối hợp kiểm tra văn bản"
    ).first.click()
    other.wait_for_load_state()
    arrived = IncomingDocument.objects.get(source_ref=f"outgoing:{document.reference}")
    other.goto(other.base_url + f"/van-ban/den/{arrived.uuid}/vao-so/")
    other.locator("form.card button.primary[type=submit]").click()
    other.wait_for_load_state()
    arrived.refresh_from_db()
    assert arrived.arrival_number == 1

    # The sender's page shows the registration.
    clerk.reload()
    row = clerk.locator("#recipients tbody tr").first
    assert row.get_attribute("data-status") == "registered"
    assert "Đã vào sổ" in row.inner_text() and "số đến 1" in row.inner_text()

    # The outgoing register lists it, on a phone too.
    register = clerk  # the same clerk, now on a phone (a second sign-in would replay the code)
    register.set_viewport_size(PHONE)
    register.goto(register.base_url + "/van-ban/di/so-van-ban-di/")
    assert "01/QĐ-STP" in register.content()
    shoot(register, "register-360")
    no_sideways_scroll(register)
    accessible(register)
