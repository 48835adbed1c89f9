"""The staff pages: worklist and menu, the yearly list, opening, adding, closing,
hand-over; confidential documents hidden; every view and download audit-logged."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import AuditEntry
from egov.documents.tests.factories import Org, Staff
from egov.workfiles import services
from egov.workfiles.models import FileStatus, WorkFile
from egov.workfiles.tests.factories import incoming_doc, open_file, outgoing_doc

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_the_clerk_builds_the_list_and_the_specialist_opens_from_it(org: Org, staff: Staff) -> None:
    clerk = client_for(staff.clerk)
    page = clerk.get("/ho-so-cong-viec/")
    assert page.status_code == 200
    assert "Hồ sơ công việc" in page.content.decode()
    url = f"/ho-so-cong-viec/danh-muc/?agency={org.dept.pk}&year=2026"
    added = clerk.post(
        url,
        {
            "action": "add",
            "agency": org.dept.pk,
            "entry-symbol": "01.XDKT",
            "entry-title": "Hồ sơ kiểm tra văn bản <script>x</script>",
            "entry-unit": org.dept_legal.pk,
            "entry-retention": "vinh-vien",
            "entry-kind": "regular",
        },
        follow=True,
    )
    text = added.content.decode()
    assert "Đã thêm mục vào danh mục." in text
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text
    bad = clerk.post(
        url,
        {
            "action": "add",
            "agency": org.dept.pk,
            "entry-symbol": "01.XDKT",
            "entry-title": "Trùng",
            "entry-unit": org.dept_legal.pk,
            "entry-retention": "10",
            "entry-kind": "regular",
        },
    )
    assert "Ký hiệu 01.XDKT đã được dùng" in bad.content.decode()

    specialist = client_for(staff.specialist)
    listing = specialist.get(url).content.decode()
    assert "Mở hồ sơ" in listing and "Thêm vào danh mục" not in listing  # not a list keeper
    entry_id = services.list_for(staff.clerk, org.dept, 2026).entries.get().pk
    opened = specialist.post(f"/ho-so-cong-viec/danh-muc/muc/{entry_id}/mo/", follow=True)
    assert "Đã mở hồ sơ." in opened.content.decode()
    planned = WorkFile.objects.get()
    assert planned.is_permanent and planned.owner == staff.specialist
    # A second tab opening it again lands on the same file with a clear message.
    again = specialist.post(f"/ho-so-cong-viec/danh-muc/muc/{entry_id}/mo/", follow=True)
    assert "đã được mở" in again.content.decode()
    assert again.redirect_chain[-1][0] == f"/ho-so-cong-viec/{planned.pk}/"


def test_add_search_close_and_hand_over_on_the_pages(org: Org, staff: Staff) -> None:
    work_file = open_file(org, staff, years=10)
    letter = incoming_doc(org, staff, subject="Kế hoạch kiểm tra văn bản năm 2026")
    me = client_for(staff.specialist)
    page = me.get(f"/ho-so-cong-viec/{work_file.pk}/", {"q": "ke hoach kiem tra"})
    assert page.status_code == 200
    assert "Kế hoạch kiểm tra văn bản năm 2026" in page.content.decode()
    added = me.post(
        f"/ho-so-cong-viec/{work_file.pk}/them-van-ban/",
        {"kind": "incoming", "document_id": letter.pk},
        follow=True,
    )
    assert "Đã thêm văn bản vào hồ sơ." in added.content.decode()
    again = me.post(
        f"/ho-so-cong-viec/{work_file.pk}/them-van-ban/",
        {"kind": "incoming", "document_id": letter.pk},
        follow=True,
    )
    assert "Văn bản này đã có trong hồ sơ." in again.content.decode()
    stale = me.post(
        f"/ho-so-cong-viec/{work_file.pk}/dong/", {"version": 1, "retention": "10"}, follow=True
    )
    assert "người khác thay đổi" in stale.content.decode()
    work_file.refresh_from_db()
    assert work_file.status == FileStatus.OPEN
    closed = me.post(
        f"/ho-so-cong-viec/{work_file.pk}/dong/",
        {"version": work_file.version, "retention": "10", "end_date": "2025-12-31"},
        follow=True,
    )
    assert "Ngày kết thúc không được trước ngày bắt đầu" in closed.content.decode()
    closed = me.post(
        f"/ho-so-cong-viec/{work_file.pk}/dong/",
        {"version": work_file.version, "retention": "10", "end_date": "2026-06-30"},
        follow=True,
    )
    assert "Đã đóng hồ sơ" in closed.content.decode()
    assert "31/12/2027" in closed.content.decode()
    assert "Nộp lưu vào Lưu trữ cơ quan" not in closed.content.decode()  # not the clerk
    clerk = client_for(staff.clerk)
    handed = clerk.post(
        f"/ho-so-cong-viec/{work_file.pk}/nop-luu/", {"receipt_number": "BB-07/2026"}, follow=True
    )
    assert "Đã ghi nhận việc nộp lưu." in handed.content.decode()
    work_file.refresh_from_db()
    assert work_file.status == FileStatus.HANDED_OVER and work_file.archive_receipt == "BB-07/2026"


def test_confidential_documents_hidden_and_every_view_and_download_audited(
    org: Org, staff: Staff
) -> None:
    work_file = open_file(org, staff)
    secret = outgoing_doc(
        org, staff, draft=True, subject="Báo cáo mật về thanh tra", confidentiality="secret"
    )
    services.add_document(staff.specialist, work_file, "outgoing", secret.pk)
    head = client_for(staff.head)
    page = head.get(f"/ho-so-cong-viec/{work_file.pk}/").content.decode()
    assert "mật về thanh tra" not in page
    assert "1 văn bản mật không hiển thị với bạn." in page
    assert (
        "mật về thanh tra"
        in client_for(staff.specialist).get(f"/ho-so-cong-viec/{work_file.pk}/").content.decode()
    )
    pdf = head.get(f"/ho-so-cong-viec/{work_file.pk}/ho-so.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xml = head.get(f"/ho-so-cong-viec/{work_file.pk}/ho-so.xml")
    assert xml.status_code == 200 and "mật về thanh tra" not in xml.content.decode()
    actions = list(
        AuditEntry.objects.filter(object_id=str(work_file.pk), actor=staff.head).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "workfiles.downloaded_pdf",
        "workfiles.downloaded_xml",
        "workfiles.viewed",
    ]
    # Someone of another agency cannot even learn the file exists.
    outsider = client_for(staff.outsider)
    assert outsider.get(f"/ho-so-cong-viec/{work_file.pk}/").status_code == 404
    assert outsider.get(f"/ho-so-cong-viec/{work_file.pk}/ho-so.pdf").status_code == 404
    assert (
        outsider.post(
            f"/ho-so-cong-viec/{work_file.pk}/them-van-ban/",
            {"kind": "outgoing", "document_id": secret.pk},
        ).status_code
        == 404
    )
    # A person of another unit of the same agency does not see the legal division's file.
    assert (
        client_for(staff.office_specialist).get(f"/ho-so-cong-viec/{work_file.pk}/").status_code
        == 404
    )


def test_the_menu_shows_work_files_to_agency_staff(org: Org, staff: Staff) -> None:
    page = client_for(staff.specialist).get("/ho-so-cong-viec/").content.decode()
    assert 'href="/ho-so-cong-viec/"' in page
    open_file(org, staff)
    assert (
        "Hồ sơ kiểm tra văn bản"
        in client_for(staff.specialist).get("/ho-so-cong-viec/").content.decode()
    )
    # Sở Tài chính's specialist has the menu (their own agency) but not this file.
    other = client_for(staff.outsider).get("/ho-so-cong-viec/").content.decode()
    assert "Hồ sơ kiểm tra văn bản" not in other
