"""Concurrent issuance on PostgreSQL: clerks issuing at the same moment never take
the same number, and two clerks issuing the same document issue it once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from egov.documents.tests.factories import Org, Staff
from egov.outgoing import services
from egov.outgoing.errors import NotAllowedNow, StaleDocument
from egov.outgoing.models import OutgoingDocument, Status
from egov.outgoing.tests.factories import approved

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]


def _in_threads(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(jobs))

    def worker(job: Callable[[], Any]) -> None:
        try:
            start.wait()
            result = job()
            with lock:
                results.append(result)
        except BaseException as error:  # reported by the main thread
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_issuance_never_takes_a_number_twice(org: Org, staff: Staff) -> None:
    documents = [approved(org, staff, subject=f"Quyết định số {i}") for i in range(8)]
    secret = [approved(org, staff, confidentiality="secret") for _ in range(3)]

    def issue(document: OutgoingDocument) -> Callable[[], int | None]:
        return lambda: (
            services.issue_document(
                staff.clerk, document, expected_version=document.lock_version
            ).number
        )

    results, errors = _in_threads([issue(d) for d in documents + secret])
    assert errors == []
    numbers = list(
        OutgoingDocument.objects.filter(confidentiality="normal").values_list("number", flat=True)
    )
    assert sorted(n or 0 for n in numbers) == list(range(1, 9)), (
        "a number was taken twice or skipped"
    )
    secret_numbers = OutgoingDocument.objects.exclude(confidentiality="normal").values_list(
        "number", flat=True
    )
    assert sorted(n or 0 for n in secret_numbers) == [1, 2, 3]  # their own series
    assert len(results) == 11


def test_two_clerks_issuing_the_same_document_issue_it_once(org: Org, staff: Staff) -> None:
    document = approved(org, staff)
    version = document.lock_version

    def issue() -> int | None:
        return services.issue_document(staff.clerk, document, expected_version=version).number

    results, errors = _in_threads([issue, issue, issue])
    assert results == [1]
    assert len(errors) == 2 and all(
        isinstance(error, (StaleDocument, NotAllowedNow)) for error in errors
    )
    document.refresh_from_db()
    assert document.status == Status.ISSUED and document.number == 1
