"""Worklists and deadline reads (dossiers.selectors), against dossiers moved by the
services so the queues show what their owner can act on."""

from __future__ import annotations

import pytest

from egov.accounts.models import User
from egov.dossiers import selectors, services
from egov.dossiers.models import Dossier, Status
from egov.dossiers.selectors import QueueFilters
from egov.dossiers.tests.factories import World, at, build_world, dossier_in_status, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def codes(user: User, kind: str, **filters: object) -> set[str]:
    found = selectors.queue_for(user, kind, QueueFilters(**filters), now=at("2026-03-04", "09:00"))  # type: ignore[arg-type]
    return {dossier.code for dossier in found}


def test_each_person_sees_what_they_can_move(world: World) -> None:
    staff = world.staff
    at_desk = receive(world, received_at=at("2026-03-02", "08:00"))
    at_specialist = receive(world, received_at=at("2026-03-02", "08:05"))
    services.forward(staff.clerk, at_specialist, expected_version=1)
    at_head = receive(world, received_at=at("2026-03-02", "08:10"))
    services.forward(staff.clerk, at_head, expected_version=1)
    services.forward(staff.specialist, at_head, expected_version=2)
    at_leader = receive(world, received_at=at("2026-03-02", "08:15"))
    services.forward(staff.clerk, at_leader, expected_version=1)
    services.forward(staff.specialist, at_leader, expected_version=2)
    services.forward(staff.head, at_leader, expected_version=3)
    ready = dossier_in_status(world, Status.RESULT_READY)
    online = services.submit_online(
        staff.citizen,
        version=world.version,
        agency=world.org.district,
        papers=[
            services.PaperIn(required_paper=p.pk, copies=p.copies)
            for p in world.papers
            if not p.is_optional
        ],
    )

    # Received at the desk, the dossier left "to receive": the desk hands it over
    # from its own step of the process.
    assert codes(staff.clerk, "receive") == {online.code}
    assert codes(staff.clerk, "return") == {ready.code}
    assert codes(staff.clerk, "process") == {at_desk.code}
    assert codes(staff.specialist, "process") == {at_specialist.code}
    assert codes(staff.specialist, "approve") == set()
    # The head reviews (process + approve) and may take over the specialist's step.
    assert codes(staff.head, "process") == {at_specialist.code, at_head.code}
    assert codes(staff.head, "approve") == {at_head.code}
    # The leader approves at the district, not the head's review.
    assert codes(staff.leader, "approve") == {at_leader.code}
    assert codes(staff.outsider, "receive") == set()
    assert codes(staff.outsider, "process") == set()
    with pytest.raises(ValueError):
        codes(staff.clerk, "everything")


def test_consulted_agency_sees_the_dossier_to_process(world: World) -> None:
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1)
    services.consult_agency(
        world.staff.specialist,
        dossier,
        expected_version=2,
        other_agency=world.org.commune,
        note="Xác minh",
    )
    assert codes(world.staff.commune_officer, "process") == {dossier.code}
    assert codes(world.staff.specialist, "process") == set()


def test_flags_and_filters(world: World) -> None:
    now = at("2026-03-06", "16:00")
    # Due Monday 9 March 08:00: 1.5 working hours away on Friday at 16:00.
    soon = dossier_in_status(world, Status.PROCESSING)
    late = dossier_in_status(
        world, Status.PROCESSING, due_at=at("2026-03-05", "08:00"), applicant_name="Trần Văn B"
    )
    later = dossier_in_status(world, Status.PROCESSING, due_at=at("2026-03-20", "08:00"))
    paused_late = dossier_in_status(world, Status.SUPPLEMENT_REQUESTED, remaining_seconds=-3600)
    paused = dossier_in_status(world, Status.AWAITING_PAYMENT, due_at=at("2026-03-01", "08:00"))
    done = dossier_in_status(world, Status.RESULT_READY, due_at=at("2026-03-01", "08:00"))
    units = [world.org.justice, world.org.desk]

    assert {d.code for d in selectors.overdue(units, now)} == {late.code}
    assert {d.code for d in selectors.due_soon(units, now=now)} == {soon.code}
    assert {d.code for d in selectors.due_soon(units, 70, now=now)} == {soon.code, later.code}
    flagged = {
        d.code: (d.is_overdue, d.is_due_soon)  # type: ignore[attr-defined]
        for d in selectors.with_flags(Dossier.objects.all(), now)
    }
    assert flagged[soon.code] == (False, True)
    assert flagged[late.code] == (True, False)
    assert flagged[later.code] == (False, False)
    assert flagged[paused_late.code] == (True, False)
    assert flagged[paused.code] == (False, False)
    assert flagged[done.code] == (False, False)
    for dossier in (soon, late, later, paused_late, paused, done):
        assert selectors.flags(dossier, now) == flagged[dossier.code]

    specialist = world.staff.specialist
    queue = selectors.queue_for(specialist, "process", QueueFilters(overdue=True), now=now)
    assert [d.code for d in queue] == [late.code]
    queue = selectors.queue_for(specialist, "process", QueueFilters(due_soon=True), now=now)
    assert [d.code for d in queue] == [soon.code]
    everything = selectors.queue_for(specialist, "process", now=now)
    assert [d.code for d in everything] == [late.code, soon.code, later.code]
    named = selectors.queue_for(specialist, "process", QueueFilters(search="trần"), now=now)
    assert [d.code for d in named] == [late.code]
    by_code = selectors.queue_for(specialist, "process", QueueFilters(procedure="1.001193"))
    assert by_code.count() == 3
    assert not selectors.queue_for(specialist, "process", QueueFilters(procedure="9.9")).exists()


def test_dossier_detail_prefetches_the_history(
    world: World, django_assert_max_num_queries: object
) -> None:
    dossier = receive(world)
    services.forward(world.staff.clerk, dossier, expected_version=1, to_user=world.staff.specialist)
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        detail = selectors.dossier_detail(dossier.code)
        events = [(e.action, e.actor, e.to_user, e.to_unit) for e in detail.events.all()]
        papers = [p.name for p in detail.papers.all()]
        assert detail.procedure_version.procedure.national_code == "1.001193"
    assert [e[0] for e in events] == ["receive", "forward"]
    assert events[1][2] == world.staff.specialist
    assert len(papers) == 3
    with pytest.raises(Dossier.DoesNotExist):
        selectors.dossier_detail("000.00.33.H33-000000-0000")


def test_visibility(world: World) -> None:
    dossier = receive(world)
    for user in (world.staff.clerk, world.staff.leader):
        assert selectors.can_view(user, dossier)
        assert selectors.visible_dossiers(user).filter(pk=dossier.pk).exists()
    # Phòng Tư pháp sees it once it is there; another district never.
    for user in (world.staff.head, world.staff.outsider):
        assert not selectors.can_view(user, dossier)
        assert not selectors.visible_dossiers(user).exists()
    services.forward(world.staff.clerk, dossier, expected_version=1)
    assert selectors.can_view(world.staff.head, dossier)
    services.consult_agency(
        world.staff.specialist,
        dossier,
        expected_version=2,
        other_agency=world.org.commune,
        note="x",
    )
    services.answer_consultation(world.staff.commune_officer, dossier, expected_version=3, note="y")
    # The commune handled a step: it keeps seeing the dossier.
    assert selectors.can_view(world.staff.commune_officer, dossier)
