"""Issue 15's "no horizontal scroll on staff pages at 360 px", for the newer apps.

Each page a person of Sở Tư pháp or the platform operator opens is read at 360 px
(nothing sticks out or scrolls sideways, inside a table frame either: long
registers become stacked cards) and at 1280 px, with axe-core clean at both sizes:
incoming documents (list, detail, the two registers), outgoing documents (list,
detail with its recipients, the register), work files, tasks and the leader's
dashboard, the document exchange and the integration platform's
monitoring and message log; then, on the one-stop side, the 766 index, the
national-portal syncs that failed and the feedback worklist. The data is made
through each app's services with long Vietnamese names, hashes and paths, the
things that widened these pages. Screenshots go to ``EGOV_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import build_org, build_staff
from egov.dossiers.models import Status
from egov.dossiers.tests.factories import build_world, dossier_in_status
from egov.exchange.models import Channel, Direction, ExchangeMessage, Kind, Quarantine
from egov.feedback import complaints
from egov.feedback.complaint_models import ComplaintAbout
from egov.lgsp import messagelog
from egov.outgoing.chains import ensure_default_chain
from egov.tasks.tests.conftest import make_task
from egov.workfiles.tests.factories import incoming_doc, open_file, outgoing_doc
from tests.browser.test_forms_and_phones import (
    DESKTOP,
    PHONE,
    assert_accessible,
    shoot,
    sideways_overflow,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_PATH = "/lgsp/r1/VN/GOV/000.00.00.H33/lgsp/CITIZEN-LOOKUP/v1/091085001234"


def as_user(tab: Any, user: User) -> None:
    """The tab now belongs to ``user``, signed in with their second factor."""
    client = Client()
    sign_in_verified(client, user)
    tab.context.clear_cookies()
    tab.context.add_cookies(
        [
            {"name": name, "value": morsel.value, "url": tab.base_url}
            for name, morsel in client.cookies.items()
        ]
    )


def check(tab: Any, path: str) -> None:
    """The page at 360 px: nothing sideways, axe clean; then the same at 1280 px."""
    tab.set_viewport_size(PHONE)
    response = tab.goto(tab.base_url + path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert "Lỗi" not in tab.title(), path
    assert sideways_overflow(tab) == [], path
    assert_accessible(tab)
    name = "staff" + path.split("?")[0].replace("/", "-")
    shoot(tab, name + "360")
    tab.set_viewport_size(DESKTOP)
    assert_accessible(tab)
    shoot(tab, name + "1280")


def make_operator(unit: Any) -> User:
    user = User.objects.create_user(
        "vanhanh.test", None, full_name="Nguyễn Văn Vận Hành", kind=AccountKind.STAFF
    )
    RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=RoleCode.PLATFORM_OPERATOR), unit=unit
    )
    return user


def test_document_side_pages_fit_a_phone_and_a_desktop(page: Any) -> None:
    ensure_default_roles()  # live-server tests run on a flushed database
    ensure_document_types()
    ensure_default_chain()
    org = build_org()
    staff = build_staff(org)
    operator = make_operator(org.province)
    letter = incoming_doc(
        org,
        staff,
        code_number="176",
        subject="Kế hoạch kiểm tra, rà soát văn bản quy phạm pháp luật của Hội đồng nhân dân "
        "và Ủy ban nhân dân cấp huyện trên địa bàn tỉnh năm 2026",
    )
    decision = outgoing_doc(
        org, staff, subject="Về việc kiểm tra văn bản của Ủy ban nhân dân cấp huyện"
    )
    work_file = open_file(org, staff, year=timezone.localdate().year)
    task = make_task(org, staff, text="Rà soát, hệ thống hóa văn bản quy phạm pháp luật kỳ 2024")
    entry = messagelog.append(
        messagelog.Message(
            request_id="5432fd8d300f418cb5da41c642c98d19",
            consumer="VN/GOV/000.00.33.H33/qlvb",
            service="VN/GOV/000.00.00.H33/lgsp/CITIZEN-LOOKUP/v1",
            method="GET",
            path=LONG_PATH,
            status=403,
            outcome="refused",
            duration_ms=1.5,
            response_body=json.dumps(
                {
                    "code": "forbidden",
                    "message": "Bên sử dụng VN/GOV/000.00.33.H33/qlvb không có quyền truy cập "
                    "dịch vụ VN/GOV/000.00.00.H33/lgsp/CITIZEN-LOOKUP/v1.",
                },
                ensure_ascii=False,
            ).encode(),
        )
    )
    ExchangeMessage.objects.create(
        direction=Direction.OUT,
        channel=Channel.AXIS,
        kind=Kind.DOCUMENT,
        document_id="000.00.31.H33,2026/12/08,01/QĐ-STP,a8f5f167f44f4964e6c998dee827110c",
        from_organ="000.00.31.H33",
        to_organ="000.00.00.G22",
        subject="Quyết định ban hành Quy chế công tác văn thư, lưu trữ của Sở Tư pháp",
        raw=b"<edXML/>",
        sha256="0" * 64,
    )
    Quarantine.objects.create(
        raw=b"<not-xml",
        sha256="1" * 64,
        size=8,
        reason="not well-formed XML: the element edXMLEnvelope is not closed at line 1",
    )

    as_user(page, staff.clerk)
    for path in (
        "/van-ban/den/",
        f"/van-ban/den/{letter.uuid}/",
        "/van-ban/den/so-den/",
        "/van-ban/den/so-theo-doi/",
        "/van-ban/di/",
        f"/van-ban/di/{decision.reference}/",
        "/van-ban/di/so-van-ban-di/",
    ):
        check(page, path)
    # The register lists the decision: the stacked cards are not empty.
    assert decision.number_and_symbol in page.locator("main").inner_text()

    as_user(page, staff.specialist)
    for path in (
        "/ho-so-cong-viec/",
        "/ho-so-cong-viec/danh-muc/",
        f"/ho-so-cong-viec/{work_file.pk}/",
    ):
        check(page, path)

    as_user(page, staff.leader)
    for path in (
        "/can-bo/",
        "/giao-viec/",
        f"/giao-viec/{task.pk}/",
        "/giao-viec/tong-hop/",
    ):
        check(page, path)

    as_user(page, operator)
    for path in (
        "/lien-thong/",
        "/can-bo/lgsp/",
        "/can-bo/lgsp/nhat-ky/",
        f"/can-bo/lgsp/nhat-ky/{entry.pk}/",
    ):
        check(page, path)
    assert "CITIZEN-LOOKUP" in page.locator("main").inner_text()


def test_one_stop_side_pages_fit_a_phone_and_a_desktop(page: Any) -> None:
    ensure_default_roles()
    world = build_world()
    dossier_in_status(world, Status.RESULT_READY)
    dossier_in_status(world, Status.PROCESSING, supplement_requests=2)
    operator = make_operator(world.org.province)
    complaint = complaints.send_complaint(
        None,
        complaints.ComplaintIn(
            about=ComplaintAbout.OFFICIAL,
            title="Cán bộ Bộ phận một cửa Thành phố Rạch Giá hẹn trả kết quả nhiều lần",
            body="Tôi đến ba lần vẫn chưa nhận được kết quả đăng ký khai sinh cho con.",
            name="Lâm Thị Cúc",
            phone="0912 345 678",
            agency=world.org.district,
        ),
    ).complaint

    as_user(page, world.staff.leader)
    for path in (
        f"/can-bo/chi-so-766/?unit={world.org.district.code}",
        "/phan-anh/can-bo/",
        f"/phan-anh/can-bo/{complaint.pk}/",
    ):
        check(page, path)

    as_user(page, operator)
    check(page, "/can-bo/chi-so-766/dong-bo-loi/")
