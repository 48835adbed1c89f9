"""How the relying party reaches the identity provider's back channel.

The OpenID Connect code flow needs three server-to-server calls: the discovery
document, the signing keys (JWKS) and the token endpoint. They go through a small
:class:`HttpTransport`, chosen by ``EGOV_IDENTITY_HTTP_TRANSPORT``:

* ``http`` — :class:`RequestsTransport`, real HTTP (production, and the browser
  test against the live server);
* ``inprocess`` — :class:`InProcessTransport`, which hands the request to this
  Django application itself through ``django.test.Client``. Unit tests use it to
  run the real protocol against the simulator without a network, and a
  single-process demo server uses it because it cannot call itself over HTTP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings


class TransportError(Exception):
    """The provider could not be reached or did not answer with JSON."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: dict[str, Any]


class HttpTransport(Protocol):
    def get_json(self, url: str, *, bearer: str | None = None) -> HttpResponse: ...

    def post_form(
        self, url: str, data: dict[str, str], *, basic_auth: tuple[str, str] | None = None
    ) -> HttpResponse: ...


def basic_auth_header(client_id: str, secret: str) -> str:
    """RFC 6749 2.3.1: both parts form-urlencoded before Base64."""
    import base64
    from urllib.parse import quote_plus

    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}"
    return "Basic " + base64.b64encode(raw.encode()).decode("ascii")


def _parse(status: int, content: bytes) -> HttpResponse:
    try:
        body = json.loads(content or b"{}")
    except ValueError as exc:
        raise TransportError(f"not JSON (HTTP {status})") from exc
    if not isinstance(body, dict):
        raise TransportError(f"not a JSON object (HTTP {status})")
    return HttpResponse(status=status, body=body)


class RequestsTransport:
    """Real HTTP with ``requests``; TLS certificates are checked."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout if timeout is not None else settings.EGOV_IDENTITY_HTTP_TIMEOUT

    def get_json(self, url: str, *, bearer: str | None = None) -> HttpResponse:
        import requests

        headers = {"Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        try:
            response = requests.get(url, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransportError(str(exc)) from exc
        return _parse(response.status_code, response.content)

    def post_form(
        self, url: str, data: dict[str, str], *, basic_auth: tuple[str, str] | None = None
    ) -> HttpResponse:
        import requests

        headers = {"Accept": "application/json"}
        if basic_auth:
            headers["Authorization"] = basic_auth_header(*basic_auth)
        try:
            response = requests.post(url, data=data, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransportError(str(exc)) from exc
        return _parse(response.status_code, response.content)


class InProcessTransport:
    """Dispatches to this Django application through ``django.test.Client``.

    Only URLs on this server make sense here; the host and scheme of the URL are
    passed on so host checks and ``request.is_secure()`` behave as over HTTP.
    """

    def _client_and_path(self, url: str) -> tuple[Any, str, dict[str, Any]]:
        from django.test import Client

        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra: dict[str, Any] = {"HTTP_HOST": parts.netloc or "testserver"}
        client = Client(raise_request_exception=False)
        if parts.scheme == "https":
            extra["secure"] = True
        return client, path, extra

    def get_json(self, url: str, *, bearer: str | None = None) -> HttpResponse:
        client, path, extra = self._client_and_path(url)
        if bearer:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
        response = client.get(path, **extra)
        return _parse(response.status_code, response.content)

    def post_form(
        self, url: str, data: dict[str, str], *, basic_auth: tuple[str, str] | None = None
    ) -> HttpResponse:
        client, path, extra = self._client_and_path(url)
        if basic_auth:
            extra["HTTP_AUTHORIZATION"] = basic_auth_header(*basic_auth)
        response = client.post(path, data, **extra)
        return _parse(response.status_code, response.content)


def transport() -> HttpTransport:
    """The transport chosen by ``EGOV_IDENTITY_HTTP_TRANSPORT``."""
    if settings.EGOV_IDENTITY_HTTP_TRANSPORT == "inprocess":
        return InProcessTransport()
    return RequestsTransport()
