"""The demo complaints load through the services, in every state, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from egov.feedback.complaint_demo import load_demo_complaints
from egov.feedback.complaint_models import Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db


def test_demo_complaints_are_idempotent_and_in_every_state() -> None:
    call_command("load_demo_units", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    call_command("load_demo_procedures", verbosity=0)
    assert load_demo_complaints() == "7 created"
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert statuses == set(ComplaintStatus.values)
    assert Complaint.objects.filter(status=ComplaintStatus.PUBLISHED, dislikes__gt=0).exists()
    assert load_demo_complaints() == "0 created"
    assert Complaint.objects.count() == 7
    page = Client().get("/phan-anh/")
    assert page.status_code == 200 and "ghế chờ" in page.content.decode()
