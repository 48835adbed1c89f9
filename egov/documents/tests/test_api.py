"""The JSON API: worklists, search, one document, register (with the duplicate
warning and the stale version), assign; errors in the platform's one body."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.documents import services
from egov.documents.models import IncomingDocument, IncomingStatus
from egov.documents.tests.factories import Org, Staff, metadata, text_pdf

pytestmark = pytest.mark.django_db
BASE = "/api/v1/documents/incoming"


def api_client(user: object) -> Client:
    client = Client()
    sign_in_verified(client, user)  # type: ignore[arg-type]
    return client


def post(client: Client, url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def _received(org: Org, staff: Staff, **kw: object) -> IncomingDocument:
    return services.receive_scan(
        agency=org.dept,
        files=[("a.pdf", text_pdf("Trang một"), "application/pdf")],
        actor=staff.clerk,
        metadata=metadata(**kw),
    )


def _register_body(document: IncomingDocument, **kw: object) -> dict[str, object]:
    body: dict[str, object] = {
        "version": document.version,
        "issuing_agency_name": document.issuing_agency_name,
        "subject": document.subject,
        "code_number": document.code_number,
        "code_notation": document.code_notation,
        "type_code": "KH",
    }
    body.update(kw)
    return body


def test_register_assign_and_read_through_the_api(org: Org, staff: Staff) -> None:
    document = _received(org, staff)
    clerk = api_client(staff.clerk)
    queue = clerk.get(BASE, {"worklist": "queue"}).json()
    assert queue["count"] == 1 and queue["results"][0]["uuid"] == str(document.uuid)
    status, body = post(
        clerk,
        f"{BASE}/{document.uuid}/register",
        _register_body(document, present_to=staff.leader.username),
    )
    assert status == 200, body
    assert body["arrival_number"] == 1 and body["status"] == "presented"
    assert body["type_code"] == "ke-hoach"

    leader = api_client(staff.leader)
    direct = leader.get(BASE, {"worklist": "direct"}).json()
    assert [r["uuid"] for r in direct["results"]] == [str(document.uuid)]
    status, body = post(
        leader,
        f"{BASE}/{document.uuid}/assign",
        {
            "version": body["version"],
            "lead_unit": org.dept_legal.code,
            "cooperating_units": [org.dept_office.code],
            "deadline_days": 7,
            "lead_person": staff.specialist.username,
            "opinion": "Chủ trì tham mưu",
        },
    )
    assert status == 200, body
    assert body["status"] == "assigned" and body["due_at"]
    mine = api_client(staff.specialist).get(BASE).json()
    assert [r["uuid"] for r in mine["results"]] == [str(document.uuid)]
    found = clerk.get(f"{BASE}/search", {"q": "ke hoach ung dung cong nghe"}).json()
    assert found["count"] == 1
    one = clerk.get(f"{BASE}/{document.uuid}").json()
    assert one["files"] and one["number_symbol"] == "176/KH-UBND"


def test_duplicate_stale_and_refusals_have_one_error_body(org: Org, staff: Staff) -> None:
    first = _received(org, staff)
    services.register(first, actor=staff.clerk)
    again = _received(org, staff)
    clerk = api_client(staff.clerk)
    status, body = post(clerk, f"{BASE}/{again.uuid}/register", _register_body(again))
    assert status == 409 and body["code"] == "likely_duplicate"
    assert body["duplicates"][0]["arrival_number"] == 1  # type: ignore[index]
    status, body = post(
        clerk,
        f"{BASE}/{again.uuid}/register",
        _register_body(again, version=again.version - 1, confirm_duplicate=True),
    )
    assert status == 409 and body["code"] == "stale"
    status, body = post(
        clerk,
        f"{BASE}/{again.uuid}/register",
        _register_body(again, subject="", confirm_duplicate=True),
    )
    assert status == 422 and body["field"] == "subject"
    status, body = post(
        clerk,
        f"{BASE}/{again.uuid}/register",
        _register_body(again, urgency="flash", confirm_duplicate=True),
    )
    assert status == 422 and body["field"] == "present_to"
    again.refresh_from_db()
    assert again.status == IncomingStatus.RECEIVED
    outsider = api_client(staff.other_clerk)
    assert outsider.get(f"{BASE}/{again.uuid}").status_code == 403
    assert outsider.get(f"{BASE}/not-a-uuid").status_code == 404
    status, body = post(
        api_client(staff.specialist),
        f"{BASE}/{first.uuid}/assign",
        {
            "version": 1,
            "lead_unit": org.dept_legal.code,
            "deadline_days": 5,
        },
    )
    assert status == 403
    assert Client().get(BASE).status_code == 401
