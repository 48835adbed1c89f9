"""The demo year of incoming documents, against the real demo organisation tree."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.documents import selectors
from egov.documents.demo import load_demo_documents
from egov.documents.models import IncomingDocument, IncomingStatus

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_through_the_services() -> None:
    call_command("load_demo_units", stdout=io.StringIO())
    accounts_demo.load_demo_accounts()
    said = load_demo_documents(every_hours=120, days=40)
    assert "incoming documents" in said
    office = accounts_demo.provincial_office()
    docs = IncomingDocument.objects.filter(recipient_agency=office)
    assert docs.filter(status=IncomingStatus.DONE).exists()
    assert docs.filter(status=IncomingStatus.RECEIVED).exists()
    for register in {d.register for d in docs if d.register is not None}:
        numbers = sorted(
            n for n in docs.filter(register=register).values_list("arrival_number", flat=True) if n
        )
        assert numbers == list(range(1, len(numbers) + 1))
    assert load_demo_documents() == "incoming documents already loaded"
    clerk = User.objects.get(username="vanthu.vpubnd")
    assert selectors.queue_for(clerk).exists()
    assert selectors.search(clerk, "kien giang").exists()
