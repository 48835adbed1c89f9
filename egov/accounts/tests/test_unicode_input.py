"""Vietnamese typed in NFD is stored and searched as NFC (issue 8, finding 10)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from django.http import HttpRequest, JsonResponse
from django.test import RequestFactory

from egov.accounts.models import AccountKind, User
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.core.unicode_input import NFCInputMiddleware

NAME = "Nguyễn Thị Hồng Ánh"
NFD = unicodedata.normalize("NFD", NAME)


def _echo(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body) if request.content_type == "application/json" else {}
    return JsonResponse(
        {"get": request.GET.get("q", ""), "post": request.POST.get("name", ""), "json": body}
    )


def test_the_forms_differ_before_normalising() -> None:
    assert NFD != NAME  # otherwise every test below proves nothing


def test_query_strings_form_fields_and_json_arrive_in_nfc() -> None:
    middleware = NFCInputMiddleware(_echo)
    factory = RequestFactory()
    answer = json.loads(middleware(factory.get("/", {"q": NFD})).content)
    assert answer["get"] == NAME
    answer = json.loads(middleware(factory.post("/", {"name": NFD})).content)
    assert answer["post"] == NAME
    payload = json.dumps({"applicant": {"name": NFD}, "tags": [NFD]})
    request = factory.post("/", payload, content_type="application/json")
    answer = json.loads(middleware(request).content)
    assert answer["json"] == {"applicant": {"name": NAME}, "tags": [NAME]}


def test_signed_callbacks_keep_their_exact_bytes() -> None:
    seen: list[bytes] = []

    def view(request: HttpRequest) -> JsonResponse:
        seen.append(request.body)
        return JsonResponse({})

    raw = json.dumps({"note": NFD}, ensure_ascii=False).encode()
    request = RequestFactory().post(
        "/api/v1/payments/callback", raw, content_type="application/json"
    )
    NFCInputMiddleware(view)(request)
    assert seen == [raw]


@pytest.mark.django_db
def test_registration_stores_an_nfd_name_in_nfc() -> None:
    response = english_client().post(
        "/tai-khoan/dang-ky/",
        {
            "kind": "citizen",
            "identifier": "091190001111",
            "full_name": NFD,
            "password1": "Sao8Mai9Sang",
            "password2": "Sao8Mai9Sang",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="091190001111").full_name == NAME


@pytest.mark.django_db
@pytest.mark.parametrize("stored, typed", [(NAME, NFD), (NAME, NAME)])
def test_staff_name_search_finds_the_name_in_either_form(stored: str, typed: str) -> None:
    User.objects.create_user("hong.anh", "Sao8Mai9Sang", full_name=stored, kind=AccountKind.STAFF)
    User.objects.create_user("nguoi.khac", "Sao8Mai9Sang", full_name="Lê Văn Tám", kind="staff")
    root = User.objects.create_superuser("root", "Root2020pass", full_name="Quản trị gốc")
    client = english_client()
    sign_in_verified(client, root)
    response = client.get("/admin/accounts/user/", {"q": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "hong.anh" in html
    assert "nguoi.khac" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["query", "form", "json"])
def test_a_nul_character_is_refused_before_any_view(where: str) -> None:
    """PostgreSQL cannot store U+0000 in text: the fuzzer's POST /api/v1/outgoing/
    documents with a NUL in a unit code got a 500 there. Every app now gets a 400."""
    factory = RequestFactory()
    middleware = NFCInputMiddleware(_echo)
    if where == "query":
        request = factory.get("/api/v1/x", {"q": "a\x00b"})
    elif where == "form":
        request = factory.post("/dang-ky/", {"name": "a\x00b"})
    else:
        request = factory.post(
            "/api/v1/outgoing/documents",
            json.dumps({"drafting_unit_code": "000\x00", "list": [{"k": "ok"}]}),
            content_type="application/json",
        )
    response = middleware(request)
    assert response.status_code == 400
    if request.path.startswith("/api/"):
        assert json.loads(response.content)["code"] == "invalid_text"
    else:
        assert "NUL" in response.content.decode()
