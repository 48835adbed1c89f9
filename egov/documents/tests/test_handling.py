"""Direction and handling: processing sheet, assignment down to the person,
reassignment, return, progress, the answer, resolution, deadlines and notices."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.documents import access, jobs, selectors, services
from egov.documents.contract import ReceiptStatusCode
from egov.documents.errors import WrongState
from egov.documents.models import (
    AssignmentRole,
    AssignmentStatus,
    IncomingDocument,
    IncomingStatus,
    Notice,
    NoticeKind,
)
from egov.documents.services import common
from egov.documents.tests.factories import Org, Staff, metadata, text_pdf

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def registered(org: Org, staff: Staff, ref: str = "r-1", **kw: object) -> IncomingDocument:
    document = services.deliver_from_platform(
        sender_agency=org.other,
        recipient_agency=org.dept,
        metadata=metadata(issuing_agency_name="Sở Tài chính", **kw),
        files=[("a.pdf", text_pdf(), "application/pdf")],
        source_ref=ref,
        actor=staff.other_clerk,
    )
    return services.register(document, actor=staff.clerk, present_to=staff.leader)


def test_the_leader_directs_the_head_hands_out_the_specialist_resolves(
    org: Org, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
    monkeypatch.setattr(common, "now", lambda: monday)
    document = registered(org, staff)
    assert list(selectors.to_direct(staff.leader)) == [document]
    document = services.assign(
        document,
        actor=staff.leader,
        lead_unit=org.dept_legal,
        cooperating_units=[org.dept_office],
        deadline_days=5,
        opinion="Giao phòng XDKT chủ trì",
    )
    assert document.status == IncomingStatus.ASSIGNED
    assert document.due_at is not None
    assert document.due_at.astimezone(TZ).date().isoformat() == "2026-12-14"
    assert document.sheet.lead_unit == org.dept_legal
    assert list(document.sheet.cooperating_units.all()) == [org.dept_office]
    lead = document.assignments.get(role=AssignmentRole.LEAD, status=AssignmentStatus.ACTIVE)
    assert Notice.objects.filter(recipient=staff.head, kind=NoticeKind.ASSIGNED).exists()
    assert list(selectors.assigned_to(staff.head)) == [document]
    assert list(selectors.assigned_to(staff.specialist)) == []
    assert not access.may_see(staff.specialist, document)

    handed = services.hand_out(lead, person=staff.specialist, actor=staff.head)
    assert handed.assignee == staff.specialist
    assert list(selectors.assigned_to(staff.specialist)) == [document]
    assert access.may_see(staff.specialist, document)
    with pytest.raises(PermissionDenied):
        services.hand_out(handed, person=staff.head, actor=staff.specialist)

    services.add_progress_note(document, actor=staff.specialist, text="Đã dự thảo văn bản trả lời")
    document.refresh_from_db()
    assert document.status == IncomingStatus.PROCESSING
    [receipt] = selectors.platform_receipts("r-1")
    assert receipt.status is ReceiptStatusCode.PROCESSING
    services.link_answer(
        document, actor=staff.specialist, reference="outgoing:42", notation="15/STP-XDKT"
    )
    services.resolve(document, actor=staff.specialist, resolution="Đã trả lời")
    document.refresh_from_db()
    assert document.status == IncomingStatus.DONE
    assert not document.assignments.filter(status=AssignmentStatus.ACTIVE).exists()
    [receipt] = selectors.platform_receipts("r-1")
    assert receipt.status is ReceiptStatusCode.DONE and receipt.note == "15/STP-XDKT"
    actions = list(document.events.values_list("action", flat=True))
    assert actions == [
        "delivered",
        "registered",
        "presented",
        "assigned",
        "handed_out",
        "progress",
        "answer_linked",
        "resolved",
    ]


def test_only_leaders_direct_and_only_to_units_of_the_agency(org: Org, staff: Staff) -> None:
    document = registered(org, staff)
    with pytest.raises(PermissionDenied):
        services.assign(document, actor=staff.clerk, lead_unit=org.dept_legal)
    with pytest.raises(ValidationError):
        services.assign(document, actor=staff.leader, lead_unit=org.other)
    with pytest.raises(ValidationError):
        services.assign(document, actor=staff.leader, lead_unit=org.dept_legal, deadline_days=0)
    with pytest.raises(ValidationError):
        services.assign(
            document, actor=staff.leader, lead_unit=org.dept_legal, lead_person=staff.outsider
        )


def test_return_goes_back_to_the_leader_and_reassign_moves_it(org: Org, staff: Staff) -> None:
    document = services.assign(
        registered(org, staff),
        actor=staff.leader,
        lead_unit=org.dept_office,
        lead_person=staff.office_specialist,
    )
    lead = document.assignments.get(status=AssignmentStatus.ACTIVE)
    with pytest.raises(PermissionDenied):
        services.return_assignment(lead, actor=staff.specialist, reason="x")
    returned = services.return_assignment(
        lead, actor=staff.office_specialist, reason="Không thuộc chức năng của Văn phòng"
    )
    assert returned.status == AssignmentStatus.RETURNED
    document.refresh_from_db()
    assert document.status == IncomingStatus.PRESENTED
    assert Notice.objects.filter(recipient=staff.leader, kind=NoticeKind.RETURNED).exists()
    with pytest.raises(WrongState):
        services.return_assignment(lead, actor=staff.office_specialist, reason="again")

    document = services.assign(document, actor=staff.leader, lead_unit=org.dept_office)
    lead = document.assignments.get(status=AssignmentStatus.ACTIVE)
    moved = services.reassign(
        lead,
        actor=staff.leader,
        unit=org.dept_legal,
        person=staff.specialist,
        note="Chuyển phòng XDKT",
    )
    assert (moved.unit, moved.assignee, moved.role) == (
        org.dept_legal,
        staff.specialist,
        AssignmentRole.LEAD,
    )
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.REASSIGNED


def test_confidential_documents_only_to_named_people(org: Org, staff: Staff) -> None:
    document = services.receive_scan(
        agency=org.dept,
        files=[("a.pdf", text_pdf(), "application/pdf")],
        actor=staff.clerk,
        metadata=metadata(confidentiality="secret"),
    )
    document = services.register(document, actor=staff.clerk)
    assert access.may_see(staff.clerk, document)
    assert not access.may_see(staff.leader, document)  # not presented yet: not named
    with pytest.raises(PermissionDenied):
        services.assign(document, actor=staff.leader, lead_unit=org.dept_legal)
    services.present(document, leader=staff.leader, actor=staff.clerk)
    assert access.may_see(staff.leader, document)
    services.assign(
        document, actor=staff.leader, lead_unit=org.dept_legal, lead_person=staff.specialist
    )
    assert access.may_see(staff.specialist, document)
    assert not access.may_see(staff.head, document)
    services.name_reader(document, actor=staff.leader, person=staff.head)
    assert access.may_see(staff.head, document)
    assert not access.may_see(staff.other_clerk, document)


def test_due_soon_overdue_and_their_notices_once(
    org: Org, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
    monkeypatch.setattr(common, "now", lambda: monday)
    document = services.assign(
        registered(org, staff),
        actor=staff.leader,
        lead_unit=org.dept_legal,
        lead_person=staff.specialist,
        deadline_days=2,
    )
    mine = selectors.assigned_to(staff.specialist)
    assert list(selectors.due_soon(mine, monday)) == [document]
    assert list(selectors.overdue(mine, monday)) == []
    assert jobs.send_deadline_notices() == 1
    assert jobs.send_deadline_notices() == 0
    later = monday + timedelta(days=3)
    monkeypatch.setattr(common, "now", lambda: later)
    assert list(selectors.overdue(mine, later)) == [document]
    assert jobs.send_deadline_notices() == 2  # the specialist and the leader
    kinds = set(Notice.objects.filter(document=document).values_list("kind", flat=True))
    assert {NoticeKind.DUE_SOON, NoticeKind.OVERDUE} <= kinds


def test_a_recalled_document_is_no_longer_handled(org: Org, staff: Staff) -> None:
    document = services.assign(
        registered(org, staff),
        actor=staff.leader,
        lead_unit=org.dept_legal,
        lead_person=staff.specialist,
    )
    services.withdraw_from_platform(
        source_ref="r-1", recipient_agency=org.dept, reason="Thu hồi", actor=staff.other_clerk
    )
    assert Notice.objects.filter(recipient=staff.specialist, kind=NoticeKind.RECALLED).exists()
    with pytest.raises(WrongState):
        services.add_progress_note(document, actor=staff.specialist, text="tiếp tục")
