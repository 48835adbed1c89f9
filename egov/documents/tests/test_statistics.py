"""Statistics per agency: received in the period, electronic share, resolved on
time or late, open past the deadline; and the page showing them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.formatting import local
from egov.documents import services
from egov.documents.models import IncomingDocument
from egov.documents.statistics import unit_statistics
from egov.documents.tests.factories import Org, Staff, metadata, text_pdf

pytestmark = pytest.mark.django_db


def _registered(org: Org, staff: Staff, index: int, *, electronic: bool) -> IncomingDocument:
    meta = metadata(code_number=str(100 + index), subject=f"Công văn số {index}")
    if electronic:
        document = services.deliver_from_platform(
            sender_agency=org.other,
            recipient_agency=org.dept,
            metadata=meta,
            files=[("a.pdf", text_pdf("Trang một"), "application/pdf")],
            source_ref=f"test:{index}",
            actor=None,
        )
    else:
        document = services.receive_scan(
            agency=org.dept,
            files=[("a.pdf", text_pdf("Trang một"), "application/pdf")],
            actor=staff.clerk,
            metadata=meta,
        )
    return services.register(document, actor=staff.clerk, confirm_duplicate=True)


def test_statistics_count_each_kind_once(org: Org, staff: Staff) -> None:
    now = timezone.now()
    docs = [_registered(org, staff, i, electronic=i < 3) for i in range(5)]
    # Timing set directly: resolved on time, resolved late, open past its deadline.
    IncomingDocument.objects.filter(pk=docs[0].pk).update(
        due_at=now + timedelta(days=1), resolved_at=now, status="done"
    )
    IncomingDocument.objects.filter(pk=docs[1].pk).update(
        due_at=now - timedelta(days=2), resolved_at=now - timedelta(days=1), status="done"
    )
    IncomingDocument.objects.filter(pk=docs[2].pk).update(due_at=now - timedelta(hours=1))
    today = local(now).date()
    dept, other = unit_statistics([org.dept, org.other], today.replace(day=1), today)
    assert (dept.received, dept.electronic, dept.on_time, dept.late, dept.overdue_open) == (
        5,
        3,
        1,
        1,
        1,
    )
    assert dept.electronic_share == pytest.approx(0.6)
    assert other.received == 0 and other.electronic_share == 0.0
    # Another period sees nothing.
    last_year = today.replace(year=today.year - 1)
    [before] = unit_statistics([org.dept], last_year, last_year)
    assert before.received == 0


def test_the_statistics_page(org: Org, staff: Staff) -> None:
    _registered(org, staff, 1, electronic=True)
    client = Client()
    sign_in_verified(client, staff.clerk)
    page = client.get(reverse("documents:statistics"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Thống kê văn bản đến theo cơ quan" in text and "(100%)" in text
    outsider = Client()
    sign_in_verified(outsider, staff.outsider)
    assert outsider.get(reverse("documents:statistics")).status_code == 403
