"""Worklists do what they say: which tab a dossier is in (the table of
egov.dossiers.worklists, walked status by status), "most urgent first", and the
unit column shown only when the rows sit in several units."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.dossiers import selectors, services
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import (
    World,
    at,
    build_world,
    complete_papers,
    dossier_in_status,
    staff_member,
)
from egov.dossiers.worklists import KINDS, WORKLISTS, worklists_for

pytestmark = pytest.mark.django_db

NOW = at("2026-03-06", "16:00")  # a Friday afternoon
WORKLIST = "/can-bo/ho-so/"


@pytest.fixture
def world() -> World:
    return build_world()


def tabs_holding(user: Any, dossier: Dossier) -> set[str]:
    return {
        kind
        for kind in KINDS
        if selectors.queue_for(user, kind, now=NOW).filter(pk=dossier.pk).exists()
    }


def client_for(user: Any) -> Client:
    client = english_client()
    sign_in_verified(client, user)
    return client


# --- tab membership -------------------------------------------------------------------------


def test_each_status_is_in_the_tab_the_table_says(world: World) -> None:
    clerk = world.staff.clerk
    specialist = world.staff.specialist
    # (status, extra fields) → tabs of the desk clerk, tabs of the specialist.
    cases: list[tuple[Status, dict[str, Any], set[str], set[str]]] = [
        (Status.SUBMITTED, {}, {"receive"}, set()),
        # Incomplete at the desk (form 02), never received: still to receive.
        (
            Status.SUPPLEMENT_REQUESTED,
            {
                "received_at": None,
                "due_at": None,
                "paused_at": None,
                "remaining_seconds": None,
                "current_unit": world.org.desk,
                "current_role": "",
            },
            {"receive"},
            set(),
        ),
        # Accepted: at the desk's own step, to hand over. Not "to receive" any more.
        (Status.RECEIVED, {}, {"process"}, set()),
        (Status.PROCESSING, {}, set(), {"process"}),
        # Waiting for the applicant: in nobody's list of things to do now.
        (Status.SUPPLEMENT_REQUESTED, {}, set(), set()),
        (Status.AWAITING_PAYMENT, {}, set(), set()),
        (Status.RESULT_READY, {}, {"return"}, set()),
        (Status.REFUSED, {}, set(), set()),
        (Status.WITHDRAWN, {}, set(), set()),
        (Status.STOPPED, {}, set(), set()),
        (Status.RETURNED, {}, set(), set()),
    ]
    for status, fields, for_clerk, for_specialist in cases:
        dossier = dossier_in_status(world, status, **fields)
        assert tabs_holding(clerk, dossier) == for_clerk, status.label
        assert tabs_holding(specialist, dossier) == for_specialist, status.label
        assert tabs_holding(world.staff.outsider, dossier) == set(), status.label


def test_an_accepted_dossier_leaves_to_receive(world: World) -> None:
    clerk = world.staff.clerk
    online = services.submit_online(
        world.staff.citizen,
        version=world.version,
        agency=world.org.district,
        papers=complete_papers(world),
    )
    assert tabs_holding(clerk, online) == {"receive"}
    services.accept_online(clerk, online, expected_version=online.version)
    online.refresh_from_db()
    assert online.status == Status.RECEIVED
    assert tabs_holding(clerk, online) == {"process"}
    services.forward(clerk, online, expected_version=online.version)
    online.refresh_from_db()
    assert tabs_holding(clerk, online) == set()
    assert tabs_holding(world.staff.specialist, online) == {"process"}


def test_the_page_moves_an_accepted_dossier_out_of_to_receive(world: World) -> None:
    online = services.submit_online(
        world.staff.citizen,
        version=world.version,
        agency=world.org.district,
        papers=complete_papers(world),
    )
    clerk = client_for(world.staff.clerk)
    clerk.post(WORKLIST + "?tab=receive", {"action": "accept", "selected": [f"{online.code}@1"]})
    assert online.code not in clerk.get(WORKLIST, {"tab": "receive"}).content.decode()
    html = clerk.get(WORKLIST, {"tab": "process"}).content.decode()
    assert online.code in html
    assert "To receive (0)" in html and "To process (1)" in html


def test_tabs_follow_the_permissions_in_the_table(world: World) -> None:
    staff = world.staff

    def kinds(user: Any) -> list[str]:
        return [row.kind for row in worklists_for(user)]

    assert kinds(staff.clerk) == ["receive", "process", "return"]
    assert kinds(staff.specialist) == ["process"]
    assert kinds(staff.head) == ["process", "approve"]
    assert kinds(staff.leader) == ["approve"]
    assert kinds(staff.citizen) == []
    # Every tab has rules, and no tab repeats a kind.
    assert all(row.rules for row in WORKLISTS)
    assert len(KINDS) == len(set(KINDS))
    with pytest.raises(ValueError):
        selectors.queue_for(staff.clerk, "everything")


# --- most urgent first ------------------------------------------------------------------------


def test_most_urgent_first_puts_overdue_rows_first_and_undated_rows_last(world: World) -> None:
    running = Status.PROCESSING
    later = dossier_in_status(world, running, due_at=at("2026-03-20", "08:00"))
    undated = dossier_in_status(world, Status.SUBMITTED)
    soon = dossier_in_status(world, running, due_at=at("2026-03-09", "08:00"))
    # Stopped while already late: overdue although its (stale) appointment is later.
    paused_late = dossier_in_status(
        world, Status.SUPPLEMENT_REQUESTED, remaining_seconds=-3600, due_at=at("2026-03-10")
    )
    late = dossier_in_status(world, running, due_at=at("2026-03-05", "08:00"))
    latest = dossier_in_status(world, running, due_at=at("2026-03-02", "08:00"))
    ordered = selectors.most_urgent_first(Dossier.objects.all(), NOW)
    assert [d.code for d in ordered] == [
        latest.code,
        late.code,
        paused_late.code,
        soon.code,
        later.code,
        undated.code,
    ]


def test_worklist_and_api_lists_are_most_urgent_first(world: World) -> None:
    specialist = world.staff.specialist
    later = dossier_in_status(world, Status.PROCESSING, due_at=at("2026-03-20", "08:00"))
    late = dossier_in_status(world, Status.PROCESSING, due_at=at("2026-03-05", "08:00"))
    soon = dossier_in_status(world, Status.PROCESSING, due_at=at("2026-03-09", "08:00"))
    queue = selectors.queue_for(specialist, "process", now=NOW)
    assert [d.code for d in queue] == [late.code, soon.code, later.code]
    assert [d.is_overdue for d in queue] == [True, False, False]  # type: ignore[attr-defined]

    undated = dossier_in_status(world, Status.SUBMITTED)
    # Everything the leader may see (the API without a queue): no appointment last.
    body = client_for(world.staff.leader).get("/api/v1/dossiers").json()
    codes = [item["code"] for item in body["items"]]
    assert codes[0] == late.code
    assert codes[-1] == undated.code


# --- the unit column --------------------------------------------------------------------------


def test_the_unit_is_a_column_only_when_the_list_spans_several_units(world: World) -> None:
    org = world.org
    for _ in range(2):
        dossier_in_status(world, Status.RECEIVED)  # both at the desk
    clerk = client_for(world.staff.clerk)
    html = clerk.get(WORKLIST, {"tab": "process"}).content.decode()
    assert ">Where</th>" not in html
    assert f"All these dossiers are at {org.desk.name}." in html
    assert html.count(org.desk.name) == 1

    # Someone handling dossiers across a whole district sees rows in two units.
    district_wide = staff_member("cv.quan", RoleCode.SPECIALIST, org.district)
    at_justice = dossier_in_status(world, Status.PROCESSING)
    at_district = dossier_in_status(
        world, Status.PROCESSING, current_unit=org.district, current_role=RoleCode.SPECIALIST
    )
    assert {u.pk for u in selectors.holding_units(Dossier.objects.all())} <= {
        org.desk.pk,
        org.justice.pk,
        org.district.pk,
    }
    html = client_for(district_wide).get(WORKLIST, {"tab": "process"}).content.decode()
    assert at_justice.code in html and at_district.code in html
    assert ">Where</th>" in html
    assert "All these dossiers are at" not in html
    assert org.justice.name in html and org.district.name in html
