"""Fixtures: the relying party talks to the simulator in-process (real protocol)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.core.integrations import InProcessTransport, Request, Response
from egov.identity import simulator
from egov.identity.demo import load_demo_simulator_identities

CITIZEN_SUBJECT = "vneid-c3a1f0e2-091090001234"
NEW_PERSON_SUBJECT = "vneid-7b2d4e91-091185004321"
BUSINESS_SUBJECT = "vneid-org-1701234567"


@pytest.fixture(autouse=True)
def identity_settings(settings: Any, db: Any) -> Any:
    settings.EGOV_SIMULATORS = True
    settings.EGOV_IDENTITY_ENABLED = True
    settings.EGOV_IDENTITY_ISSUER = ""
    settings.EGOV_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    settings.EGOV_IDENTITY_HTTP_TRANSPORT = "inprocess"
    ensure_default_roles()
    load_demo_simulator_identities()
    return settings


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class Answer:
    """Where the simulator sent the browser back to (the callback URL)."""

    callback: str

    @property
    def params(self) -> dict[str, str]:
        return query_of(self.callback)


def to_provider(client: Client, next_url: str = "") -> str:
    """Press the VNeID button: the authorization URL the browser is sent to."""
    url = "/tai-khoan/dinh-danh/dang-nhap/" + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.content
    return str(response["Location"])


def choose(client: Client, authorize_url: str, subject: str | None) -> Answer:
    """On the simulator's page, pick ``subject`` (or decline with ``None``)."""
    page = client.get(path_of(authorize_url))
    assert page.status_code == 200, page.content
    data = dict(query_of(authorize_url))
    data.update({"deny": "1"} if subject is None else {"subject": subject})
    response = client.post("/tai-khoan/dinh-danh/mo-phong/uy-quyen/", data)
    assert response.status_code == 302, response.content
    return Answer(callback=str(response["Location"]))


def sign_in(client: Client, subject: str | None, next_url: str = "") -> Any:
    answer = choose(client, to_provider(client, next_url), subject)
    return client.get(path_of(answer.callback))


class RewritingTransport:
    """A provider that misbehaves: passes the token endpoint's answer through
    ``rewrite`` (tests of the relying party's checks)."""

    def __init__(self, rewrite: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self.inner = InProcessTransport()
        self.rewrite = rewrite

    def send(self, request: Request, *, timeout: float) -> Response:
        answer = self.inner.send(request, timeout=timeout)
        if request.method == "POST" and answer.status == 200:
            body = answer.json()
            if isinstance(body, dict) and "id_token" in body:
                rewritten = json.dumps(self.rewrite(dict(body))).encode()
                return Response(answer.status, rewritten, answer.headers, answer.reason)
        return answer


def resign(id_token: str, **changes: Any) -> str:
    """The ID token re-signed with the simulator's real key after ``changes``."""
    claims = jwt.decode(id_token, options={"verify_signature": False})
    claims.update(changes)
    return simulator.sign(claims)


def now() -> int:
    return int(time.time())


def alert_text(response: Any) -> str:
    html = response.content.decode()
    match = re.search(r'role="alert"[^>]*>(.*?)</div>', html, re.S)
    return match.group(1) if match else ""
