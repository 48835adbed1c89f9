"""Drafting, approval, issue, dispatch and recall through the services."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.models import AuditEntry
from egov.documents import services as incoming
from egov.documents.contract import ReceiptStatusCode
from egov.documents.models import IncomingDocument, IncomingStatus
from egov.documents.tests.factories import Org, Staff, person, text_pdf
from egov.outgoing import access, selectors, services
from egov.outgoing.errors import FrozenDocument, NotAllowedNow, StaleDocument
from egov.outgoing.models import (
    DeliveryStatus,
    DraftVersion,
    EventKind,
    OutgoingDocument,
    Status,
    VersionKind,
)
from egov.outgoing.services import RecipientIn
from egov.outgoing.tests.factories import approved, draft_in, issued, make_draft

pytestmark = pytest.mark.django_db


# --- drafting -------------------------------------------------------------------------


def test_a_draft_starts_at_version_one_with_the_type_copied(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    assert document.status == Status.DRAFTING
    assert document.agency == org.dept  # the division's agency issues it
    assert (document.type_name, document.type_abbreviation) == ("Quyết định (cá biệt)", "QĐ")
    [version] = document.versions.all()
    assert version.number == 1 and version.kind == VersionKind.TEXT
    assert AuditEntry.objects.filter(action="outgoing.draft_created").count() == 1


def test_a_draft_refuses_an_unknown_type_and_missing_fields(org: Org, staff: Staff) -> None:
    with pytest.raises(ValidationError) as refused:
        make_draft(org, staff, type_code="thu-tinh", subject="  ", signer_name="")
    assert {"type_code", "subject", "signer_name"} <= set(refused.value.message_dict)
    assert not OutgoingDocument.objects.exists()


def test_only_people_of_the_unit_draft_for_it(org: Org, staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        services.create_draft(
            staff.outsider, drafting_unit=org.dept_legal, data=draft_in(), recipients=[]
        )


def test_a_recipient_listed_twice_is_refused(org: Org, staff: Staff) -> None:
    with pytest.raises(ValidationError, match=r"twice|hai lần"):
        make_draft(org, staff, recipients=[RecipientIn(agency=org.other)] * 2)


def test_saving_makes_a_new_version_and_a_stale_save_is_refused(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    read_in_tab_one = document.lock_version
    read_in_tab_two = document.lock_version
    services.save_draft(
        staff.specialist,
        document,
        expected_version=read_in_tab_one,
        data=draft_in(body="Nội dung từ tab thứ nhất."),
    )
    with pytest.raises(StaleDocument) as stale:
        services.save_draft(
            staff.specialist,
            document,
            expected_version=read_in_tab_two,
            data=draft_in(body="Nội dung từ tab thứ hai."),
        )
    assert stale.value.http_status == 409
    assert "giữ lại" in stale.value.message  # "your text is kept below"
    document.refresh_from_db()
    assert document.body == "Nội dung từ tab thứ nhất."
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("du-thao.docx", _docx(), "docx"),
        ("du-thao.odt", _odt(), "odt"),
        # Recognised by content: a PDF named .docx is stored as a PDF.
        ("du-thao.docx", text_pdf(), "pdf"),
    ],
)
def test_uploads_are_recognised_by_content(
    org: Org, staff: Staff, name: str, content: bytes, kind: str
) -> None:
    document = make_draft(org, staff)
    version = services.upload_version(
        staff.specialist,
        document,
        expected_version=document.lock_version,
        file=SimpleUploadedFile(name, content),
    )
    assert version.number == 2 and version.kind == VersionKind.FILE
    assert version.file_name.endswith(f".{kind}")
    with version.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"MZ\x90\x00program", "DOCX, ODT"),
        (b"PK\x03\x04 broken zip", "ZIP"),
        (b"", "không có nội dung"),
    ],
)
def test_uploads_that_are_not_documents_are_refused(
    org: Org, staff: Staff, content: bytes, reason: str
) -> None:
    document = make_draft(org, staff)
    with pytest.raises(ValidationError) as refused:
        services.upload_version(
            staff.specialist,
            document,
            expected_version=document.lock_version,
            file=SimpleUploadedFile("du-thao.docx", content),
        )
    assert reason in " ".join(refused.value.messages)
    assert DraftVersion.objects.filter(document=document).count() == 1


def test_a_zip_that_is_not_a_text_document_is_refused(org: Org, staff: Staff) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    document = make_draft(org, staff)
    with pytest.raises(ValidationError, match="ZIP"):
        services.upload_version(
            staff.specialist,
            document,
            expected_version=document.lock_version,
            file=SimpleUploadedFile("du-thao.odt", out.getvalue()),
        )


def test_comments_are_kept_with_the_version_they_were_made_on(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    comment = services.add_comment(staff.head, document, "Sửa lại căn cứ pháp lý.")
    assert comment.version_number == 1
    with pytest.raises(PermissionDenied):
        services.add_comment(staff.outsider, document, "Không được phép.")


# --- the approval chain -----------------------------------------------------------------


def test_the_default_chain_walks_head_then_signer(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    document = services.submit(staff.specialist, document, expected_version=1)
    assert (document.status, document.step_position) == (Status.IN_REVIEW, 1)
    # The director cannot skip the head's step; the head can act at it.
    with pytest.raises(PermissionDenied):
        services.approve(staff.leader, document, expected_version=document.lock_version)
    document = services.approve(staff.head, document, expected_version=document.lock_version)
    assert document.step_position == 2 and document.status == Status.IN_REVIEW
    with pytest.raises(PermissionDenied):
        services.approve(staff.head, document, expected_version=document.lock_version)
    document = services.approve(staff.leader, document, expected_version=document.lock_version)
    assert document.status == Status.APPROVED
    assert document.approved_by == staff.leader and document.approved_at is not None
    kinds = list(document.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.SUBMITTED,
        EventKind.APPROVED,
        EventKind.APPROVED_FOR_SIGNING,
    ]


def test_returning_needs_a_reason_and_goes_back_to_drafting(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    document = services.submit(staff.specialist, document, expected_version=1)
    with pytest.raises(ValidationError):
        services.return_draft(
            staff.head, document, expected_version=document.lock_version, note=" "
        )
    document = services.return_draft(
        staff.head, document, expected_version=document.lock_version, note="Bổ sung căn cứ."
    )
    assert document.status == Status.DRAFTING and document.step_position is None
    last = document.events.last()
    assert last is not None and last.note == "Bổ sung căn cứ."


def test_an_approval_on_a_stale_page_is_refused(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    seen = services.submit(staff.specialist, document, expected_version=1).lock_version
    services.return_draft(staff.head, document, expected_version=seen, note="Sửa lại.")
    with pytest.raises(StaleDocument):
        services.approve(staff.head, document, expected_version=seen)


# --- issue ------------------------------------------------------------------------------


def test_issue_takes_the_number_and_builds_the_symbol(org: Org, staff: Staff) -> None:
    first = issued(org, staff)
    second = issued(org, staff, type_code="ke-hoach", subject="Kế hoạch chuyển đổi số")
    assert first.number_and_symbol == "01/QĐ-STP"
    assert second.number_and_symbol == "02/KH-STP"
    assert first.status == Status.ISSUED and first.issued_by == staff.clerk
    assert first.issued_pdf and bytes(first.issued_pdf).startswith(b"%PDF-")
    assert not first.digitally_signed


def test_a_letter_takes_the_agency_and_unit_in_its_symbol(org: Org, staff: Staff) -> None:
    org.dept_legal.short_name = "XDKT"
    org.dept_legal.save(update_fields=["short_name"])
    letter = issued(org, staff, type_code="cong-van", subject="V/v góp ý dự thảo")
    assert letter.number_and_symbol == "01/STP-XDKT"


def test_only_the_records_clerk_issues_and_only_approved_documents(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    services.submit(staff.specialist, document, expected_version=1)
    document.refresh_from_db()
    with pytest.raises(NotAllowedNow):
        services.issue_document(staff.clerk, document, expected_version=document.lock_version)
    document = approved(org, staff)
    with pytest.raises(PermissionDenied):
        services.issue_document(staff.leader, document, expected_version=document.lock_version)
    with pytest.raises(PermissionDenied):
        services.issue_document(staff.other_clerk, document, expected_version=document.lock_version)


def test_an_issued_document_is_frozen(org: Org, staff: Staff) -> None:
    document = issued(org, staff)
    with pytest.raises(FrozenDocument):
        services.save_draft(
            staff.specialist, document, expected_version=document.lock_version, data=draft_in()
        )


def test_confidential_documents_have_their_own_series_and_go_on_paper(
    org: Org, staff: Staff
) -> None:
    normal = issued(org, staff)
    secret = issued(org, staff, confidentiality="confidential")
    assert normal.number == 1 and secret.number == 1
    assert secret.register_key != normal.register_key
    [recipient] = secret.recipients.all()
    assert recipient.delivery == DeliveryStatus.PAPER_ONLY
    assert not IncomingDocument.objects.filter(source_ref=f"outgoing:{secret.reference}").exists()


def test_dispatch_delivers_on_the_platform_and_outside_waits_for_the_exchange(
    org: Org, staff: Staff
) -> None:
    document = issued(
        org,
        staff,
        recipients=[
            RecipientIn(agency=org.other),
            RecipientIn(name="Bộ Tư pháp", organ_id="000.00.00.G13"),
        ],
    )
    platform, outside = document.recipients.order_by("pk")
    assert platform.delivery == DeliveryStatus.DELIVERED and platform.delivered_at
    assert outside.delivery == DeliveryStatus.WAITING_EXCHANGE and outside.delivered_at is None
    arrived = IncomingDocument.objects.get(source_ref=f"outgoing:{document.reference}")
    assert arrived.recipient_agency == org.other
    assert arrived.status == IncomingStatus.RECEIVED
    # Dispatch again: idempotent, nothing delivered twice.
    outcome = services.dispatch_document(staff.clerk, document)
    assert (
        outcome.delivered == []
        and IncomingDocument.objects.filter(source_ref=f"outgoing:{document.reference}").count()
        == 1
    )
    rows = selectors.recipient_rows(document)
    assert [row.status for row in rows] == [ReceiptStatusCode.RECEIVED, ""]


def test_the_recipients_registration_shows_on_the_senders_side(org: Org, staff: Staff) -> None:
    document = issued(org, staff)
    arrived = IncomingDocument.objects.get(source_ref=f"outgoing:{document.reference}")
    incoming.register(arrived, actor=staff.other_clerk)
    [row] = selectors.recipient_rows(document)
    assert row.status == ReceiptStatusCode.REGISTERED
    assert row.arrival_number == 1


# --- recall -----------------------------------------------------------------------------


def test_recall_before_registration_withdraws_it_from_the_queue(org: Org, staff: Staff) -> None:
    document = issued(org, staff)
    outcome = services.recall_document(staff.clerk, document, reason="Sai căn cứ pháp lý.")
    assert outcome.withdrawn == [org.other.name] and outcome.registered == []
    document.refresh_from_db()
    assert document.status == Status.RECALLED and document.recall_reason == "Sai căn cứ pháp lý."
    [recipient] = document.recipients.all()
    assert recipient.delivery == DeliveryStatus.WITHDRAWN
    assert not IncomingDocument.objects.filter(
        source_ref=f"outgoing:{document.reference}", status=IncomingStatus.RECEIVED
    ).exists()
    with pytest.raises(FrozenDocument):
        services.save_draft(
            staff.specialist, document, expected_version=document.lock_version, data=draft_in()
        )


def test_recall_after_registration_says_so_and_keeps_it_there(org: Org, staff: Staff) -> None:
    document = issued(org, staff)
    arrived = IncomingDocument.objects.get(source_ref=f"outgoing:{document.reference}")
    incoming.register(arrived, actor=staff.other_clerk)
    outcome = services.recall_document(staff.clerk, document, reason="Ban hành nhầm.")
    assert outcome.registered == [org.other.name]
    [recipient] = document.recipients.all()
    assert recipient.delivery == DeliveryStatus.RECALLED_AFTER_REGISTRATION
    assert "đã vào sổ" in recipient.note or "registered" in recipient.note
    arrived.refresh_from_db()
    assert arrived.arrival_number == 1  # kept in their register


def test_recall_needs_a_reason_and_happens_once(org: Org, staff: Staff) -> None:
    document = issued(org, staff)
    with pytest.raises(ValidationError):
        services.recall_document(staff.clerk, document, reason="")
    services.recall_document(staff.clerk, document, reason="Sai sót.")
    with pytest.raises(NotAllowedNow):
        services.recall_document(staff.clerk, document, reason="Lần hai.")
    with pytest.raises(PermissionDenied):
        services.recall_document(staff.specialist, issued(org, staff), reason="Không có quyền.")


def test_a_replacement_draft_points_to_the_recalled_document(org: Org, staff: Staff) -> None:
    document = issued(org, staff)
    services.recall_document(staff.clerk, document, reason="Thay thế.")
    document.refresh_from_db()
    replacement = services.create_replacement(staff.specialist, document)
    assert replacement.replaces == document
    assert replacement.status == Status.DRAFTING and replacement.subject == document.subject
    assert [r.agency for r in replacement.recipients.all()] == [org.other]


def test_a_confidential_draft_is_seen_only_by_the_people_on_it(org: Org, staff: Staff) -> None:
    colleague = person("cv2.xdkt", "specialist", org.dept_legal, "Mai Văn Tư")
    secret = make_draft(org, staff, confidentiality="secret")
    normal = make_draft(org, staff)
    assert access.may_see(colleague, normal) and not access.may_see(colleague, secret)
    assert access.may_see(staff.clerk, secret) and access.may_see(staff.specialist, secret)
    assert not access.may_see(staff.head, secret)  # not at its step yet
    services.submit(staff.specialist, secret, expected_version=secret.lock_version)
    secret.refresh_from_db()
    assert access.may_see(staff.head, secret)
    assert set(access.visible_documents(colleague)) == {normal}
    assert secret in set(access.visible_documents(staff.head))
