from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import Dossier
from egov.dossiers.tests.factories import World

from .conftest import APPLICANT, BIRTH_ANSWERS, fake_pdf, pdf_bytes

pytestmark = pytest.mark.django_db
BASE = "/api/v1/submissions"


@pytest.fixture
def api(world: World) -> Client:
    client = Client()
    client.force_login(world.staff.citizen)
    return client


def _create(api: Client, world: World) -> dict[str, Any]:
    response = api.post(
        f"{BASE}/drafts",
        {
            "procedure": "1.001193",
            "agency": world.org.district.code,
            "applicant": APPLICANT,
            "answers": BIRTH_ANSWERS,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_api_flow_with_idempotent_submit(api: Client, world: World) -> None:
    draft = _create(api, world)
    assert draft["form"]["schema"]["properties"]["ho_ten_tre"]["type"] == "string"
    assert draft["applicant"]["name"] == "Nguyễn Văn An"
    assert [p["step"] for p in draft["problems"]] == ["papers", "papers", "papers"]
    version = draft["version"]
    same = pdf_bytes("same paper")
    for paper in [p for p in draft["papers"] if not p["is_optional"]]:
        response = api.post(
            f"{BASE}/drafts/{draft['id']}/papers",
            {
                "expected_version": version,
                "required_paper": paper["required_paper"],
                "file": SimpleUploadedFile("p.pdf", same, content_type="application/pdf"),
            },
        )
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    bad = api.post(
        f"{BASE}/drafts/{draft['id']}/papers",
        {
            "expected_version": version,
            "required_paper": draft["papers"][0]["required_paper"],
            "file": fake_pdf(),
        },
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_file"
    stale = api.patch(
        f"{BASE}/drafts/{draft['id']}",
        {"expected_version": 1, "answers": {}},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_draft"
    missing = api.post(f"{BASE}/drafts/{draft['id']}/submit")
    assert missing.status_code == 400 and missing.json()["field"] == "Idempotency-Key"
    first = api.post(f"{BASE}/drafts/{draft['id']}/submit", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == 1 and body["channel"] == 2
    again = api.post(f"{BASE}/drafts/{draft['id']}/submit", HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 200 and again.json()["code"] == body["code"]
    assert Dossier.objects.count() == 1
    wallet = api.get(f"{BASE}/wallet").json()
    assert len(wallet) == 1  # three identical PDFs: deduplicated by content
    assert wallet[0]["source_dossier"] == body["code"]


def test_api_errors_and_access(api: Client, world: World) -> None:
    unknown = api.post(f"{BASE}/drafts", {"procedure": "9.999"}, content_type="application/json")
    assert unknown.status_code == 422 and set(unknown.json()) == {"code", "message", "field"}
    draft = _create(api, world)
    other = Client()
    sign_in_verified(other, world.staff.clerk)
    assert other.get(f"{BASE}/drafts/{draft['id']}").status_code == 401
    assert Client().get(f"{BASE}/wallet").status_code == 401
    answers = api.patch(
        f"{BASE}/drafts/{draft['id']}",
        {"expected_version": draft["version"], "answers": {**BIRTH_ANSWERS, "ho_ten_tre": ""}},
        content_type="application/json",
    )
    assert answers.status_code == 200
    incomplete = api.post(f"{BASE}/drafts/{draft['id']}/submit", HTTP_IDEMPOTENCY_KEY="x")
    assert incomplete.status_code == 422
    assert incomplete.json()["field"] == "declaration"
