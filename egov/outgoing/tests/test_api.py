"""The JSON API: draft, submit, approve, issue, recall and list, with structured
refusals (401, 403, 404, 409 stale, 422)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tests.helpers import sign_in_verified
from egov.documents import services as incoming
from egov.documents.models import IncomingDocument
from egov.documents.tests.factories import Org, Staff
from egov.outgoing.tests.factories import make_draft

pytestmark = pytest.mark.django_db
URL = "/api/v1/outgoing/documents"


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{URL}{path}", data=json.dumps(body), content_type="application/json")


def draft_body(org: Org, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "drafting_unit_code": org.dept_legal.code,
        "type_code": "cong-van",
        "subject": "Góp ý dự thảo quy chế phối hợp",
        "body": "Kính gửi: Sở Tài chính.",
        "signer_position": "Giám đốc",
        "signer_name": "Võ Văn Em",
        "recipients": [{"agency_code": org.other.code}, {"name": "Bộ Tư pháp"}],
    }
    body.update(overrides)
    return body


def test_the_whole_walk_through_the_api(org: Org, staff: Staff) -> None:
    created = post(client_for(staff.specialist), "", draft_body(org))
    assert created.status_code == 201, created.content
    document = created.json()
    ref, version = document["reference"], document["version"]
    assert document["status"] == "drafting" and document["number_and_symbol"] == ""

    answer = post(client_for(staff.specialist), f"/{ref}/submit", {"expected_version": version})
    assert answer.status_code == 200 and answer.json()["current_step"]["position"] == 1

    head = client_for(staff.head)
    waiting = head.get(URL, {"tab": "waiting"}).json()
    assert [d["reference"] for d in waiting] == [ref]
    answer = post(head, f"/{ref}/approve", {"expected_version": answer.json()["version"]})
    answer = post(
        client_for(staff.leader),
        f"/{ref}/approve",
        {"expected_version": answer.json()["version"], "note": "Đồng ý ban hành."},
    )
    assert answer.json()["status"] == "approved"
    assert answer.json()["approved_by"] == staff.leader.full_name

    clerk = client_for(staff.clerk)
    assert [d["reference"] for d in clerk.get(URL, {"tab": "to_issue"}).json()] == [ref]
    answer = post(clerk, f"/{ref}/issue", {"expected_version": answer.json()["version"]})
    assert answer.status_code == 200, answer.content
    issued = answer.json()
    assert issued["number_and_symbol"] == "01/STP" and issued["digitally_signed"] is False
    assert [(r["delivery"], r["status"]) for r in issued["recipients"]] == [
        ("delivered", "received"),
        ("waiting_exchange", ""),
    ]

    arrived = IncomingDocument.objects.get(source_ref=f"outgoing:{ref}")
    incoming.register(arrived, actor=staff.other_clerk)
    recalled = post(
        clerk, f"/{ref}/recall", {"expected_version": issued["version"], "reason": "Sai nơi nhận."}
    )
    assert recalled.status_code == 200
    assert recalled.json()["registered"] == [org.other.name]
    assert recalled.json()["document"]["status"] == "recalled"


def test_a_stale_version_answers_409_and_changes_nothing(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    answer = post(
        client_for(staff.specialist),
        f"/{document.reference}/submit",
        {"expected_version": document.lock_version + 5},
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "stale"
    document.refresh_from_db()
    assert document.status == "drafting"


def test_refusals_are_structured(org: Org, staff: Staff) -> None:
    specialist = client_for(staff.specialist)
    bad = post(specialist, "", draft_body(org, type_code="khong-co", subject=""))
    assert bad.status_code == 422 and bad.json()["field"] in ("type_code", "subject")
    document = make_draft(org, staff)
    # Another agency's staff do not learn the document exists.
    assert client_for(staff.outsider).get(f"{URL}/{document.reference}").status_code == 404
    submit = post(specialist, f"/{document.reference}/submit", {"expected_version": 1})
    wrong = post(
        specialist, f"/{document.reference}/approve", {"expected_version": submit.json()["version"]}
    )
    assert wrong.status_code == 403 and wrong.json()["code"] == "forbidden"
    early = post(
        client_for(staff.clerk),
        f"/{document.reference}/issue",
        {"expected_version": submit.json()["version"]},
    )
    assert early.status_code == 409 and early.json()["code"] == "not_allowed_now"
    assert Client().get(URL).status_code == 401
