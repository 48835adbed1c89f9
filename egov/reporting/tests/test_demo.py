"""The demo reports, against the real demo organisation tree and accounts."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.reporting import selectors
from egov.reporting.demo import load_demo_reports
from egov.reporting.models import Report, Status

pytestmark = pytest.mark.django_db


def test_the_demo_files_reports_once_and_the_leader_sees_one_to_approve() -> None:
    call_command("load_demo_units", stdout=io.StringIO())
    accounts_demo.load_demo_accounts()
    assert load_demo_reports().startswith("2 report(s)")
    assert load_demo_reports().startswith("0 report(s)")
    statuses = sorted(Report.objects.values_list("status", flat=True))
    assert statuses == sorted([Status.APPROVED, Status.SUBMITTED])
    leader = User.objects.get(username="lanhdao.rachgia")
    assert [d.action for d in selectors.reports_due_for(leader)].count("approve") == 1
