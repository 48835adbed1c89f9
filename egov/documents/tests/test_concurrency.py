"""Concurrency on PostgreSQL (skipped elsewhere): clerks registering at once get a
gap-free, duplicate-free series; one delivery retried at once lands once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from egov.accounts.default_roles import ensure_default_roles
from egov.core.workcalendar import invalidate_calendar
from egov.documents import services
from egov.documents.doctypes import ensure_document_types
from egov.documents.models import IncomingDocument
from egov.documents.tests.factories import Org, Staff, build_org, build_staff, metadata, text_pdf

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    ),
]


@pytest.fixture
def world(transactional_db: None) -> Iterator[tuple[Org, Staff]]:
    ensure_default_roles()
    ensure_document_types()
    invalidate_calendar()
    org = build_org()
    yield org, build_staff(org)
    invalidate_calendar()


def run_threads(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
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
        thread.join(60)
    return results, errors


def test_parallel_registration_gives_a_gap_free_series(world: tuple[Org, Staff]) -> None:
    org, staff = world
    pdf = text_pdf()
    documents = [
        services.receive_scan(
            agency=org.dept,
            files=[("a.pdf", pdf, "application/pdf")],
            actor=staff.clerk,
            metadata=metadata(code_number=str(n)),
            recognise_now=False,
        )
        for n in range(12)
    ]
    results, errors = run_threads(
        12, lambda i: services.register(documents[i], actor=staff.clerk).arrival_number
    )
    assert errors == []
    assert sorted(results) == list(range(1, 13))


def test_a_delivery_retried_at_once_lands_once(world: tuple[Org, Staff]) -> None:
    org, staff = world
    pdf = text_pdf()
    results, errors = run_threads(
        6,
        lambda _i: (
            services.deliver_from_platform(
                sender_agency=org.other,
                recipient_agency=org.dept,
                metadata=metadata(),
                files=[("a.pdf", pdf, "application/pdf")],
                source_ref="same-ref",
                actor=staff.other_clerk,
            ).pk
        ),
    )
    assert errors == []
    assert len(set(results)) == 1
    assert IncomingDocument.objects.filter(source_ref="same-ref").count() == 1
