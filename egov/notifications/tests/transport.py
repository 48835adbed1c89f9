"""Test support: route ``requests`` to this Django in-process.

:class:`DjangoClientAdapter` is a ``requests`` transport adapter that answers
requests with Django's test :class:`~django.test.Client`, so the real HTTP SMS
adapter talks to the real simulator views without a socket. A request that took
longer than the read timeout raises ``requests.ReadTimeout``, as a slow server
would (the in-process call cannot be interrupted, so it is judged afterwards).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import requests
from django.test import Client
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class DjangoClientAdapter(BaseAdapter):
    def __init__(self, client: Client | None = None) -> None:
        super().__init__()
        self.client = client or Client()
        self.calls = 0

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        self.calls += 1
        parts = urlsplit(request.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers: dict[str, Any] = {
            f"HTTP_{name.upper().replace('-', '_')}": str(value)
            for name, value in request.headers.items()
            if name.lower() not in {"content-type", "content-length"}
        }
        started = time.monotonic()
        answer = self.client.generic(
            request.method or "GET",
            path,
            data=request.body or b"",
            content_type=str(request.headers.get("Content-Type", "application/octet-stream")),
            **headers,
        )
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        if read_timeout is not None and time.monotonic() - started > float(read_timeout):
            raise requests.ReadTimeout(f"read timed out ({read_timeout} s)", request=request)
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = request.url or ""
        response.request = request
        response.reason = answer.reason_phrase
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def session_to_this_site(client: Client | None = None) -> requests.Session:
    """A ``requests`` session whose http:// and https:// calls go to this Django."""
    session = requests.Session()
    adapter = DjangoClientAdapter(client)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
