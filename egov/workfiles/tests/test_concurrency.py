"""Two tabs (or two people) acting on one file: each gets a clear refusal and
nothing is lost. The interleavings are replayed in order here; the last test runs
them truly at once on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from egov.documents.tests.factories import Org, Staff
from egov.workfiles import selectors, services
from egov.workfiles.errors import EntryAlreadyOpened, FileFrozen, StaleFile
from egov.workfiles.models import FileStatus, WorkFile
from egov.workfiles.tests.factories import entry, incoming_doc, open_file, outgoing_doc


@pytest.mark.django_db
def test_a_close_from_a_stale_tab_is_refused_and_the_added_document_stays(
    org: Org, staff: Staff
) -> None:
    work_file = open_file(org, staff)
    seen_version = work_file.version  # tab A shows the close form
    letter = incoming_doc(org, staff)
    services.add_document(staff.head, work_file, "incoming", letter.pk)  # tab B adds
    with pytest.raises(StaleFile) as refused:
        services.close_file(
            staff.specialist, work_file, expected_version=seen_version, retention_years=10
        )
    assert refused.value.code == "stale" and refused.value.http_status == 409
    work_file.refresh_from_db()
    assert work_file.status == FileStatus.OPEN
    assert [i.ref.id for i in selectors.documents_of(staff.specialist, work_file) if i.ref] == [
        letter.pk
    ]
    # Looking again and closing works.
    closed = services.close_file(
        staff.specialist, work_file, expected_version=work_file.version, retention_years=10
    ).work_file
    assert closed.status == FileStatus.CLOSED


@pytest.mark.django_db
def test_adding_after_the_other_tab_closed_is_refused_and_the_file_is_unchanged(
    org: Org, staff: Staff
) -> None:
    work_file = open_file(org, staff)
    decision = outgoing_doc(org, staff)
    services.close_file(
        staff.head, work_file, expected_version=work_file.version, retention_years=10
    )
    with pytest.raises(FileFrozen) as refused:
        services.add_document(staff.specialist, work_file, "outgoing", decision.pk)
    assert refused.value.http_status == 409
    assert not work_file.links.exists()


@pytest.mark.django_db
def test_opening_the_same_entry_twice_gives_the_first_file(org: Org, staff: Staff) -> None:
    planned = entry(org, staff)
    first = services.open_from_entry(staff.specialist, planned)
    with pytest.raises(EntryAlreadyOpened):
        services.open_from_entry(staff.specialist, planned)
    assert list(WorkFile.objects.all()) == [first]


def _at_once(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
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
        except BaseException as error:
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


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_closing_and_adding_at_the_same_moment(org: Org, staff: Staff) -> None:
    work_file = open_file(org, staff)
    documents = [outgoing_doc(org, staff, subject=f"Quyết định số {i}") for i in range(4)]
    version = work_file.version
    jobs: list[Callable[[], Any]] = [
        lambda: services.close_file(
            staff.specialist, work_file.pk, expected_version=version, retention_years=10
        )
    ]

    def adding(document_id: int) -> Callable[[], Any]:
        return lambda: services.add_document(staff.head, work_file.pk, "outgoing", document_id)

    jobs += [adding(d.pk) for d in documents]
    results, errors = _at_once(jobs)
    assert all(isinstance(e, StaleFile | FileFrozen) for e in errors), errors
    work_file.refresh_from_db()
    linked = work_file.links.filter(removed_at__isnull=True).count()
    added = len(results) - (1 if work_file.status == FileStatus.CLOSED else 0)
    assert linked == added  # every success is in the file, no refusal left a trace
    # Either the close went first (every add refused: frozen) or an add went first
    # (the close refused: stale, the file open with what was added).
    if work_file.status == FileStatus.CLOSED:
        assert linked == 0 and all(isinstance(e, FileFrozen) for e in errors)
    else:
        assert any(isinstance(e, StaleFile) for e in errors)
