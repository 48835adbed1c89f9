"""Fixtures of the task tests: the documents side's organisation (Sở Tư pháp with
its divisions, Sở Tài chính) and its staff; Sở Tư pháp's leader assigns tasks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, Staff, build_org, build_staff
from egov.outgoing.chains import ensure_default_chain
from egov.tasks import services
from egov.tasks.models import Task


@pytest.fixture
def org(db: None) -> Org:
    ensure_document_types()
    ensure_default_chain()
    return build_org()


@pytest.fixture
def staff(org: Org) -> Staff:
    return build_staff(org)


def make_task(org: Org, staff: Staff, *, days: int = 5, **kw: object) -> Task:
    data = services.TaskIn(
        text=str(kw.pop("text", "Rà soát văn bản quy phạm pháp luật của huyện")),
        office=org.dept,
        lead_unit=kw.pop("lead_unit", org.dept_legal),  # type: ignore[arg-type]
        assigned_by=staff.leader,
        working_days=kw.pop("working_days", days),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )
    return services.assign(staff.leader, data)


def backdate(task: Task, *, assigned: int, due: int) -> Task:
    """Move a task into the past (tests of overdue and late)."""
    today = date.today()
    Task.objects.filter(pk=task.pk).update(
        assigned_on=today - timedelta(days=assigned),
        due_date=today - timedelta(days=due),
        original_due_date=today - timedelta(days=due),
    )
    task.refresh_from_db()
    return task
