"""The task's life through the services: assigning (from a document, a meeting or the
office), progress, extension, completion and confirmation; refusals; who may act."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from egov.core.models import AuditEntry
from egov.core.workcalendar import get_calendar
from egov.documents.tests.factories import Org, Staff
from egov.tasks import access, selectors, services
from egov.tasks.errors import DocumentNotFound, ExtensionPending, InvalidInput, WrongState
from egov.tasks.models import (
    ExtensionStatus,
    NoticeKind,
    Source,
    Task,
    TaskNotice,
    TaskStatus,
)
from egov.tasks.tests.conftest import backdate, make_task
from egov.workfiles.tests.factories import incoming_doc

pytestmark = pytest.mark.django_db


def test_assign_from_a_document_sets_the_deadline_in_working_days(org: Org, staff: Staff) -> None:
    document = incoming_doc(org, staff)
    task = make_task(
        org,
        staff,
        source=Source.INCOMING,
        document_id=document.pk,
        cooperating_units=[org.dept_office],
        working_days=7,
    )
    assert task.reference.startswith("GV-")
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.due_date == get_calendar().nth_working_day_after(task.assigned_on, 7)
    assert task.due_date == task.original_due_date
    assert list(task.cooperating_units.all()) == [org.dept_office]
    # The lead unit's and the cooperating unit's people are told; the leader is not.
    told = set(TaskNotice.objects.filter(task=task).values_list("recipient__username", flat=True))
    assert {"tp.xdkt", "cv.xdkt", "cv.vp"} <= told
    assert "gd.stp" not in told
    assert AuditEntry.objects.filter(action="tasks.assigned", object_id=str(task.pk)).exists()


def test_a_document_the_assigner_may_not_see_is_refused(org: Org, staff: Staff) -> None:
    with pytest.raises(DocumentNotFound):
        make_task(org, staff, source=Source.INCOMING, document_id=999_999)
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"text": "   "}, "text"),
        ({"source": Source.MEETING}, "meeting"),
        ({"working_days": 0}, "working_days"),
        ({"working_days": None}, "due_date"),
    ],
)
def test_bad_input_is_refused_with_the_field(
    org: Org, staff: Staff, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_task(org, staff, **kw)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert not Task.objects.exists()


def test_a_deadline_in_the_past_and_the_lead_unit_as_cooperator_are_refused(
    org: Org, staff: Staff
) -> None:
    with pytest.raises(InvalidInput):
        make_task(org, staff, working_days=None, due_date=services.today() - timedelta(days=1))
    with pytest.raises(InvalidInput):
        make_task(org, staff, cooperating_units=[org.dept_legal])


def test_only_leaders_and_the_office_assign(org: Org, staff: Staff) -> None:
    data = services.TaskIn(
        text="Việc",
        office=org.dept,
        lead_unit=org.dept_legal,
        assigned_by=staff.leader,
        working_days=3,
    )
    with pytest.raises(PermissionDenied):
        services.assign(staff.specialist, data)
    # The records clerk enters it on the leader's behalf.
    task = services.assign(staff.clerk, data)
    assert task.assigned_by == staff.leader and task.entered_by == staff.clerk
    # The assigning person must be a leader.
    data.assigned_by = staff.specialist
    with pytest.raises(InvalidInput):
        services.assign(staff.clerk, data)


def test_the_whole_life_with_an_extension(org: Org, staff: Staff) -> None:
    task = make_task(org, staff, days=3)
    services.report_progress(staff.specialist, task.pk, progress=30, note="Đã dự thảo")
    new_due = task.due_date + timedelta(days=10)
    request = services.request_extension(
        staff.head, task.pk, new_due_date=new_due, reason="Chờ ý kiến huyện"
    )
    # The assigner and the office's clerk are told.
    assert TaskNotice.objects.filter(
        task=task, kind=NoticeKind.EXTENSION, recipient=staff.leader
    ).exists()
    with pytest.raises(ExtensionPending):
        services.request_extension(staff.head, task.pk, new_due_date=new_due, reason="Lần hai")
    with pytest.raises(PermissionDenied):
        services.decide_extension(staff.specialist, request.pk, approve=True)
    services.decide_extension(staff.leader, request.pk, approve=True, note="Đồng ý")
    task.refresh_from_db()
    assert task.due_date == new_due and task.original_due_date < new_due
    with pytest.raises(WrongState):
        services.decide_extension(staff.clerk, request.pk, approve=False)

    services.report_completion(staff.head, task.pk, note="Đã ban hành văn bản trả lời")
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED and task.progress == 100
    with pytest.raises(WrongState):
        services.report_progress(staff.head, task.pk, progress=50, note="muộn")
    services.confirm_completion(staff.clerk, task.pk, accept=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and not task.finished_late
    actions = list(task.events.values_list("action", flat=True))
    assert actions == [
        "assigned",
        "progress",
        "extension_requested",
        "extension_approved",
        "completion_reported",
        "confirmed",
    ]


def test_refused_extension_keeps_the_deadline(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    request = services.request_extension(
        staff.head, task.pk, new_due_date=task.due_date + timedelta(days=3), reason="Lý do"
    )
    services.decide_extension(staff.leader, request.pk, approve=False, note="Không đồng ý")
    task.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ExtensionStatus.REFUSED
    assert task.due_date == task.original_due_date


def test_an_extension_must_move_the_deadline_later(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    with pytest.raises(InvalidInput):
        services.request_extension(staff.head, task.pk, new_due_date=task.due_date, reason="x")


def test_sending_back_reopens_the_task(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    services.report_completion(staff.head, task.pk, note="Xong")
    with pytest.raises(InvalidInput):
        services.confirm_completion(staff.leader, task.pk, accept=False, note="")
    services.confirm_completion(staff.leader, task.pk, accept=False, note="Thiếu số liệu")
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.completion_reported_on is None


def test_outsiders_neither_act_nor_see(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    with pytest.raises(PermissionDenied):
        services.report_progress(staff.outsider, task.pk, progress=10, note="x")
    assert not access.may_see(staff.outsider, task)
    assert access.may_see(staff.office_specialist, task) is False
    assert access.may_see(staff.specialist, task)
    # A cooperating unit sees it.
    coop = make_task(org, staff, cooperating_units=[org.dept_office])
    assert access.may_see(staff.office_specialist, coop)


def test_late_completion_and_counts_per_unit(org: Org, staff: Staff) -> None:
    on_time = make_task(org, staff)
    services.report_completion(staff.head, on_time.pk, note="Xong")
    services.confirm_completion(staff.leader, on_time.pk, accept=True)
    late = backdate(make_task(org, staff), assigned=20, due=5)
    services.report_completion(staff.head, late.pk, note="Xong muộn")
    services.confirm_completion(staff.leader, late.pk, accept=True)
    backdate(make_task(org, staff), assigned=10, due=2)  # overdue
    make_task(org, staff)  # in progress
    make_task(org, staff, lead_unit=org.other)
    late.refresh_from_db()
    assert late.finished_late
    rows = {row.name: row for row in selectors.counts_by_unit(org.dept)}
    legal = rows["Phòng Xây dựng và kiểm tra văn bản"]
    assert (legal.on_time, legal.late, legal.overdue, legal.in_progress) == (1, 1, 1, 1)
    assert "Sở Tài chính" not in rows  # outside the department's subtree
    by_office = {row.name: row for row in selectors.counts_for_offices([org.dept])}
    assert by_office["Sở Tài chính"].in_progress == 1
    summary = selectors.monthly_summary([org.dept], services.today().year, services.today().month)
    assert [row.leader_name for row in summary] == ["Võ Văn Em"]
    assert summary[0].assigned >= 3


def test_due_soon_and_overdue_lists_and_notices(org: Org, staff: Staff) -> None:
    overdue = backdate(make_task(org, staff), assigned=10, due=1)
    soon = make_task(org, staff, days=1)
    later = make_task(org, staff, days=20)
    mine = selectors.for_lead_units(staff.specialist)
    assert list(selectors.overdue(mine)) == [overdue]
    assert soon in selectors.due_soon(mine) and later not in selectors.due_soon(mine)
    sent = services.warn_deadlines()
    assert sent >= 2
    assert services.warn_deadlines() == 0  # once per task, person, kind and deadline
    assert TaskNotice.objects.filter(task=overdue, kind=NoticeKind.OVERDUE).exists()


def test_waiting_count_for_the_dashboard(org: Org, staff: Staff) -> None:
    task = make_task(org, staff, lead_unit=org.other)
    assert selectors.waiting_count(staff.outsider) == 1  # works in the lead unit
    assert selectors.waiting_count(staff.leader) == 0  # nothing to decide yet
    assert selectors.waiting_count(staff.specialist) == 0
    services.report_completion(staff.outsider, task.pk, note="Xong")
    assert selectors.waiting_count(staff.leader) == 1  # to confirm
    assert selectors.waiting_count(staff.clerk) == 1  # the office confirms too
    assert selectors.waiting_count(staff.outsider) == 0
