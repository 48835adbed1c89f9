"""The documents' notice mechanism: a returned assignment reaches the leader and the
one who handed it out; other apps add notices only through ``notify_people``."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from egov.documents import selectors, services
from egov.documents.models import AssignmentStatus, Notice, NoticeKind
from egov.documents.services import common
from egov.documents.tests.factories import Org, Staff
from egov.documents.tests.test_handling import registered

pytestmark = pytest.mark.django_db


def test_a_return_reaches_the_leader_and_the_head_who_handed_it_out(org: Org, staff: Staff) -> None:
    document = services.assign(registered(org, staff), actor=staff.leader, lead_unit=org.dept_legal)
    lead = document.assignments.get(status=AssignmentStatus.ACTIVE)
    assert selectors.unread_notice_count(staff.head) == 1  # assigned to the head's unit
    handed = services.hand_out(lead, person=staff.specialist, actor=staff.head)
    assert [n.kind for n in selectors.notices_for(staff.specialist)] == [NoticeKind.ASSIGNED]

    services.return_assignment(handed, actor=staff.specialist, reason="Không đúng chuyên môn")
    returned = Notice.objects.filter(kind=NoticeKind.RETURNED)
    assert sorted(n.recipient_id for n in returned) == sorted([staff.leader.pk, staff.head.pk])
    assert all("Không đúng chuyên môn" in n.text for n in returned)
    assert all(n.link.endswith(f"{document.uuid}/") for n in returned)
    assert not returned.filter(recipient=staff.specialist).exists()


def test_other_apps_add_notices_only_of_their_kinds_with_a_page(org: Org, staff: Staff) -> None:
    made = services.notify_people(
        [staff.head, staff.head, None], kind="to_approve", text="Dự thảo chờ duyệt", url="/x/"
    )
    assert made == 1
    [notice] = selectors.notices_for(staff.head)
    assert (notice.document, notice.link) == (None, "/x/")
    with pytest.raises(ValueError):
        services.notify_people([staff.head], kind="assigned", text="x", url="/x/")
    with pytest.raises(ValueError):
        services.notify_people([staff.head], kind="sent_back", text="x", url="https://evil/")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(
            recipient=staff.head, kind="sent_back", text="x", created_at=common.now()
        )
    assert selectors.unread_notice_count(staff.head) == 1


def test_the_api_lists_my_notices_and_marks_them_read(org: Org, staff: Staff) -> None:
    import json

    from django.test import Client

    from egov.accounts.tests.helpers import sign_in_verified

    services.notify_people([staff.head], kind="to_approve", text="Dự thảo 1", url="/a/")
    services.notify_people([staff.head], kind="sent_back", text="Dự thảo 2", url="/b/")
    services.notify_people(
        [staff.outsider], kind="to_approve", text="Không phải của bạn", url="/c/"
    )
    theirs = Notice.objects.get(recipient=staff.outsider)
    client = Client()
    sign_in_verified(client, staff.head)
    listed = client.get("/api/v1/documents/notices").json()
    assert listed["count"] == 2 and listed["unread"] == 2
    assert {row["text"] for row in listed["results"]} == {"Dự thảo 1", "Dự thảo 2"}
    first = next(row for row in listed["results"] if row["text"] == "Dự thảo 1")
    assert first["kind"] == "to_approve" and first["url"] == "/a/" and first["read_at"] is None
    assert first["kind_label"] == "Một dự thảo văn bản đi chờ anh/chị duyệt"

    # Naming someone else's notice marks nothing of theirs.
    answer = client.post(
        "/api/v1/documents/notices/read",
        json.dumps({"ids": [first["id"], theirs.pk]}),
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json() == {"marked": 1, "unread": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    unread = client.get("/api/v1/documents/notices").json()
    assert [row["text"] for row in unread["results"]] == ["Dự thảo 2"]
    everything = client.get("/api/v1/documents/notices", {"unread": "false"}).json()
    assert everything["count"] == 2 and everything["unread"] == 1
    # No ids: all unread.
    answer = client.post(
        "/api/v1/documents/notices/read", json.dumps({}), content_type="application/json"
    )
    assert answer.json() == {"marked": 1, "unread": 0}
    bad = client.post(
        "/api/v1/documents/notices/read",
        json.dumps({"ids": "all"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"]
    # Signed out: refused.
    assert Client().get("/api/v1/documents/notices").status_code in (401, 403)
