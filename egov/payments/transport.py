"""The HTTP client between the platform and us, as an adapter.

:class:`HttpTransport` speaks real HTTP (``requests``): production, the demo
server and live-server tests. :class:`DjangoClientTransport` hands the same
requests (method, path, query, JSON body, headers) to this Django process through
``django.test.Client``, so unit tests exercise the real protocol of both sides,
our endpoints and the simulator's, without a network. Chosen by
``EGOV_PAYMENTS_TRANSPORT``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils.module_loading import import_string


class TransportError(Exception):
    """The other side could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class Transport(Protocol):
    def post_json(self, url: str, body: Mapping[str, Any]) -> Answer: ...

    def get(self, url: str, params: Mapping[str, Any]) -> Answer: ...


def _dump(body: Mapping[str, Any]) -> bytes:
    return json.dumps(dict(body), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class HttpTransport:
    """Real HTTP with a timeout (``EGOV_PAYGOV_TIMEOUT_SECONDS``)."""

    def __init__(self) -> None:
        self.timeout = int(settings.EGOV_PAYGOV_TIMEOUT_SECONDS)

    def post_json(self, url: str, body: Mapping[str, Any]) -> Answer:
        import requests

        try:
            response = requests.post(
                url,
                data=_dump(body),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise TransportError(str(error)) from error
        return Answer(response.status_code, response.content)

    def get(self, url: str, params: Mapping[str, Any]) -> Answer:
        import requests

        try:
            response = requests.get(url, params=dict(params), timeout=self.timeout)
        except requests.RequestException as error:
            raise TransportError(str(error)) from error
        return Answer(response.status_code, response.content)


class DjangoClientTransport:
    """The request goes to this process's URLconf (scheme and host are dropped)."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client()

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def post_json(self, url: str, body: Mapping[str, Any]) -> Answer:
        response = self.client.post(
            self._path(url), data=_dump(body), content_type="application/json"
        )
        return Answer(response.status_code, response.content)

    def get(self, url: str, params: Mapping[str, Any]) -> Answer:
        path = self._path(url)
        joiner = "&" if "?" in path else "?"
        response = self.client.get(f"{path}{joiner}{urlencode(dict(params))}")
        return Answer(response.status_code, response.content)


def get_transport() -> Transport:
    transport: Transport = import_string(str(settings.EGOV_PAYMENTS_TRANSPORT))()
    return transport
