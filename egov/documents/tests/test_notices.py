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
