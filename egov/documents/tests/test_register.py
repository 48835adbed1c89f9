"""Receipt and registration: numbering, the duplicate warning, wrong files, stale
edits, presentation deadlines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core import audit
from egov.core.models import AuditEntry
from egov.documents import services
from egov.documents.errors import LikelyDuplicate, NotADocument, StaleDocument, WrongState
from egov.documents.models import IncomingDocument, IncomingStatus, OcrStatus, Source
from egov.documents.services import common
from egov.documents.tests.factories import Org, Staff, metadata, scan_png, text_pdf

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def paper(org: Org, staff: Staff, **kw: object) -> IncomingDocument:
    return services.receive_scan(
        agency=org.dept,
        files=[("cong-van.pdf", text_pdf(), "application/pdf")],
        actor=staff.clerk,
        metadata=metadata(**kw),
    )


def test_numbers_run_consecutively_through_the_year_for_paper_and_electronic(
    org: Org, staff: Staff
) -> None:
    first = services.register(paper(org, staff, code_number="1"), actor=staff.clerk)
    electronic = services.deliver_from_platform(
        sender_agency=org.other,
        recipient_agency=org.dept,
        metadata=metadata(issuing_agency_name="Sở Tài chính", code_number="9"),
        files=[("a.pdf", text_pdf(), "application/pdf")],
        source_ref="ref-9",
        actor=staff.other_clerk,
    )
    second = services.register(electronic, actor=staff.clerk)
    third = services.register(paper(org, staff, code_number="2"), actor=staff.clerk)
    assert [first.arrival_number, second.arrival_number, third.arrival_number] == [1, 2, 3]
    assert first.register_id == second.register_id == third.register_id
    assert second.source == Source.PLATFORM
    # Another agency's register starts at 1.
    other = services.receive_scan(
        agency=org.other,
        files=[("x.pdf", text_pdf(), "application/pdf")],
        actor=staff.other_clerk,
        metadata=metadata(),
    )
    assert services.register(other, actor=staff.other_clerk).arrival_number == 1
    # Confidential documents have their own series.
    secret = paper(org, staff, code_number="3", confidentiality="confidential")
    assert services.register(secret, actor=staff.clerk).arrival_number == 1


def test_numbers_restart_on_the_first_of_january(
    org: Org, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "now", lambda: datetime(2026, 12, 31, 16, 0, tzinfo=TZ))
    late = services.register(paper(org, staff, code_number="1"), actor=staff.clerk)
    monkeypatch.setattr(common, "now", lambda: datetime(2027, 1, 4, 8, 0, tzinfo=TZ))
    early = services.register(paper(org, staff, code_number="2"), actor=staff.clerk)
    assert late.register is not None and early.register is not None
    assert (late.register.year, late.arrival_number) == (2026, 1)
    assert (early.register.year, early.arrival_number) == (2027, 1)


def test_a_likely_duplicate_is_a_warning_until_the_clerk_confirms(org: Org, staff: Staff) -> None:
    original = services.register(paper(org, staff), actor=staff.clerk)
    again = paper(org, staff, issuing_agency_name="ubnd tỉnh kiên giang")
    with pytest.raises(LikelyDuplicate) as warned:
        services.register(again, actor=staff.clerk)
    assert warned.value.duplicates == [original]
    assert warned.value.extra()["duplicates"][0]["arrival_number"] == 1
    again.refresh_from_db()
    assert again.status == IncomingStatus.RECEIVED and again.arrival_number is None
    confirmed = services.register(again, actor=staff.clerk, confirm_duplicate=True)
    assert confirmed.arrival_number == 2 and confirmed.duplicate_of == original
    assert confirmed.events.filter(action="registered").get().note


def test_the_same_document_id_is_a_duplicate_too(org: Org, staff: Staff) -> None:
    doc_id = "000.00.00.H33,2026/11/27,176/KH-UBND"
    services.register(paper(org, staff, document_id=doc_id), actor=staff.clerk)
    other = paper(org, staff, code_number="999", document_id=doc_id)
    with pytest.raises(LikelyDuplicate):
        services.register(other, actor=staff.clerk)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("van-ban.pdf", b"MZ\x90\x00\x03 a windows program", "Windows"),
        ("van-ban.pdf", b"", "empty"),
        ("anh.png", b"\x89PNG\r\n\x1a\n not really", "cannot be opened"),
    ],
)
def test_a_file_that_is_not_a_document_is_refused_with_its_reason(
    org: Org, staff: Staff, name: str, content: bytes, says: str
) -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(NotADocument) as refused:
        services.receive_scan(agency=org.dept, files=[(name, content, "")], actor=staff.clerk)
    assert says in refused.value.message
    assert not IncomingDocument.objects.exists()


def test_a_tiny_image_is_not_a_scan(org: Org, staff: Staff) -> None:
    with pytest.raises(NotADocument):
        services.receive_scan(
            agency=org.dept,
            files=[("a.png", scan_png(size=(120, 80)), "image/png")],
            actor=staff.clerk,
            recognise_now=False,
        )


def test_only_the_agencys_clerk_receives_and_registers(org: Org, staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        services.receive_scan(
            agency=org.dept,
            files=[("a.pdf", text_pdf(), "application/pdf")],
            actor=staff.other_clerk,
        )
    document = paper(org, staff)
    for outsider in (staff.other_clerk, staff.specialist, staff.leader):
        with pytest.raises(PermissionDenied):
            services.register(document, actor=outsider)


def test_a_stale_edit_is_refused_and_loses_nothing(org: Org, staff: Staff) -> None:
    document = paper(org, staff)
    opened_in_two_tabs = document.version
    services.update_metadata(
        document,
        actor=staff.clerk,
        metadata=metadata(subject="Sửa ở tab thứ nhất"),
        expected_version=opened_in_two_tabs,
    )
    with pytest.raises(StaleDocument):
        services.update_metadata(
            document,
            actor=staff.clerk,
            metadata=metadata(subject="Sửa ở tab thứ hai"),
            expected_version=opened_in_two_tabs,
        )
    document.refresh_from_db()
    assert document.subject == "Sửa ở tab thứ nhất"


def test_required_fields_and_urgent_presentation(org: Org, staff: Staff) -> None:
    with pytest.raises(ValidationError) as missing:
        services.register(paper(org, staff, subject=""), actor=staff.clerk)
    assert "subject" in missing.value.message_dict
    urgent = paper(org, staff, urgency="flash", code_number="77")
    with pytest.raises(ValidationError) as no_leader:
        services.register(urgent, actor=staff.clerk)
    assert "present_to" in no_leader.value.message_dict
    done = services.register(urgent, actor=staff.clerk, present_to=staff.leader)
    assert done.status == IncomingStatus.PRESENTED
    assert done.present_due_at == done.registered_at
    with pytest.raises(ValidationError):
        services.register(
            paper(org, staff, code_number="78"), actor=staff.clerk, present_to=staff.specialist
        )


def test_presentation_is_due_by_the_next_working_day(
    org: Org, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Friday 4 December 2026: next working day is Monday 7 December.
    monkeypatch.setattr(common, "now", lambda: datetime(2026, 12, 4, 15, 0, tzinfo=TZ))
    document = services.register(paper(org, staff), actor=staff.clerk)
    assert document.present_due_at is not None
    assert document.present_due_at.astimezone(TZ).date().isoformat() == "2026-12-07"


def test_return_to_sender_only_before_registration(org: Org, staff: Staff) -> None:
    document = paper(org, staff)
    returned = services.return_to_sender(document, actor=staff.clerk, reason="Gửi nhầm cơ quan")
    assert returned.status == IncomingStatus.RETURNED
    registered = services.register(paper(org, staff, code_number="5"), actor=staff.clerk)
    with pytest.raises(WrongState):
        services.return_to_sender(registered, actor=staff.clerk, reason="x")


def test_every_act_is_audited(org: Org, staff: Staff) -> None:
    document = services.register(paper(org, staff), actor=staff.clerk)
    actions = set(
        AuditEntry.objects.filter(object_id=str(document.pk)).values_list("action", flat=True)
    )
    assert {"documents.receive_scan", "documents.register"} <= actions
    assert audit.verify_chain().ok
    assert document.ocr_status in (OcrStatus.DONE, OcrStatus.FAILED)
