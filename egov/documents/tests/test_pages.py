"""The staff pages: what each role sees, the forms' round trips, audit of views and
downloads, the registers as PDF and Excel."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.formatting import local
from egov.core.models import AuditEntry
from egov.documents import services
from egov.documents.models import IncomingDocument, IncomingStatus
from egov.documents.tests.factories import Org, Staff, metadata, scan_png, text_pdf

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    sign_in_verified(client, user)  # type: ignore[arg-type]
    return client


def _registered(org: Org, staff: Staff, **kw: object) -> IncomingDocument:
    document = services.receive_scan(
        agency=org.dept,
        files=[("a.pdf", text_pdf("Nội dung"), "application/pdf")],
        actor=staff.clerk,
        metadata=metadata(**kw),
    )
    return services.register(document, actor=staff.clerk, present_to=staff.leader)


def test_the_clerk_uploads_a_scan_sees_its_text_and_registers_it(org: Org, staff: Staff) -> None:
    client = client_for(staff.clerk)
    assert "Văn bản đến" in client.get(reverse("documents:queue")).content.decode()
    upload = SimpleUploadedFile("cong-van.png", scan_png(), content_type="image/png")
    response = client.post(reverse("documents:receive"), {"agency": org.dept.pk, "scan": upload})
    document = IncomingDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:register", args=[document.uuid])
    page = client.get(response["Location"]).content.decode()
    assert "125/UBND-VP" in page or "Tesseract" in page  # the recognised text (or why not)
    if "125/UBND-VP" in page:  # and the form's first guesses from it
        assert 'value="UBND-VP"' in page and "điền sẵn" in page
    form = {
        "version": document.version,
        "issuing_agency_name": "UBND tỉnh Kiên Giang",
        "code_number": "125",
        "code_notation": "UBND-VP",
        "type_code": "cong-van",
        "subject": "Về việc triển khai hệ thống quản lý văn bản",
        "urgency": "normal",
        "confidentiality": "normal",
        "present_to": staff.leader.pk,
    }
    done = client.post(reverse("documents:register", args=[document.uuid]), form)
    assert done.status_code == 302
    document.refresh_from_db()
    assert document.arrival_number == 1 and document.status == IncomingStatus.PRESENTED
    detail = client.get(done["Location"]).content.decode()
    assert "ĐẾN" in detail and "Công văn" in detail


def test_a_wrong_file_is_refused_on_the_page(org: Org, staff: Staff) -> None:
    client = client_for(staff.clerk)
    upload = SimpleUploadedFile(
        "van-ban.pdf", b"MZ\x90\x00 program", content_type="application/pdf"
    )
    response = client.post(reverse("documents:receive"), {"agency": org.dept.pk, "scan": upload})
    assert response.status_code == 200
    assert "Windows" in response.content.decode()
    assert not IncomingDocument.objects.exists()


def test_the_duplicate_warning_and_the_stale_form(org: Org, staff: Staff) -> None:
    _registered(org, staff)
    again = services.receive_scan(
        agency=org.dept,
        files=[("a.pdf", text_pdf(), "application/pdf")],
        actor=staff.clerk,
        metadata=metadata(),
    )
    client = client_for(staff.clerk)
    url = reverse("documents:register", args=[again.uuid])
    form = {
        "version": again.version,
        "issuing_agency_name": again.issuing_agency_name,
        "code_number": again.code_number,
        "code_notation": again.code_notation,
        "subject": again.subject,
        "urgency": "normal",
        "confidentiality": "normal",
    }
    warned = client.post(url, form).content.decode()
    assert "đã được vào sổ" in warned or "already registered" in warned
    stale = client.post(url, {**form, "version": again.version - 1, "confirm_duplicate": "on"})
    assert stale.status_code == 302  # back to the form with the message, nothing lost
    again.refresh_from_db()
    assert again.arrival_number is None
    done = client.post(url, {**form, "confirm_duplicate": "on"})
    assert done.status_code == 302
    again.refresh_from_db()
    assert again.arrival_number == 2


def test_the_leader_assigns_on_the_processing_sheet(org: Org, staff: Staff) -> None:
    document = _registered(org, staff)
    client = client_for(staff.leader)
    queue = client.get(reverse("documents:queue") + "?tab=direct").content.decode()
    assert document.subject in queue
    url = reverse("documents:sheet", args=[document.uuid])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": document.version,
            "lead_unit": org.dept_legal.pk,
            "cooperating_units": [org.dept_office.pk],
            "deadline_days": 5,
            "opinion": "Giao phòng XDKT",
            "lead_person": staff.specialist.pk,
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == IncomingStatus.ASSIGNED
    specialist = client_for(staff.specialist)
    mine = specialist.get(reverse("documents:mine")).content.decode()
    assert document.subject in mine
    note = specialist.post(
        reverse("documents:act", args=[document.uuid, "progress"]), {"text": "Đang xử lý"}
    )
    assert note.status_code == 302
    document.refresh_from_db()
    assert document.status == IncomingStatus.PROCESSING


def test_outsiders_are_refused_and_views_downloads_are_audited(org: Org, staff: Staff) -> None:
    document = _registered(org, staff)
    outsider = client_for(staff.other_clerk)
    assert outsider.get(reverse("documents:detail", args=[document.uuid])).status_code == 403
    assert outsider.get(reverse("documents:sheet", args=[document.uuid])).status_code == 403
    clerk = client_for(staff.clerk)
    assert clerk.get(reverse("documents:detail", args=[document.uuid])).status_code == 200
    stored = document.files.get()
    response = clerk.get(reverse("documents:download", args=[document.uuid, stored.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    actions = list(
        AuditEntry.objects.filter(object_id=str(document.pk)).values_list("action", flat=True)
    )
    assert "documents.view" in actions and "documents.download" in actions


def test_the_registers_as_page_pdf_and_excel(org: Org, staff: Staff) -> None:
    from openpyxl import load_workbook

    document = _registered(org, staff)
    client = client_for(staff.clerk)
    page = client.get(reverse("documents:register_book")).content.decode()
    assert "Sổ đăng ký văn bản đến" in page and document.subject in page
    assert document.registered_at is not None
    day = local(document.registered_at).date().isoformat()
    query = {"agency": org.dept.pk, "start": day, "end": day}
    pdf = client.get(reverse("documents:register_book"), {**query, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("documents:follow_up"), {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN" in values
    assert any(document.number_symbol in str(v) for v in values)
    bad = client.get(
        reverse("documents:register_book"),
        {"agency": org.dept.pk, "start": day, "end": "2000-01-01"},
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert client_for(staff.specialist).get(reverse("documents:register_book")).status_code == 403


def test_search_page_finds_without_diacritics(org: Org, staff: Staff) -> None:
    document = _registered(org, staff, subject="Công văn về việc đôn đốc báo cáo")
    page = client_for(staff.clerk).get(reverse("documents:search"), {"q": "cong van don doc"})
    assert document.subject in page.content.decode()
