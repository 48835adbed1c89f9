"""The receipt's round trips: what the desk pays per dossier stays counted.

Each query below is one round trip to the database on the receipt's hot path
(the benchmark ``bench/bench_receive.py`` measures the CPU they cost). The terms
of receipt (desk, plan, due date, fee, papers) are asked of the catalogue in one
call; this test keeps that call from growing queries.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from egov.core.workcalendar import get_calendar
from egov.dossiers.models import Status
from egov.dossiers.tests.factories import at, build_world, receive

pytestmark = pytest.mark.django_db


def _warm(world: Any) -> None:
    # The first receipt fills the process-wide caches (calendar, published papers,
    # role permissions); the count is for every receipt after it.
    get_calendar()
    receive(world, received_at=at("2026-03-02", "08:00"))


# Desk + template in one read, then (with a template) its steps; the transaction:
# code sequence, dossier, papers, event, notification, the national portal's outbox
# row (one upsert, egov.quality.sync), audit head lock, audit entry, audit head
# update. SQLite adds the savepoint and its release (PostgreSQL writes the audit
# head in the same statements but counts no savepoint here).
EXPECTED = {"sqlite": {True: 13, False: 12}, "postgresql": {True: 11, False: 10}}


@pytest.mark.parametrize("template", [True, False], ids=["template", "default-process"])
def test_receipt_round_trips(template: bool, django_assert_num_queries: Any) -> None:
    world = build_world(template=template)
    _warm(world)
    with django_assert_num_queries(EXPECTED[connection.vendor][template]):
        dossier = receive(world, received_at=at("2026-03-02", "09:00"))
    assert dossier.status == Status.RECEIVED
    assert dossier.current_step_id is not None if template else dossier.current_step_id is None
