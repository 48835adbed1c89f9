"""Incoming documents in a real browser: the records clerk uploads the scan of a
letter, sees its text read by Tesseract and registers it; search finds the letter by
words of its recognised text typed without diacritics; the leader, on a phone-sized
screen, assigns it with the processing sheet. Each person signs in with password +
TOTP in their own browser context; the pages pass an axe-core scan.

Set ``EGOV_SCREENSHOTS=<folder>`` to keep screenshots of the pages at 360 and 1280 px.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.permissions import RoleCode
from egov.documents import ocr
from egov.documents.doctypes import ensure_document_types
from egov.documents.models import IncomingDocument, IncomingStatus
from egov.documents.tests.factories import Org, build_org, scan_png
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.staff import PHONE, make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(ocr.tesseract_path() is None, reason="tesseract missing"),
]

SHOTS = os.environ.get("EGOV_SCREENSHOTS", "")


@pytest.fixture
def org() -> Org:
    ensure_default_roles()  # live-server tests run on a flushed database
    ensure_document_types()
    org = build_org()
    make_staff("vanthu.stp", "Trần Thị Bình", org.dept, RoleCode.RECORDS_CLERK)
    make_staff("gd.stp", "Võ Văn Em", org.dept, RoleCode.AGENCY_LEADER)
    make_staff("cv.xdkt", "Lê Văn Cường", org.dept_legal, RoleCode.SPECIALIST)
    return org


@pytest.fixture
def sign_in(staff_tabs: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in tab for a person, in a browser context of their own."""
    return functools.partial(staff_tabs, landing="/van-ban/den/")


def check(tab: Any, name: str) -> None:
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)
    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        width = tab.viewport_size["width"]
        tab.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def test_clerk_registers_a_scan_search_finds_it_leader_assigns(
    org: Org, sign_in: Callable[..., Any]
) -> None:
    clerk = sign_in("vanthu.stp")
    check(clerk, "queue")
    clerk.get_by_role("link", name="Tiếp nhận văn bản giấy (bản quét)").click()
    check(clerk, "receive")
    clerk.set_input_files(
        "input[name=scan]",
        files=[{"name": "cong-van-125.png", "mimeType": "image/png", "buffer": scan_png()}],
    )
    clerk.get_by_role("button", name="Tải lên và nhận dạng chữ").click()
    clerk.wait_for_url("**/vao-so/")
    ocr_box = clerk.get_by_label("Nội dung nhận dạng", exact=True)
    assert "125/UBND-VP" in ocr_box.inner_text()
    check(clerk, "register")
    clerk.fill("input[name=issuing_agency_name]", "Ủy ban nhân dân tỉnh Kiên Giang")
    clerk.fill("input[name=code_number]", "125")
    clerk.fill("input[name=code_notation]", "UBND-VP")
    clerk.select_option("select[name=type_code]", "cong-van")
    clerk.fill("textarea[name=subject]", "Về việc triển khai hệ thống quản lý văn bản điều hành")
    clerk.select_option("select[name=present_to]", label="Võ Văn Em")
    clerk.get_by_role("button", name="Vào sổ", exact=True).click()
    clerk.wait_for_load_state()
    assert "Đã vào sổ." in clerk.content()
    stamp = clerk.locator(".stamp").inner_text()
    assert "ĐẾN" in stamp and "1" in stamp
    check(clerk, "detail")

    # Search by words of the recognised text, typed without diacritics.
    clerk.goto(clerk.base_url + "/van-ban/den/")
    clerk.fill("input[name=q]", "he thong quan ly van ban dieu hanh")
    clerk.get_by_role("button", name="Tìm kiếm", exact=True).click()
    clerk.wait_for_load_state()
    assert "Tìm thấy 1 văn bản" in clerk.content()
    check(clerk, "search")

    # The leader, on a phone, directs it.
    leader = sign_in("gd.stp", PHONE)
    leader.get_by_role("link", name="Chờ cho ý kiến (1)").click()
    leader.get_by_role(
        "link", name="Về việc triển khai hệ thống quản lý văn bản điều hành", exact=True
    ).click()
    check(leader, "detail-leader")
    leader.get_by_role("link", name="Giao xử lý (phiếu giải quyết)").click()
    check(leader, "sheet")
    leader.select_option("select[name=lead_unit]", label="Phòng Xây dựng và kiểm tra văn bản")
    leader.select_option("select[name=lead_person]", label="Lê Văn Cường")
    leader.get_by_label("Văn phòng Sở Tư pháp").check()
    leader.fill("input[name=deadline_days]", "5")
    leader.fill("textarea[name=opinion]", "Giao Phòng XDKT chủ trì, Văn phòng phối hợp.")
    leader.get_by_role("button", name="Giao xử lý", exact=True).click()
    leader.wait_for_load_state()
    assert "Đã giao xử lý." in leader.content()
    assert "Phòng Xây dựng và kiểm tra văn bản" in leader.locator("#h-sheet ~ dl").inner_text()
    document = IncomingDocument.objects.get()
    assert document.status == IncomingStatus.ASSIGNED
    assert document.arrival_number == 1
    assert "125/UBND-VP" in document.ocr_text
