"""Concurrency proofs on PostgreSQL (skipped elsewhere): parallel receipt at one
agency, retries racing with one Idempotency-Key, two clerks moving one dossier.

Each thread has its own database connection; the tests use real transactions
(``transaction=True``), so the roles seeded by migration are restored first.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.db import connection
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.core.audit import verify_chain
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers import services
from egov.dossiers.errors import StaleDossier
from egov.dossiers.models import Dossier, DossierEvent, IdempotentRequest, Status
from egov.dossiers.tests.factories import (
    World,
    applicant,
    at,
    build_world,
    complete_papers,
    staff_member,
)

F = TypeVar("F", bound=Callable[..., Any])


def postgres_only(func: F) -> F:
    """Row locks and concurrent connections need PostgreSQL; SQLite serialises."""
    skip = pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    )
    return pytest.mark.postgres_only(skip(func))


CODE = re.compile(r"^000\.00\.33\.H33-(\d{6})-(\d{4})$")


@pytest.fixture
def world(transactional_db: None) -> Iterator[World]:
    ensure_default_roles()
    invalidate_calendar()
    yield build_world()
    invalidate_calendar()


def run_threads(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(index)`` in ``count`` threads released together; each thread
    closes its own connection."""
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    gate = threading.Barrier(count)

    def target(index: int) -> None:
        try:
            gate.wait()
            value = work(index)
            with lock:
                results.append(value)
        except BaseException as exc:  # reported by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@postgres_only
def test_fifty_parallel_receipts_get_fifty_distinct_well_formed_codes(world: World) -> None:
    received_at = at("2026-03-02", "09:00")
    papers = complete_papers(world)

    def receive_five(index: int) -> list[str]:
        codes = []
        for n in range(5):
            dossier = services.receive_dossier(
                world.staff.clerk,
                version=world.version,
                agency=world.org.district,
                applicant=applicant(name=f"Người nộp {index}-{n}"),
                papers=papers,
                received_at=received_at,
            )
            codes.append(dossier.code)
        return codes

    results, errors = run_threads(10, receive_five)
    assert errors == []
    codes = [code for batch in results for code in batch]
    assert len(codes) == 50
    assert len(set(codes)) == 50
    matches = [CODE.match(code) for code in codes]
    assert all(matches), codes
    assert {m.group(1) for m in matches if m} == {"260302"}
    assert sorted(int(m.group(2)) for m in matches if m) == list(range(1, 51))
    assert Dossier.objects.count() == 50
    assert DossierEvent.objects.filter(action="receive").count() == 50
    assert verify_chain().ok


@postgres_only
def test_racing_retries_with_one_idempotency_key_make_one_dossier(world: World) -> None:
    clients = []
    for _ in range(8):
        client = Client()
        sign_in_verified(client, world.staff.clerk)
        clients.append(client)
    body = json.dumps(
        {
            "procedure": "1.001193",
            "agency": world.org.district.code,
            "applicant": {"name": "Nguyễn Thị Hoa", "id_number": "091190004321"},
            "papers": [
                {"required_paper": p.pk, "copies": p.copies} for p in complete_papers_rows(world)
            ],
        }
    )

    def post(index: int) -> tuple[int, str]:
        response = clients[index].post(
            "/api/v1/dossiers",
            data=body,
            content_type="application/json",
            headers={"Idempotency-Key": "one-key-many-retries"},
        )
        return response.status_code, response.json().get("code", "")

    results, errors = run_threads(8, post)
    assert errors == []
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 7 + [201], results
    assert len({code for _, code in results}) == 1
    assert Dossier.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
    # The losers' transactions rolled back, numbers included: the next one is 0002.
    second = services.receive_dossier(
        world.staff.clerk,
        version=world.version,
        agency=world.org.district,
        applicant=applicant(),
        papers=complete_papers(world),
    )
    assert second.code.endswith("-0002")


def complete_papers_rows(world: World) -> list[Any]:
    return [paper for paper in world.papers if not paper.is_optional]


