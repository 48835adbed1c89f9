"""The task pages: assigning from a document, acting through the forms, clear
Vietnamese refusals, and what outsiders get."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.documents.tests.factories import Org, Staff
from egov.tasks.models import ExtensionRequest, Task, TaskStatus
from egov.tasks.tests.conftest import make_task
from egov.workfiles.tests.factories import incoming_doc

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    sign_in_verified(client, user)  # type: ignore[arg-type]
    return client


def test_leader_assigns_from_a_document(org: Org, staff: Staff) -> None:
    document = incoming_doc(org, staff)
    client = _client(staff.leader)
    url = f"/giao-viec/giao-viec/?source=incoming&document={document.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert document.subject in page.content.decode()
    response = client.post(
        url,
        {
            "office": org.dept.pk,
            "source": "incoming",
            "document_id": document.pk,
            "text": "Tham mưu trả lời văn bản",
            "lead_unit": org.dept_legal.pk,
            "assigned_by": staff.leader.pk,
            "working_days": 5,
            "priority": "urgent",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/giao-viec/{task.pk}/"
    assert task.document_id == document.pk and task.priority == "urgent"


def test_missing_deadline_shows_a_vietnamese_message(org: Org, staff: Staff) -> None:
    client = _client(staff.leader)
    response = client.post(
        "/giao-viec/giao-viec/",
        {
            "office": org.dept.pk,
            "source": "office",
            "text": "Việc cần làm",
            "lead_unit": org.dept_legal.pk,
            "assigned_by": staff.leader.pk,
            "priority": "normal",
        },
    )
    assert response.status_code == 200
    assert "Hãy cho biết thời hạn" in response.content.decode()
    assert not Task.objects.exists()


def test_extension_then_completion_through_the_pages(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    unit = _client(staff.head)
    page = unit.get(f"/giao-viec/{task.pk}/")
    assert page.status_code == 200 and "Xin gia hạn" in page.content.decode()
    new_due = task.due_date + timedelta(days=7)
    unit.post(
        f"/giao-viec/{task.pk}/gia-han/",
        {"extension-new_due_date": new_due.isoformat(), "extension-reason": "Chờ số liệu"},
    )
    request = ExtensionRequest.objects.get(task=task)
    # A past date is refused with the reason, nothing recorded.
    bad = unit.post(
        f"/giao-viec/{task.pk}/gia-han/",
        {"extension-new_due_date": task.due_date.isoformat(), "extension-reason": "x"},
    )
    assert bad.status_code == 422
    leader = _client(staff.leader)
    leader.post(f"/giao-viec/gia-han/{request.pk}/quyet-dinh/", {"decision": "approve"})
    task.refresh_from_db()
    assert task.due_date == new_due
    unit.post(
        f"/giao-viec/{task.pk}/hoan-thanh/", {"completion-answer": "", "completion-note": "Đã xong"}
    )
    leader.post(f"/giao-viec/{task.pk}/xac-nhan/", {"decision": "accept"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    history = leader.get(f"/giao-viec/{task.pk}/").content.decode()
    assert "Đã gia hạn" in history or "Gia hạn được chấp thuận" in history


def test_outsiders_get_404_and_cannot_post(org: Org, staff: Staff) -> None:
    task = make_task(org, staff)
    outsider = _client(staff.outsider)
    assert outsider.get(f"/giao-viec/{task.pk}/").status_code == 404
    assert (
        outsider.post(
            f"/giao-viec/{task.pk}/tien-do/", {"progress-progress": 50, "progress-note": "x"}
        ).status_code
        == 404
    )
    task.refresh_from_db()
    assert task.progress == 0
    assert outsider.get("/giao-viec/giao-viec/").status_code == 403


def test_text_is_escaped(org: Org, staff: Staff) -> None:
    task = make_task(org, staff, text="<script>alert(1)</script> Rà soát")
    page = _client(staff.leader).get(f"/giao-viec/{task.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_lists_and_summary(org: Org, staff: Staff) -> None:
    make_task(org, staff)
    page = _client(staff.specialist).get("/giao-viec/").content.decode()
    assert "Rà soát văn bản" in page
    summary = _client(staff.leader).get("/giao-viec/tong-hop/")
    assert summary.status_code == 200
    assert "Võ Văn Em" in summary.content.decode()
    assert _client(staff.specialist).get("/giao-viec/tong-hop/").status_code == 403


def test_the_assign_page_offers_recent_documents(org: Org, staff: Staff) -> None:
    document = incoming_doc(org, staff, subject="Công văn đề nghị báo cáo")
    page = _client(staff.leader).get("/giao-viec/giao-viec/").content.decode()
    assert "Giao nhiệm vụ theo văn bản" in page
    assert f"source=incoming&amp;document={document.pk}" in page
