"""``waiting_for`` answers in three queries (roles for visibility, roles for the
steps, the documents) whatever the number of documents, and
agrees with the step-by-step check of the chain."""

from __future__ import annotations

from typing import Any

import pytest

from egov.documents.tests.factories import Org, Staff
from egov.outgoing import chains, selectors, services
from egov.outgoing.models import OutgoingDocument
from egov.outgoing.tests.factories import make_draft

pytestmark = pytest.mark.django_db


def test_waiting_for_is_three_queries_and_matches_the_chain(
    org: Org, staff: Staff, django_assert_max_num_queries: Any
) -> None:
    for index in range(6):
        document = make_draft(org, staff, subject=f"Văn bản số {index}")
        document = services.submit(
            staff.specialist, document, expected_version=document.lock_version
        )
        if index % 2:  # half of them move on to the director's step
            services.approve(staff.head, document, expected_version=document.lock_version)
    people = [staff.head, staff.leader, staff.specialist, staff.clerk, staff.outsider]
    for person in people:
        with django_assert_max_num_queries(3):
            found = selectors.waiting_for(person)
        expected = [
            d
            for d in OutgoingDocument.objects.filter(status="in_review").order_by("updated_at")
            if chains.may_act_at(person, chains.current_step(d), d)  # type: ignore[arg-type]
            and d in selectors.access.visible_documents(person)
        ]
        assert [d.pk for d in found] == [d.pk for d in expected], person.username
    assert len(selectors.waiting_for(staff.head)) == 3
    assert len(selectors.waiting_for(staff.leader)) == 3
