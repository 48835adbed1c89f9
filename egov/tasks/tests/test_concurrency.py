"""Two people acting on the same task: the row lock and the state check under it
let one act win and refuse the other, with nothing half-written."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from egov.documents.tests.factories import Org, Staff
from egov.tasks import services
from egov.tasks.errors import TaskError
from egov.tasks.models import ExtensionRequest, TaskEvent, TaskStatus
from egov.tasks.tests.conftest import make_task


def _race(*calls: object) -> list[object]:
    results: list[object] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int, call: object) -> None:
        try:
            barrier.wait()
            results[i] = call()  # type: ignore[operator]
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_one_wins(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    services.report_completion(staff.head, task.pk, note="Xong")
    if connection.vendor == "sqlite":
        # SQLite serialises writers; the second sees the state the first left.
        services.confirm_completion(staff.leader, task.pk, accept=True)
        with pytest.raises(TaskError):
            services.confirm_completion(staff.clerk, task.pk, accept=False, note="Thiếu")
    else:
        results = _race(
            lambda: services.confirm_completion(staff.leader, task.pk, accept=True),
            lambda: services.confirm_completion(staff.clerk, task.pk, accept=False, note="Thiếu"),
        )
        assert sum(isinstance(r, TaskError) for r in results) == 1
    task.refresh_from_db()
    assert TaskEvent.objects.filter(task=task, action__in=["confirmed", "sent_back"]).count() == 1
    assert task.status in (TaskStatus.DONE, TaskStatus.IN_PROGRESS)


@pytest.mark.django_db(transaction=True)
def test_double_submitted_extension_gives_one_request(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    due = task.due_date + timedelta(days=5)
    if connection.vendor == "sqlite":
        services.request_extension(staff.head, task.pk, new_due_date=due, reason="Lý do")
        with pytest.raises(TaskError):
            services.request_extension(staff.specialist, task.pk, new_due_date=due, reason="Lý do")
    else:
        _race(
            lambda: services.request_extension(staff.head, task.pk, new_due_date=due, reason="a"),
            lambda: services.request_extension(
                staff.specialist, task.pk, new_due_date=due, reason="b"
            ),
        )
    assert ExtensionRequest.objects.filter(task=task).count() == 1


@pytest.mark.django_db(transaction=True)
def test_completion_while_progress_is_reported(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    results = (
        _race(
            lambda: services.report_completion(staff.head, task.pk, note="Xong"),
            lambda: services.report_progress(staff.specialist, task.pk, progress=50, note="Nửa"),
        )
        if connection.vendor != "sqlite"
        else [
            services.report_completion(staff.head, task.pk, note="Xong"),
        ]
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED and task.progress == 100
    assert all(not isinstance(r, Exception) or isinstance(r, TaskError) for r in results)
