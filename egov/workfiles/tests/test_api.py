"""The JSON API: list, open (from the list and ad hoc), see, add a document, close,
with structured refusals (401, 404, 409 stale/closed, 422)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import AuditEntry
from egov.documents.tests.factories import Org, Staff
from egov.workfiles.tests.factories import entry, incoming_doc, outgoing_doc

pytestmark = pytest.mark.django_db
URL = "/api/v1/workfiles/files"


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{URL}{path}", data=json.dumps(body), content_type="application/json")


def test_open_add_and_close_through_the_api(org: Org, staff: Staff) -> None:
    planned = entry(org, staff, years=None)
    letter = incoming_doc(org, staff)
    decision = outgoing_doc(org, staff)
    me = client_for(staff.specialist)
    opened = post(me, "", {"entry_id": planned.pk, "start_date": "2026-01-05"})
    assert opened.status_code == 201, opened.content
    file = opened.json()
    assert (file["symbol"], file["status"], file["retention_years"], file["from_list"]) == (
        "01.XDKT",
        "open",
        None,
        True,
    )
    again = post(me, "", {"entry_id": planned.pk})
    assert again.status_code == 409 and again.json()["code"] == "already_opened"

    fid = file["id"]
    added = post(me, f"/{fid}/documents", {"kind": "incoming", "document_id": letter.pk})
    assert added.status_code == 201, added.content
    twice = post(me, f"/{fid}/documents", {"kind": "incoming", "document_id": letter.pk})
    assert twice.status_code == 409 and twice.json()["code"] == "already_in_file"
    missing = post(me, f"/{fid}/documents", {"kind": "outgoing", "document_id": 987654})
    assert missing.status_code == 404 and missing.json()["field"] == "document_id"
    bad_kind = post(me, f"/{fid}/documents", {"kind": "memo", "document_id": 1})
    assert bad_kind.status_code == 422
    stale_version = added.json()["version"]
    post(
        client_for(staff.head),
        f"/{fid}/documents",
        {"kind": "outgoing", "document_id": decision.pk},
    )

    stale = post(me, f"/{fid}/close", {"expected_version": stale_version, "retention_years": None})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    detail = me.get(f"{URL}/{fid}")
    assert detail.status_code == 200
    body = detail.json()
    assert [(d["kind"], d["document_id"]) for d in body["documents"]] == [
        ("incoming", letter.pk),
        ("outgoing", decision.pk),
    ]
    assert body["withheld"] == 0
    closed = post(
        me,
        f"/{fid}/close",
        {"expected_version": body["version"], "retention_years": None, "end_date": "2026-12-01"},
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["file"]["status"] == "closed"
    assert closed.json()["file"]["handover_due"] == "2027-12-31"
    late = post(me, f"/{fid}/documents", {"kind": "outgoing", "document_id": decision.pk})
    assert late.status_code == 409 and late.json()["code"] == "file_closed"

    listed = me.get(URL, {"status": "closed"}).json()
    assert [f["id"] for f in listed] == [fid]
    assert AuditEntry.objects.filter(action="workfiles.viewed", object_id=str(fid)).exists()


def test_ad_hoc_files_and_refusals(org: Org, staff: Staff) -> None:
    me = client_for(staff.specialist)
    body = {
        "symbol": "15.XDKT",
        "title": "Hồ sơ phát sinh ngoài danh mục",
        "unit_code": org.dept_legal.code,
        "retention_years": 10,
        "start_date": "2026-05-04",
    }
    opened = post(me, "", body)
    assert opened.status_code == 201 and opened.json()["from_list"] is False
    taken = post(me, "", body)
    assert taken.status_code == 409 and taken.json()["field"] == "symbol"
    no_title = post(me, "", {**body, "symbol": "16", "title": "  "})
    assert no_title.status_code == 422 and no_title.json()["field"] == "title"
    no_unit = post(me, "", {**body, "symbol": "17", "unit_code": "nope"})
    assert no_unit.status_code == 422 and no_unit.json()["field"] == "unit_code"
    elsewhere = post(client_for(staff.outsider), "", {**body, "symbol": "18"})
    assert elsewhere.status_code == 403
    fid = opened.json()["id"]
    assert client_for(staff.outsider).get(f"{URL}/{fid}").status_code == 404
    assert client_for(staff.outsider).get(URL).json() == []
    assert Client().get(URL).status_code == 401
