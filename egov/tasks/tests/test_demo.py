"""The demo tasks and plan load on the demo tree, once, and give every demo staff
account of the office and the departments something waiting."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.dashboards.demo import load_demo_plan
from egov.dashboards.models import Project, Target
from egov.tasks import selectors
from egov.tasks.demo import load_demo_tasks
from egov.tasks.models import ExtensionRequest, Task, TaskStatus

pytestmark = pytest.mark.django_db


def test_demo_tasks_and_plan() -> None:
    call_command("load_demo_units", stdout=io.StringIO())
    accounts_demo.load_demo_accounts()
    assert "6 tasks" in load_demo_tasks()
    assert load_demo_tasks() == "already loaded"
    assert Task.objects.filter(status=TaskStatus.DONE).count() == 1
    assert Task.objects.filter(status=TaskStatus.REPORTED).count() == 1
    assert ExtensionRequest.objects.filter(status="pending").count() == 1
    for username in ("lanhdao.vpubnd", "vanthu.vpubnd", "lanhdao.stp", "quantri.stttt"):
        count = selectors.waiting_count(User.objects.get(username=username))
        assert count, username
    assert "17 targets, 31 projects, 3 reports" in load_demo_plan()
    assert Target.objects.count() == 17 and Project.objects.count() == 31
    load_demo_plan()
    assert Target.objects.filter(reports__isnull=False).distinct().count() == 3
    # The centre's clerk also works at the desks of the departments seated there.
    clerk = User.objects.get(username="motcua.tinh")
    assert clerk.role_assignments.filter(revoked_at__isnull=True).count() == 3
