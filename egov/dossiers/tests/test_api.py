"""The staff dossier API: authentication, Idempotency-Key, moves and their error
codes (403, 404, 409, 422)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import Dossier, IdempotentRequest, Status
from egov.dossiers.tests.factories import World, build_world, dossier_in_status

pytestmark = pytest.mark.django_db

URL = "/api/v1/dossiers"


@pytest.fixture
def world() -> World:
    return build_world()


def client_for(user: User | None, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if user is not None:
        sign_in_verified(client, user)
    return client


def post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        f"{URL}{path}", data=json.dumps(body), content_type="application/json", headers=headers
    )


def create_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure": "1.001193",
        "agency": world.org.district.code,
        "applicant": {
            "name": "Nguyễn Thị Hoa",
            "id_number": "091190004321",
            "address": "12 Trần Phú, Rạch Giá",
            "phone": "0297 3862 123",
        },
        "papers": [
            {"required_paper": paper.pk, "copies": paper.copies}
            for paper in world.papers
            if not paper.is_optional
        ],
    }
    body.update(overrides)
    return body


def create(client: Client, world: World, key: str = "key-1", **overrides: Any) -> Any:
    return post(client, "", create_body(world, **overrides), **{"Idempotency-Key": key})


# --- authentication ----------------------------------------------------------------------


def test_only_verified_staff_sessions_are_let_in(world: World) -> None:
    anonymous = Client().get(URL)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    citizen = client_for(world.staff.citizen)
    assert citizen.get(URL).status_code == 401
    unverified = Client()
    unverified.force_login(world.staff.clerk)  # password only, no second factor
    assert unverified.get(URL).status_code == 401
    assert client_for(world.staff.clerk).get(URL).status_code == 200


def test_csrf_is_checked_for_session_writes(world: World) -> None:
    client = client_for(world.staff.clerk, enforce_csrf_checks=True)
    refused = create(client, world)
    assert refused.status_code == 403
    assert not Dossier.objects.exists()
    # A signed-in user visiting the sign-in page is sent on; the security page is a
    # form, so it sets the CSRF cookie a browser script would read.
    client.get("/tai-khoan/bao-mat/")
    token = client.cookies["csrftoken"].value
    accepted = post(
        client, "", create_body(world), **{"Idempotency-Key": "csrf-1", "X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content


# --- creation and Idempotency-Key -------------------------------------------------------


def test_create_requires_an_idempotency_key(world: World) -> None:
    client = client_for(world.staff.clerk)
    response = post(client, "", create_body(world))
    assert response.status_code == 400
    assert response.json() == {
        "code": "idempotency_key_required",
        "message": response.json()["message"],
        "field": "Idempotency-Key",
    }
    too_long = post(client, "", create_body(world), **{"Idempotency-Key": "x" * 256})
    assert too_long.status_code == 400
    assert not Dossier.objects.exists()


def test_retry_with_the_same_key_returns_the_same_dossier(world: World) -> None:
    client = client_for(world.staff.clerk)
    first = create(client, world, key="2a1f-retry")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["code"].startswith("000.00.33.H33-")
    assert body["status"] == Status.RECEIVED
    assert body["version"] == 1
    assert body["applicant"]["phone"] == "02973862123"
    assert [e["action"] for e in body["events"]] == ["receive"]
    # Same key, same body (keys reordered): the same dossier, 200.
    reordered = dict(reversed(list(create_body(world).items())))
    again = post(client, "", reordered, **{"Idempotency-Key": "2a1f-retry"})
    assert again.status_code == 200
    assert again.json()["code"] == body["code"]
    # Same key, another body: refused.
    changed = create(client, world, key="2a1f-retry", note="khác")
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"
    assert Dossier.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
    # Another person's identical key is theirs: a new dossier.
    other_clerk = client_for(User.objects.create_superuser("admin2", None, full_name="Admin"))
    assert create(other_clerk, world, key="2a1f-retry").status_code == 201
    assert Dossier.objects.count() == 2


def test_incomplete_dossier_answers_422_with_what_is_missing(world: World) -> None:
    client = client_for(world.staff.clerk)
    response = create(client, world, papers=[{"name": "Giấy chứng sinh"}])
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "incomplete_dossier"
    assert {m["name"]: m["reason"] for m in body["missing"]} == {
        "Tờ khai đăng ký khai sinh": "missing",
        "Bản sao Căn cước công dân của cha, mẹ": "missing",
    }
    assert not Dossier.objects.exists()
    # Nothing was stored for the key: the completed retry creates the dossier.
    assert create(client, world).status_code == 201


def test_create_errors(world: World) -> None:
    client = client_for(world.staff.clerk)
    unknown = create(client, world, key="a", procedure="9.999999")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_procedure")
    bad_agency = create(client, world, key="b", agency="000.00.99.H33")
    assert (bad_agency.status_code, bad_agency.json()["field"]) == (422, "agency")
    bad_id = create(client, world, key="c", applicant={"name": "A", "id_number": "123"})
    assert (bad_id.status_code, bad_id.json()["field"]) == (422, "applicant.id_number")
    online = create(client, world, key="d", channel=2)
    assert online.status_code == 422
    forbidden = create(client_for(world.staff.specialist), world, key="e")
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "forbidden")
    assert not Dossier.objects.exists()


# --- reading --------------------------------------------------------------------------------


def test_detail_is_visible_to_the_units_involved_only(world: World) -> None:
    code = create(client_for(world.staff.clerk), world).json()["code"]
    for user in (world.staff.clerk, world.staff.leader):
        assert client_for(user).get(f"{URL}/{code}").status_code == 200
    hidden = client_for(world.staff.outsider).get(f"{URL}/{code}")
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "not_found"
    assert client_for(world.staff.clerk).get(f"{URL}/000.00.33.H33-000000-0000").status_code == 404


def test_worklists(world: World) -> None:
    clerk = client_for(world.staff.clerk)
    code = create(clerk, world).json()["code"]
    overdue = dossier_in_status(world, Status.PROCESSING)  # due 9 March 2026: long past
    # Received at the desk: no longer to receive, but to hand over at the desk's step.
    assert clerk.get(URL, {"queue": "receive"}).json()["count"] == 0
    desk_step = clerk.get(URL, {"queue": "process"}).json()
    assert [item["code"] for item in desk_step["items"]] == [code]
    specialist = client_for(world.staff.specialist)
    process = specialist.get(URL, {"queue": "process"}).json()
    assert [item["code"] for item in process["items"]] == [overdue.code]
    assert process["items"][0]["is_overdue"] is True
    assert specialist.get(URL, {"queue": "process", "overdue": "false"}).json()["count"] == 0
    assert specialist.get(URL, {"queue": "approve"}).json()["count"] == 0
    everything = client_for(world.staff.leader).get(URL, {"limit": 1}).json()
    assert everything["count"] == 2 and len(everything["items"]) == 1
    assert clerk.get(URL, {"queue": "nonsense"}).status_code == 422


# --- moves ------------------------------------------------------------------------------------


def test_walk_through_the_api(world: World) -> None:
    clerk = client_for(world.staff.clerk)
    specialist = client_for(world.staff.specialist)
    head = client_for(world.staff.head)
    leader = client_for(world.staff.leader)
    commune = client_for(world.staff.commune_officer)
    code = create(clerk, world).json()["code"]

    def move(client: Client, action: str, version: int, **body: Any) -> dict[str, Any]:
        response = post(client, f"/{code}/{action}", {"expected_version": version, **body})
        assert response.status_code == 200, (action, response.content)
        result: dict[str, Any] = response.json()
        assert result["version"] == version + 1
        return result

    moved = move(clerk, "forward", 1, to_user=world.staff.specialist.username)
    assert moved["current_assignee"]["username"] == "tuphap.cv"
    assert moved["events"][-1]["to_user"]["username"] == "tuphap.cv"
    consulted = move(specialist, "consult", 2, unit=world.org.commune.code, note="Xác minh")
    assert consulted["consult_origin_unit"]["code"] == world.org.justice.code
    move(commune, "answer-consultation", 3, note="Đã xác minh")
    paused = move(specialist, "request-supplement", 4, missing_papers=["Giấy xác nhận cư trú"])
    assert paused["status"] == Status.SUPPLEMENT_REQUESTED and paused["paused_at"]
    move(clerk, "receive-supplement", 5, papers=[{"name": "Giấy xác nhận cư trú"}])
    move(specialist, "forward", 6)
    move(head, "request-payment", 7, amount=100000)
    move(clerk, "confirm-payment", 8, amount=100000, reference="BL-001")
    move(head, "forward", 9)
    ready = move(leader, "result-ready", 10, result_papers=[{"name": "Giấy khai sinh"}])
    assert ready["status"] == Status.RESULT_READY and ready["timeliness"] == "early"
    done = move(clerk, "return", 11)
    assert done["status"] == Status.RETURNED
    assert [paper["is_result"] for paper in done["papers"]].count(True) == 1


def test_move_errors(world: World) -> None:
    clerk = client_for(world.staff.clerk)
    code = create(clerk, world).json()["code"]
    stale = post(clerk, f"/{code}/forward", {"expected_version": 7})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    illegal = post(clerk, f"/{code}/return", {"expected_version": 1})
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "transition_not_allowed"
    assert "Được tiếp nhận" in illegal.json()["message"]
    forbidden = post(client_for(world.staff.leader), f"/{code}/forward", {"expected_version": 1})
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "forbidden")
    invalid = post(clerk, f"/{code}/forward", {"expected_version": 1, "to_user": "ai.do"})
    assert (invalid.status_code, invalid.json()["field"]) == (422, "to_user")
    missing_version = post(clerk, f"/{code}/forward", {})
    assert missing_version.status_code == 422
    no_reason = post(clerk, f"/{code}/stop", {"expected_version": 1, "reason": " "})
    assert no_reason.status_code in (403, 409, 422)
    unknown = post(clerk, "/000.00.33.H33-000000-0000/forward", {"expected_version": 1})
    assert unknown.status_code == 404
    assert Dossier.objects.get(code=code).version == 1


def test_apology_and_withdraw(world: World) -> None:
    clerk = client_for(world.staff.clerk)
    late = dossier_in_status(world, Status.PROCESSING)
    specialist = client_for(world.staff.specialist)
    detail = specialist.get(f"{URL}/{late.code}").json()
    assert detail["needs_apology"] is True
    apology = post(
        specialist,
        f"/{late.code}/apology",
        {
            "expected_version": 1,
            "reason": "Cần xác minh thêm",
            "new_due_at": "2099-01-05T08:00:00+07:00",
        },
    )
    assert apology.status_code == 200, apology.content
    body = apology.json()
    assert body["due_at"].startswith("2099-01-05T08:00:00")
    assert body["apologies"][0]["reason"] == "Cần xác minh thêm"
    assert body["needs_apology"] is False
    withdrawn = post(clerk, f"/{late.code}/withdraw", {"expected_version": 2, "reason": "Đơn rút"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == Status.WITHDRAWN
