"""Notices of the approval chain: who must approve next is told, the author is told
when the draft is sent back; through the documents app's one notice mechanism, and
counted on the staff dashboard until read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.tests.helpers import sign_in_verified
from egov.core import staff_dashboard
from egov.documents import selectors as incoming_selectors
from egov.documents.tests.factories import Org, Staff
from egov.outgoing import services
from egov.outgoing.errors import StaleDocument
from egov.outgoing.tests.factories import make_draft

pytestmark = pytest.mark.django_db


def _unread(user: object) -> list[tuple[str, str, str]]:
    return [(n.kind, n.text, n.link) for n in incoming_selectors.notices_for(user)]


def _row(user: object) -> int | None:
    rows = {row.name: row for row in staff_dashboard.waiting_for(user)}
    row = rows.get("documents.unread_notices")
    return None if row is None else row.count


def test_each_step_is_told_in_turn_and_the_author_when_sent_back(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    page = reverse("outgoing:detail", args=[document.reference])
    assert _unread(staff.head) == [] and _row(staff.head) is None

    document = services.submit(staff.specialist, document, expected_version=1)
    [(kind, text, link)] = _unread(staff.head)
    assert kind == "to_approve" and link == page
    assert "Lãnh đạo phòng xem xét" in text and document.subject[:40] in text
    assert _unread(staff.leader) == []  # not their step yet
    assert _unread(staff.specialist) == []  # the actor is not told of their own act
    assert _row(staff.head) == 1

    document = services.approve(staff.head, document, expected_version=document.lock_version)
    [(kind, text, link)] = _unread(staff.leader)
    assert kind == "to_approve" and "Lãnh đạo cơ quan duyệt ký" in text and link == page

    document = services.return_draft(
        staff.leader, document, expected_version=document.lock_version, note="Bổ sung căn cứ."
    )
    [(kind, text, link)] = _unread(staff.specialist)
    assert kind == "sent_back" and "Bổ sung căn cứ." in text and link == page
    assert len(_unread(staff.head)) == 1  # nobody else was told again


def test_a_refused_approval_leaves_no_notice(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    seen = services.submit(staff.specialist, document, expected_version=1).lock_version
    services.return_draft(staff.head, document, expected_version=seen, note="Sửa lại.")
    before = len(_unread(staff.leader))
    with pytest.raises(StaleDocument):
        services.approve(staff.head, document, expected_version=seen)
    assert len(_unread(staff.leader)) == before == 0
    assert len(_unread(staff.specialist)) == 1  # only the one sent-back notice


def test_the_notice_shows_on_the_hub_links_to_the_draft_and_is_read(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    services.submit(staff.specialist, document, expected_version=1)
    client = Client()
    sign_in_verified(client, staff.head)
    home = client.get("/can-bo/").content.decode()
    assert 'data-name="documents.unread_notices"' in home
    assert "Thông báo văn bản chưa đọc" in home
    hub = client.get(reverse("documents:queue")).content.decode()
    assert f'href="{reverse("outgoing:detail", args=[document.reference])}"' in hub
    assert client.post(reverse("documents:read_notices")).status_code == 302
    assert _row(staff.head) is None
    assert 'data-name="documents.unread_notices"' not in client.get("/can-bo/").content.decode()
