"""``/api/v1/me``: the applicant's dossiers over JSON, own only, JSON errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.applicants.models import DeliveryChoice
from egov.applicants.tests.helpers import (
    client_for,
    fake_pdf,
    other_citizen,
    own_dossier,
    pdf_upload,
    supplement_requested,
)
from egov.dossiers.models import Status
from egov.dossiers.tests.factories import FrozenClock, World, dossier_in_status

pytestmark = pytest.mark.django_db

BASE = "/api/v1/me"


def csrf_client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def test_anonymous_and_staff_get_401(world: World, client: Client) -> None:
    response = client.get(f"{BASE}/dossiers")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    sign_in_verified(client, world.staff.clerk)
    assert client.get(f"{BASE}/dossiers").status_code == 401


def test_list_and_detail_of_own_dossiers(world: World, clock: FrozenClock) -> None:
    mine = supplement_requested(world)
    theirs = dossier_in_status(world, Status.PROCESSING, applicant=other_citizen())
    owner = client_for(world.staff.citizen)
    listing = owner.get(f"{BASE}/dossiers").json()
    assert [item["code"] for item in listing["items"]] == [mine.code]
    assert listing["items"][0]["needs_action"] is True
    assert owner.get(f"{BASE}/dossiers", {"status": 9}).json()["count"] == 0
    detail = owner.get(f"{BASE}/dossiers/{mine.code}").json()
    assert detail["status"] == 5
    assert detail["may_supplement"] is True
    assert detail["supplement_asked"] == ["Giấy xác nhận cư trú"]
    assert any("Giấy xác nhận cư trú" in step["asked"] for step in detail["steps"])
    assert {form["code"] for form in detail["forms"]} == {"01", "02"}
    missing = owner.get(f"{BASE}/dossiers/{theirs.code}")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "not_found",
        "message": missing.json()["message"],
        "field": None,
    }


def test_supplement_upload_over_the_api(world: World, clock: FrozenClock) -> None:
    dossier = supplement_requested(world)
    owner = csrf_client(world.staff.citizen)
    url = f"{BASE}/dossiers/{dossier.code}/supplement"
    stale = owner.post(url, {"version": dossier.version - 1, "files": [pdf_upload()]})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    fake = owner.post(url, {"version": dossier.version, "files": [fake_pdf()]})
    assert fake.status_code == 422
    assert fake.json()["field"] == "files[0]"
    stranger = csrf_client(other_citizen())
    assert (
        stranger.post(url, {"version": dossier.version, "files": [pdf_upload()]}).status_code == 404
    )
    done = owner.post(url, {"version": dossier.version, "files": [pdf_upload()], "note": "ok"})
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == Status.PROCESSING
    assert any(
        p["name"] == "Giấy xác nhận cư trú" and p["download_url"] for p in done.json()["papers"]
    )


def test_supplement_api_checks_csrf(world: World, clock: FrozenClock) -> None:
    dossier = supplement_requested(world)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.staff.citizen)
    response = strict.post(
        f"{BASE}/dossiers/{dossier.code}/supplement",
        {"version": dossier.version, "files": [pdf_upload()]},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_delivery_choice_over_the_api(world: World, clock: FrozenClock) -> None:
    dossier = own_dossier(world)
    owner = csrf_client(world.staff.citizen)
    url = f"{BASE}/dossiers/{dossier.code}/delivery"
    assert owner.get(url).json()["method"] is None
    bad = owner.put(url, {"method": "post", "address": "x"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid"
    good = owner.put(
        url,
        {
            "method": "post",
            "recipient_name": "Nguyễn Văn An",
            "address": "12 Trần Phú, Rạch Giá, Kiên Giang",
            "phone": "0912345678",
        },
        content_type="application/json",
    )
    assert good.status_code == 200
    assert good.json()["fee"] == 25000 and good.json()["can_change"] is True
    assert DeliveryChoice.objects.get(dossier=dossier).method == "post"
    stranger = csrf_client(other_citizen())
    assert stranger.get(url).status_code == 404
    assert stranger.put(url, {"method": "desk"}, content_type="application/json").status_code == 404
