"""The digital signatures of an incoming document's PDFs are checked when it arrives,
with the signatures app's verification (the same as the public page): a delivery
from another agency is checked by the background job, a clerk's upload at once; the
verdict is shown on the document's page, its full report page and the JSON API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.tests.helpers import sign_in_verified
from egov.documents import services
from egov.documents.models import IncomingDocument, SignatureCheck
from egov.documents.tests.factories import Org, Staff, metadata, scan_png, text_pdf
from egov.signatures.tests.conftest import USER_PIN, pki_settings  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

CHANGED = "Tài liệu đã bị thay đổi sau khi ký: nội dung không còn khớp với chữ ký."


@pytest.fixture
def signed_pdf(org: Org, staff: Staff, pki_settings: dict[str, Any]) -> bytes:  # noqa: F811
    """A PDF the leader signed with the test PKI's token (PAdES B-T)."""
    from egov.signatures import services as signatures
    from egov.signatures import testpki

    testpki.make(user_pin=USER_PIN)
    holder = signatures.holder_for_person(staff.leader, pin=USER_PIN)
    return signatures.sign_pdf(text_pdf(), holder=holder, actor=staff.leader)


def tampered(data: bytes) -> bytes:
    """One byte changed inside the signed content (the first page's stream)."""
    at = data.index(b"stream\n") + 20
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def deliver(org: Org, staff: Staff, files: list[tuple[str, bytes, str]], ref: str) -> Any:
    return services.deliver_from_platform(
        sender_agency=org.other,
        recipient_agency=org.dept,
        metadata=metadata(issuing_agency_name="Sở Tài chính", code_number="9"),
        files=files,
        source_ref=ref,
        actor=staff.other_clerk,
    )


def signed_in(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_a_signed_delivery_is_checked_by_the_job_and_shown_valid(
    org: Org, staff: Staff, signed_pdf: bytes
) -> None:
    document = deliver(
        org,
        staff,
        [
            ("quyet-dinh.pdf", signed_pdf, "application/pdf"),
            ("bang-ke.png", scan_png(), "image/png"),
        ],
        "ref-signed",
    )
    # Delivered inside the sender's transaction: checked later, "checking" meanwhile.
    assert document.signature_status == SignatureCheck.PENDING
    client = signed_in(staff.clerk)
    page = client.get(reverse("documents:detail", args=[document.uuid])).content.decode()
    assert "Đang kiểm tra chữ ký số" in page

    assert services.check_pending_signatures() == 1
    assert services.check_pending_signatures() == 0  # nothing left to claim
    document.refresh_from_db()
    assert document.signature_status == SignatureCheck.VALID
    assert document.signature_reasons == []
    assert "Võ Văn Em" in document.signature_signers
    assert document.signature_checked_at is not None
    (result,) = document.signature_reports  # the PNG is not a PDF: not checked
    assert result["file"] == "quyet-dinh.pdf" and result["report"]["ok"] is True

    page = client.get(reverse("documents:detail", args=[document.uuid])).content.decode()
    assert "Chữ ký số hợp lệ" in page
    report_url = reverse("documents:signatures", args=[document.uuid])
    assert report_url in page
    report = client.get(report_url)
    assert report.status_code == 200
    text = report.content.decode()
    assert "Võ Văn Em" in text and "Chữ ký 1" in text and "Báo cáo kiểm tra" in text

    answer = client.get(f"/api/v1/documents/incoming/{document.uuid}").json()
    assert answer["signature_status"] == "valid"
    assert answer["signature"]["status"] == "valid"
    assert any("Võ Văn Em" in name for name in answer["signature"]["signers"])
    assert answer["signature"]["reasons"] == []
    assert answer["signature"]["report"] == report_url


def test_a_byte_changed_is_invalid_with_the_reason(
    org: Org, staff: Staff, signed_pdf: bytes
) -> None:
    bad = tampered(signed_pdf)
    assert bad != signed_pdf
    document = deliver(org, staff, [("quyet-dinh.pdf", bad, "application/pdf")], "ref-bad")
    services.check_pending_signatures()
    document.refresh_from_db()
    assert document.signature_status == SignatureCheck.INVALID
    assert CHANGED in document.signature_reasons
    client = signed_in(staff.clerk)
    page = client.get(reverse("documents:detail", args=[document.uuid])).content.decode()
    assert "Chữ ký số không hợp lệ" in page
    assert "Tài liệu đã bị thay đổi sau khi ký" in page
    queue = client.get(reverse("documents:queue")).content.decode()
    assert "Chữ ký số không hợp lệ" in queue  # the clerk sees it before opening it
    answer = client.get(f"/api/v1/documents/incoming/{document.uuid}").json()
    assert answer["signature"]["status"] == "invalid"
    assert CHANGED in answer["signature"]["reasons"]


def test_a_clerks_upload_is_checked_at_once_and_names_the_bad_file(
    org: Org, staff: Staff, signed_pdf: bytes
) -> None:
    document = services.receive_scan(
        agency=org.dept,
        files=[
            ("chinh.pdf", signed_pdf, "application/pdf"),
            ("phu-luc.pdf", tampered(signed_pdf), "application/pdf"),
        ],
        actor=staff.clerk,
        recognise_now=False,
    )
    assert document.signature_status == SignatureCheck.INVALID
    assert f"phu-luc.pdf: {CHANGED}" in document.signature_reasons
    assert [r["status"] for r in document.signature_reports] == ["valid", "invalid"]


def test_an_unsigned_pdf_is_unsigned_and_a_scan_image_needs_no_check(
    org: Org, staff: Staff
) -> None:
    document = deliver(org, staff, [("cv.pdf", text_pdf(), "application/pdf")], "ref-plain")
    services.check_pending_signatures()
    document.refresh_from_db()
    assert document.signature_status == SignatureCheck.UNSIGNED
    assert document.signature_signers == "" and document.signature_reasons == []
    page = (
        signed_in(staff.clerk)
        .get(reverse("documents:detail", args=[document.uuid]))
        .content.decode()
    )
    assert "Chưa ký số" in page

    scan = services.receive_scan(
        agency=org.dept,
        files=[("scan.png", scan_png(), "image/png")],
        actor=staff.clerk,
        recognise_now=False,
    )
    assert scan.signature_status == SignatureCheck.NONE


def test_the_report_page_is_refused_to_someone_of_another_agency(org: Org, staff: Staff) -> None:
    document = deliver(org, staff, [("cv.pdf", text_pdf(), "application/pdf")], "ref-x")
    services.check_pending_signatures()
    response = signed_in(staff.outsider).get(reverse("documents:signatures", args=[document.uuid]))
    assert response.status_code in (403, 404)
    assert IncomingDocument.objects.filter(pk=document.pk).exists()


def test_a_pdf_the_check_refuses_is_failed_with_the_reason(
    org: Org, staff: Staff, settings: Any
) -> None:
    settings.EGOV_SIGNATURES_MAX_PAGES = 0  # every PDF is now too long to check
    document = deliver(org, staff, [("dai.pdf", text_pdf(), "application/pdf")], "ref-long")
    services.check_pending_signatures()
    document.refresh_from_db()
    assert document.signature_status == SignatureCheck.FAILED
    (reason,) = document.signature_reasons
    assert "dai.pdf" in reason and "trang" in reason
    page = (
        signed_in(staff.clerk)
        .get(reverse("documents:signatures", args=[document.uuid]))
        .content.decode()
    )
    assert "Không kiểm tra được chữ ký số" in page and "dai.pdf" in page