def _wait_for_lock_wait(timeout: float = 30.0) -> bool:
    """Poll until another backend of this database waits on a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()"
            )
            row = cursor.fetchone()
            if row and row[0]:
                return True
            time.sleep(0.05)
    return False


@postgres_only
def test_two_clerks_forwarding_one_dossier_one_wins_the_other_is_told(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    second_clerk = staff_member("motcua2.rachgia", RoleCode.ONE_STOP_CLERK, world.org.desk)
    dossier = services.receive_dossier(
        world.staff.clerk,
        version=world.version,
        agency=world.org.district,
        applicant=applicant(),
        papers=complete_papers(world),
    )
    first_inside = threading.Event()
    release = threading.Event()
    real_check = services.actions._check_assignee

    def held_check(to_user: Any, unit: Any) -> None:
        # The first clerk pauses while holding the row lock, so the second one
        # really arrives while the first transaction is open.
        if threading.current_thread().name == "first":
            first_inside.set()
            release.wait(30)
        real_check(to_user, unit)

    monkeypatch.setattr(services.actions, "_check_assignee", held_check)
    outcomes: dict[str, Any] = {}

    def act(name: str, clerk: Any) -> None:
        try:
            copy = Dossier.objects.get(pk=dossier.pk)
            services.forward(clerk, copy, expected_version=1, note=f"by {name}")
            outcomes[name] = "moved"
        except StaleDossier as exc:
            outcomes[name] = exc
        except BaseException as exc:
            outcomes[name] = repr(exc)
        finally:
            connection.close()

    first = threading.Thread(target=act, args=("first", world.staff.clerk), name="first")
    second = threading.Thread(target=act, args=("second", second_clerk), name="second")
    first.start()
    assert first_inside.wait(30)
    second.start()
    blocked = _wait_for_lock_wait()
    release.set()
    first.join()
    second.join()

    assert blocked, "the second clerk should have waited for the first one's row lock"
    assert outcomes["first"] == "moved"
    assert isinstance(outcomes["second"], StaleDossier)
    assert outcomes["second"].current == 2
    stored = Dossier.objects.get(pk=dossier.pk)
    assert (stored.status, stored.version) == (Status.PROCESSING, 2)
    forwards = DossierEvent.objects.filter(dossier=stored, action="forward")
    assert [event.note for event in forwards] == ["by first"]


@postgres_only
def test_batches_and_single_receipts_racing_at_one_agency_share_one_gap_free_series(
    world: World,
) -> None:
    """Two batches (blocks of numbers from one upsert) and two clerks receiving one
    by one, at once, at one agency: every number once, none missing, one audit chain."""
    received_at = at("2026-03-02", "09:00")
    papers = complete_papers(world)

    def item(index: int, n: int) -> services.ReceiptIn:
        return services.ReceiptIn(
            version=world.version,
            agency=world.org.district,
            applicant=applicant(name=f"Người nộp {index}-{n}"),
            papers=papers,
            received_at=received_at,
        )

    def work(index: int) -> list[str]:
        if index < 2:
            results = services.receive_batch(
                world.staff.clerk, [item(index, n) for n in range(30)], chunk_size=7
            )
            assert all(result.ok for result in results)
            return [result.dossier.code for result in results if result.dossier]
        return [
            services.receive_dossier(
                world.staff.clerk,
                version=world.version,
                agency=world.org.district,
                applicant=applicant(name=f"Người nộp {index}-{n}"),
                papers=papers,
                received_at=received_at,
            ).code
            for n in range(10)
        ]

    results, errors = run_threads(4, work)
    assert errors == []
    codes = [code for batch in results for code in batch]
    assert len(codes) == 80
    numbers = sorted(int(m.group(2)) for code in codes if (m := CODE.match(code)))
    assert numbers == list(range(1, 81))
    assert Dossier.objects.count() == 80
    assert DossierEvent.objects.filter(action="receive").count() == 80
    assert verify_chain().ok
