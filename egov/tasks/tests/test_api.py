"""The task API: assign, the unit's acts, the office's decisions, JSON refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.documents.tests.factories import Org, Staff
from egov.tasks.models import Task

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    sign_in_verified(client, user)  # type: ignore[arg-type]
    return client


def post(client: Client, url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_the_whole_life_through_the_api(org: Org, staff: Staff) -> None:
    leader, head = _client(staff.leader), _client(staff.head)
    status, task = post(
        leader,
        "/api/v1/tasks",
        {"text": "Rà soát", "lead_unit_code": org.dept_legal.code, "working_days": 5},
    )
    assert status == 201 and task["status"] == "in_progress"
    url = f"/api/v1/tasks/{task['id']}"
    mine = head.get("/api/v1/tasks?view=mine").json()
    assert [row["reference"] for row in mine] == [task["reference"]]
    due = (Task.objects.get().due_date + timedelta(days=5)).isoformat()
    status, _body = post(head, f"{url}/extensions", {"new_due_date": due, "reason": "Lý do"})
    assert status == 201
    status, body = post(head, f"{url}/extensions", {"new_due_date": due, "reason": "Lần hai"})
    assert (status, body["code"]) == (409, "extension_pending")
    pending = leader.get(url).json()["pending_extension_id"]
    status, body = post(leader, f"/api/v1/tasks/extensions/{pending}/decision", {"approve": True})
    assert status == 200 and body["due_date"] == due
    status, body = post(head, f"{url}/completion", {"note": "Xong"})
    assert body["status"] == "reported"
    status, body = post(head, f"{url}/completion", {"note": "Xong lần hai"})
    assert (status, body["code"]) == (409, "wrong_state")
    status, body = post(leader, f"{url}/confirmation", {"accept": True})
    assert body["status"] == "done" and not body["finished_late"]
    actions = [e["action"] for e in leader.get(url).json()["events"]]
    assert actions[0] == "assigned" and actions[-1] == "confirmed"


def test_refusals_are_json(org: Org, staff: Staff) -> None:
    leader = _client(staff.leader)
    status, body = post(leader, "/api/v1/tasks", {"text": "Việc", "lead_unit_code": "không-có"})
    assert (status, body["field"]) == (422, "lead_unit_code")
    status, body = post(
        leader, "/api/v1/tasks", {"text": "Việc", "lead_unit_code": org.dept_legal.code}
    )
    assert (status, body["field"]) == (422, "due_date")
    assert "thời hạn" in str(body["message"])
    status, body = post(
        _client(staff.specialist),
        "/api/v1/tasks",
        {"text": "Việc", "lead_unit_code": org.dept_legal.code, "working_days": 2},
    )
    assert status == 422
    task = leader.post(
        "/api/v1/tasks",
        json.dumps({"text": "Việc", "lead_unit_code": org.dept_legal.code, "working_days": 2}),
        content_type="application/json",
    ).json()
    assert _client(staff.outsider).get(f"/api/v1/tasks/{task['id']}").status_code == 404
