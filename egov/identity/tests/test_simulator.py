"""The identity provider simulator speaks OpenID Connect correctly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.test import Client

from egov.core.integrations import InProcessTransport
from egov.identity import adapters, simulator
from egov.identity.models import SimulatorGrant, SimulatorKey
from egov.identity.tests.conftest import CITIZEN_SUBJECT, choose, query_of, to_provider

pytestmark = pytest.mark.django_db

TOKEN = "/tai-khoan/dinh-danh/mo-phong/token/"
BASE = "http://127.0.0.1:8000/tai-khoan/dinh-danh/mo-phong"


def code_and_verifier() -> tuple[str, str, Client]:
    client = Client()
    answer = choose(client, to_provider(client), CITIZEN_SUBJECT)
    return answer.params["code"], client.session["identity_oidc_flow"]["verifier"], client


# No published default: the demo (and the test suite) generates the secret.
SIM_SECRET = settings.EGOV_IDENTITY_SIM_CLIENT_SECRET


def exchange(code: str, verifier: str, secret: str = SIM_SECRET, **extra: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:8000/tai-khoan/dinh-danh/ket-qua/",
        "code_verifier": verifier,
        **extra,
    }
    answer = adapters.provider_system(InProcessTransport()).post_form(
        "token",
        BASE + "/token/",
        data,
        headers={"Authorization": adapters.basic_auth_header("egov-kien-giang", secret)},
    )
    return Answer(answer.status, adapters.json_object(answer))


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def test_discovery_and_jwks() -> None:
    doc = Client().get("/tai-khoan/dinh-danh/mo-phong/.well-known/openid-configuration").json()
    assert doc["issuer"] == BASE
    assert doc["token_endpoint"] == BASE + "/token/"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    keys = Client().get("/tai-khoan/dinh-danh/mo-phong/khoa/").json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert "d" not in keys[0] and "p" not in keys[0]  # no private parts
    assert SimulatorKey.objects.count() == 1
    Client().get("/tai-khoan/dinh-danh/mo-phong/khoa/")
    assert SimulatorKey.objects.count() == 1  # generated once


def test_code_exchange_and_userinfo() -> None:
    code, verifier, _client = code_and_verifier()
    answer = exchange(code, verifier)
    assert answer.status == 200, answer.body
    claims = jwt.decode(answer.body["id_token"], options={"verify_signature": False})
    assert claims["sub"] == CITIZEN_SUBJECT and claims["aud"] == "egov-kien-giang"
    reply = adapters.provider_system(InProcessTransport()).get(
        "userinfo",
        BASE + "/thong-tin/",
        headers={"Authorization": f"Bearer {answer.body['access_token']}"},
    )
    info = Answer(reply.status, adapters.json_object(reply))
    assert info.status == 200
    assert info.body["identity_number"] == "091090001234"
    assert info.body["sub"] == CITIZEN_SUBJECT


def test_code_is_single_use() -> None:
    code, verifier, _client = code_and_verifier()
    assert exchange(code, verifier).status == 200
    again = exchange(code, verifier)
    assert again.status == 400 and again.body["error"] == "invalid_grant"


def test_code_expires() -> None:
    code, verifier, _client = code_and_verifier()
    SimulatorGrant.objects.update(
        created_at=SimulatorGrant.objects.get().created_at
        - timedelta(seconds=simulator.CODE_SECONDS + 1)
    )
    assert exchange(code, verifier).body["error"] == "invalid_grant"


def test_pkce_is_checked() -> None:
    code, _verifier, _client = code_and_verifier()
    answer = exchange(code, "wrong-verifier-" + "x" * 40)
    assert answer.status == 400 and answer.body["error"] == "invalid_grant"


def test_client_must_authenticate() -> None:
    code, verifier, _client = code_and_verifier()
    answer = exchange(code, verifier, secret="guess")
    assert answer.status == 401 and answer.body["error"] == "invalid_client"
    # The code was not spent by the failed attempt.
    assert exchange(code, verifier).status == 200


def test_client_secret_post_is_accepted() -> None:
    code, verifier, _client = code_and_verifier()
    response = Client().post(
        TOKEN,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:8000/tai-khoan/dinh-danh/ket-qua/",
            "code_verifier": verifier,
            "client_id": "egov-kien-giang",
            "client_secret": SIM_SECRET,
        },
    )
    assert response.status_code == 200


def test_userinfo_needs_a_valid_token() -> None:
    assert Client().get("/tai-khoan/dinh-danh/mo-phong/thong-tin/").status_code == 401
    response = Client().get(
        "/tai-khoan/dinh-danh/mo-phong/thong-tin/", HTTP_AUTHORIZATION="Bearer nonsense"
    )
    assert response.status_code == 401


def test_unregistered_redirect_uri_is_not_followed() -> None:
    params = query_of(to_provider(Client()))
    params["redirect_uri"] = "https://evil.example.com/cb"
    response = Client().get("/tai-khoan/dinh-danh/mo-phong/uy-quyen/", params)
    assert response.status_code == 400
    assert "evil.example.com" not in response.get("Location", "")


def test_pkce_is_required() -> None:
    params = query_of(to_provider(Client()))
    del params["code_challenge"]
    assert Client().get("/tai-khoan/dinh-danh/mo-phong/uy-quyen/", params).status_code == 400


def test_authorize_page_lists_demo_identities() -> None:
    client = Client()
    page = client.get(to_provider(client).replace("http://127.0.0.1:8000", ""))
    html = page.content.decode()
    assert "Nguyễn Văn An" in html and "Trần Thị Bích Ngọc" in html
    assert 'name="deny"' in html


def test_simulator_off(settings: Any) -> None:
    settings.EGOV_SIMULATORS = False
    client = Client()
    assert (
        client.get("/tai-khoan/dinh-danh/mo-phong/.well-known/openid-configuration").status_code
        == 404
    )
    assert client.get("/tai-khoan/dinh-danh/mo-phong/uy-quyen/").status_code == 404
    assert client.post(TOKEN).status_code == 404
