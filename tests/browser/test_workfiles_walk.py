"""A work file in a real browser: the specialist of Sở Tư pháp opens a file from
the yearly list on a phone, finds and adds an incoming letter and an outgoing
decision, closes the file and downloads it as PDF (read back with pypdf).
Screenshots at 360 and 1280 px go to ``var/screenshots/workfiles`` for review.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.permissions import RoleCode
from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, Staff, build_org
from egov.outgoing.chains import ensure_default_chain
from egov.workfiles import services
from egov.workfiles.models import FileStatus, WorkFile
from egov.workfiles.tests.factories import incoming_doc, outgoing_doc
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.staff import DESKTOP, PHONE, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "workfiles"


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
    return functools.partial(staff_tabs, landing="/ho-so-cong-viec/")


def shoot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def accessible(tab: Any) -> None:
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)


def no_sideways_scroll(tab: Any) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"page is {width}px wide at 360px"


def test_the_specialist_files_documents_closes_and_downloads(
    setting: tuple[Org, Staff], sign_in: Callable[..., Any]
) -> None:
    org, staff = setting
    year = services.today().year
    file_list = services.list_for(staff.clerk, org.dept, year)
    services.add_entry(
        staff.clerk,
        file_list,
        services.EntryIn(
            symbol="03.XDKT",
            title="Hồ sơ kiểm tra văn bản quy phạm pháp luật của cấp huyện",
            unit=org.dept_legal,
            retention_years=20,
        ),
    )
    incoming_doc(
        org, staff, code_number="176", subject="Kế hoạch kiểm tra văn bản quy phạm năm nay"
    )
    outgoing_doc(org, staff, subject="Về việc kiểm tra văn bản của Ủy ban nhân dân cấp huyện")

    tab = sign_in("cv.xdkt", PHONE)
    shoot(tab, "index-360")
    no_sideways_scroll(tab)
    accessible(tab)
    tab.get_by_role("link", name=f"Danh mục hồ sơ {year}").click()
    tab.wait_for_load_state()
    shoot(tab, "list-360")
    no_sideways_scroll(tab)
    accessible(tab)
    tab.get_by_role("button", name="Mở hồ sơ 03.XDKT").click()
    tab.wait_for_load_state()
    assert "Đã mở hồ sơ." in tab.content()
    assert tab.locator("#file-status").get_attribute("data-status") == "open"

    tab.fill("#doc-q", "ke hoach kiem tra")  # diacritics ignored
    tab.get_by_role("button", name="Tìm kiếm").click()
    tab.wait_for_load_state()
    tab.locator("#found li").filter(has_text="Kế hoạch kiểm tra văn bản").get_by_role(
        "button", name="Thêm vào hồ sơ"
    ).click()
    tab.wait_for_load_state()
    assert "Đã thêm văn bản vào hồ sơ." in tab.content()
    tab.fill("#doc-q", "kiem tra van ban cap huyen")
    tab.get_by_role("button", name="Tìm kiếm").click()
    tab.wait_for_load_state()
    tab.locator("#found li").filter(has_text="Ủy ban nhân dân cấp huyện").get_by_role(
        "button", name="Thêm vào hồ sơ"
    ).click()
    tab.wait_for_load_state()
    assert tab.locator("#toc li").count() == 2
    assert tab.locator("#toc li[data-kind=incoming]").count() == 1
    assert tab.locator("#toc li[data-kind=outgoing]").count() == 1
    shoot(tab, "file-open-360")
    no_sideways_scroll(tab)
    accessible(tab)

    tab.locator("#close-button").click()
    tab.wait_for_load_state()
    assert "Đã đóng hồ sơ" in tab.content()
    assert tab.locator("#file-status").get_attribute("data-status") == "closed"
    assert tab.locator("#handover-due").inner_text() == f"31/12/{year + 1}"
    shoot(tab, "file-closed-360")
    no_sideways_scroll(tab)
    with tab.expect_download() as info:
        tab.locator("#download-pdf").click()
    data = Path(info.value.path()).read_bytes()
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages
    )
    assert "MỤC LỤC VĂN BẢN" in text
    assert "176/KH-UBND" in text and "cấp huyện" in text
    work_file = WorkFile.objects.get()
    assert work_file.status == FileStatus.CLOSED and work_file.retention_years == 20

    wide = sign_in("tp.xdkt", DESKTOP)  # the head of division (a new code: no replay)
    wide.goto(wide.base_url + f"/ho-so-cong-viec/{work_file.pk}/")
    shoot(wide, "file-closed-1280")
    accessible(wide)
    wide.goto(wide.base_url + f"/ho-so-cong-viec/danh-muc/?agency={org.dept.pk}&year={year}")
    shoot(wide, "list-1280")
