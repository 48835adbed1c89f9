"""The delivery contract the outgoing app builds on: deliver, withdraw, receipts."""

from __future__ import annotations

import pytest

from egov.documents import selectors, services
from egov.documents.contract import ReceiptStatusCode, WithdrawKind
from egov.documents.errors import NotADocument, WrongState
from egov.documents.models import IncomingDocument, IncomingStatus, Notice, NoticeKind
from egov.documents.tests.factories import Org, Staff, metadata, text_pdf

pytestmark = pytest.mark.django_db


def _deliver(org: Org, staff: Staff, ref: str = "out-1", **kw: object) -> IncomingDocument:
    return services.deliver_from_platform(
        sender_agency=org.other,
        recipient_agency=org.dept,
        metadata=metadata(issuing_agency_name="Sở Tài chính", code_notation="STC-NS", **kw),
        files=[("cong-van.pdf", text_pdf(), "application/pdf")],
        source_ref=ref,
        actor=staff.other_clerk,
    )


def test_delivery_lands_unregistered_once_and_tells_the_clerk(org: Org, staff: Staff) -> None:
    first = _deliver(org, staff)
    again = _deliver(org, staff)
    assert first.pk == again.pk
    assert IncomingDocument.objects.filter(source_ref="out-1").count() == 1
    assert first.status == IncomingStatus.RECEIVED and first.arrival_number is None
    assert first.files.count() == 1
    assert Notice.objects.filter(recipient=staff.clerk, kind=NoticeKind.ARRIVED).count() == 1
    [receipt] = selectors.platform_receipts("out-1")
    assert receipt.recipient_agency_id == org.dept.pk
    assert receipt.status is ReceiptStatusCode.RECEIVED


def test_delivery_refuses_a_file_that_is_not_a_document(org: Org, staff: Staff) -> None:
    with pytest.raises(NotADocument) as refused:
        services.deliver_from_platform(
            sender_agency=org.other,
            recipient_agency=org.dept,
            metadata=metadata(),
            files=[("van-ban.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")],
            source_ref="bad",
            actor=staff.other_clerk,
        )
    assert "Windows" in refused.value.message or "chương trình" in refused.value.message
    assert not IncomingDocument.objects.filter(source_ref="bad").exists()


def test_confidential_documents_are_never_delivered_electronically(org: Org, staff: Staff) -> None:
    with pytest.raises(WrongState):
        _deliver(org, staff, ref="m-1", confidentiality="confidential")


def test_withdraw_before_registration_removes_it(org: Org, staff: Staff) -> None:
    _deliver(org, staff)
    outcome = services.withdraw_from_platform(
        source_ref="out-1", recipient_agency=org.dept, reason="Gửi nhầm", actor=staff.other_clerk
    )
    assert outcome.kind is WithdrawKind.REMOVED and outcome.removed
    [receipt] = selectors.platform_receipts("out-1")
    assert receipt.status is ReceiptStatusCode.WITHDRAWN and receipt.note == "Gửi nhầm"
    again = services.withdraw_from_platform(
        source_ref="out-1", recipient_agency=org.dept, reason="Gửi nhầm", actor=staff.other_clerk
    )
    assert again.kind is WithdrawKind.ALREADY
    missing = services.withdraw_from_platform(
        source_ref="nope", recipient_agency=org.dept, reason="x", actor=staff.other_clerk
    )
    assert missing.kind is WithdrawKind.NOT_FOUND


def test_withdraw_after_registration_keeps_it_recalled_and_notifies(org: Org, staff: Staff) -> None:
    document = _deliver(org, staff)
    services.register(document, actor=staff.clerk)
    outcome = services.withdraw_from_platform(
        source_ref="out-1", recipient_agency=org.dept, reason="Thay thế", actor=staff.other_clerk
    )
    assert outcome.kind is WithdrawKind.RECALLED and outcome.recalled
    document.refresh_from_db()
    assert document.arrival_number == 1 and document.recalled_at is not None
    assert document.closed_reason == "Thay thế"
    assert Notice.objects.filter(recipient=staff.clerk, kind=NoticeKind.RECALLED).exists()
    [receipt] = selectors.platform_receipts("out-1")
    assert receipt.status is ReceiptStatusCode.REGISTERED and receipt.recalled
    assert receipt.arrival_number == 1
