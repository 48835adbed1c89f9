"""Staff pages: drafting from a type's template, a stale edit in a second tab that
keeps what was typed, approving and issuing from the page, the register exports."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from egov.accounts.models import User
from egov.accounts.tests.helpers import sign_in_verified
from egov.core.formatting import local
from egov.core.models import AuditEntry
from egov.documents.tests.factories import Org, Staff
from egov.outgoing.models import OutgoingDocument, Status
from egov.outgoing.tests.factories import approved, issued, make_draft

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def form_data(org: Org, **overrides: str) -> dict[str, str]:
    data = {
        "drafting_unit": str(org.dept_legal.pk),
        "type_code": "quyet-dinh",
        "subject": "Về việc thành lập tổ công tác",
        "body": "Điều 1. Thành lập tổ công tác.",
        "place": "Kiên Giang",
        "urgency": "normal",
        "confidentiality": "normal",
        "authority": "",
        "authority_of": "",
        "signer_position": "Giám đốc",
        "signer_name": "Võ Văn Em",
        "recipients": str(org.other.pk),
        "outside_recipients": "Bộ Tư pháp | 000.00.00.G13",
        "copies_to": "Lưu: VT",
    }
    data.update(overrides)
    return data


def test_the_worklist_and_the_menu_show_for_staff(org: Org, staff: Staff) -> None:
    page = client_for(staff.specialist).get(reverse("outgoing:worklist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Văn bản đi" in text and "Soạn văn bản" in text
    assert client_for(staff.outsider).get(reverse("outgoing:worklist")).status_code == 200


def test_a_draft_from_the_types_template(org: Org, staff: Staff) -> None:
    client = client_for(staff.specialist)
    filled = client.post(reverse("outgoing:new"), {**form_data(org, body=""), "use_template": "1"})
    assert filled.status_code == 200
    assert "QUYẾT ĐỊNH:" in filled.content.decode()
    assert not OutgoingDocument.objects.exists()
    saved = client.post(reverse("outgoing:new"), form_data(org))
    document = OutgoingDocument.objects.get()
    assert saved["Location"] == reverse("outgoing:detail", args=[document.reference])
    assert [r.name for r in document.recipients.all()] == ["Sở Tài chính", "Bộ Tư pháp"]
    page = client.get(saved["Location"])
    assert "Trình duyệt" in page.content.decode()


def test_a_stale_edit_in_a_second_tab_keeps_the_typed_text(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    client = client_for(staff.specialist)
    url = reverse("outgoing:save", args=[document.reference])
    first = client.post(url, form_data(org, body="Bản của tab một.", lock_version="1"))
    assert first.status_code == 302
    second = client.post(url, form_data(org, body="Bản của tab hai, rất dài.", lock_version="1"))
    assert second.status_code == 409
    text = second.content.decode()
    assert "Bản của tab hai, rất dài." in text  # what was typed is still in the form
    assert "Bản của tab một." in text  # beside the text the other tab saved
    assert 'name="lock_version" value="2"' in text  # the next save starts from version 2
    document.refresh_from_db()
    assert document.body == "Bản của tab một."
    again = client.post(url, form_data(org, body="Bản của tab hai, rất dài.", lock_version="2"))
    assert again.status_code == 302
    document.refresh_from_db()
    assert document.body == "Bản của tab hai, rất dài." and document.lock_version == 3


def test_approving_and_issuing_from_the_page(org: Org, staff: Staff) -> None:
    document = approved(org, staff)
    clerk = client_for(staff.clerk)
    page = clerk.get(reverse("outgoing:detail", args=[document.reference])).content.decode()
    assert "Cấp số, ký số và phát hành" in page and "Chưa ký số" in page
    answer = clerk.post(
        reverse("outgoing:issue", args=[document.reference]),
        {"lock_version": document.lock_version},
        follow=True,
    )
    text = answer.content.decode()
    assert "01/QĐ-STP" in text
    document.refresh_from_db()
    assert document.status == Status.ISSUED


def test_a_refusal_on_the_page_is_a_clear_message(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    answer = client_for(staff.clerk).post(
        reverse("outgoing:issue", args=[document.reference]),
        {"lock_version": document.lock_version},
        follow=True,
    )
    assert answer.status_code == 200
    assert "Chỉ văn bản đã được duyệt ký" in answer.content.decode()


def test_the_document_pdf_is_audited(org: Org, staff: Staff) -> None:
    document = issued(org, staff)
    answer = client_for(staff.clerk).get(reverse("outgoing:pdf", args=[document.reference]))
    assert answer["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''01-Q%C4%90-STP.pdf" in answer["Content-Disposition"]
    assert answer.content == bytes(document.issued_pdf or b"")
    assert AuditEntry.objects.filter(action="outgoing.pdf_downloaded").count() == 1
    assert (
        client_for(staff.outsider)
        .get(reverse("outgoing:pdf", args=[document.reference]))
        .status_code
        == 404
    )


def test_the_outgoing_register_and_its_exports(org: Org, staff: Staff) -> None:
    first = issued(org, staff)
    issued(org, staff, confidentiality="confidential", subject="Văn bản mật")
    clerk = client_for(staff.clerk)
    url = reverse("outgoing:register")
    page = clerk.get(url).content.decode()
    assert first.number_and_symbol in page and "Văn bản mật" not in page
    assert first.issued_at is not None
    day = local(first.issued_at).date().isoformat()
    query = {"agency": org.dept.pk, "start": day, "end": day}
    pdf = clerk.get(url, {**query, "format": "pdf"})
    text = " ".join((PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text() or "").split())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text and "01/QĐ-STP" in text
    workbook = clerk.get(url, {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    assert sheet["A3"].value == "01/QĐ-STP"
    secret = clerk.get(url, {**query, "confidential": "on"}).content.decode()
    assert "Văn bản mật" in secret
    assert client_for(staff.specialist).get(url).status_code == 403
