"""How a request reaches an outside system: one interface, two implementations.

* :class:`HttpTransport` speaks real HTTP with the standard library (TLS
  certificates checked, redirects not followed: a back-channel call answers
  where it was sent, or its 3xx is the answer).
* :class:`InProcessTransport` hands the same request to this Django application
  through ``django.test.Client`` (one WSGI call, no socket). Tests use it to run
  the real protocol of both sides against the platform's own simulators, and a
  single-process demo server uses it because it cannot call itself over HTTP.
  The host and scheme of the URL are passed on, so host checks and
  ``request.is_secure()`` behave as over HTTP. An in-process call cannot be
  interrupted, so its timeout is judged once it returns.

:func:`transport_for` turns a setting's value into a transport: ``"http"``,
``"inprocess"`` (or a boolean: in-process or not), or the dotted path of a class.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

from egov.core.integrations.errors import TransportError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def with_headers(self, **extra: str) -> Request:
        """A copy with ``extra`` headers (``X_Api_Key`` style names: ``_`` → ``-``)."""
        merged = dict(self.headers)
        merged.update({name.replace("_", "-"): value for name, value in extra.items()})
        return replace(self, headers=merged)


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""

    def json(self) -> Any:
        """The body as JSON (``ValueError`` when it is not)."""
        import json

        return json.loads(self.body.decode("utf-8") or "null")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Transport(Protocol):
    def send(self, request: Request, *, timeout: float) -> Response:
        """Deliver ``request``; any HTTP status is an answer. Raises
        :class:`TransportError` when there is no answer."""
        ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpTransport:
    """Real HTTP(S) with :mod:`urllib.request`."""

    def __init__(self) -> None:
        self._opener = urllib.request.build_opener(
            _NoRedirect(), urllib.request.HTTPSHandler(context=ssl.create_default_context())
        )

    def send(self, request: Request, *, timeout: float) -> Response:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise TransportError(f"unsupported URL scheme {parts.scheme!r}", sent=False)
        outgoing = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            request.url,
            data=request.body if request.method not in SAFE_METHODS else None,
            headers=dict(request.headers),
            method=request.method,
        )
        try:
            with self._opener.open(outgoing, timeout=timeout) as answer:
                return Response(
                    answer.status, answer.read(), _headers(answer.headers), answer.reason
                )
        except urllib.error.HTTPError as error:
            # 4xx/5xx (and unfollowed 3xx) are answers, not transport failures.
            with error:
                body = error.read()
            return Response(error.code, body, _headers(error.headers), str(error.reason))
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise TransportError(f"no answer within {timeout} s", timeout=True) from None
            # Name resolution or connection refused: the request never left.
            sent = not isinstance(reason, socket.gaierror | ConnectionRefusedError)
            raise TransportError(f"unreachable: {reason}", sent=sent) from None
        except TimeoutError:
            raise TransportError(f"no answer within {timeout} s", timeout=True) from None
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(f"connection failed: {error}") from None


def _headers(message: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (message or {}).items()}


_HANDLER: list[Any] = []


def _forget_handler(**_kwargs: Any) -> None:
    _HANDLER.clear()


def _shared_handler() -> Any:
    """One request handler for every in-process call, like the one WSGI handler of a
    server process: a new test client per call would build the whole middleware
    chain each time (about a millisecond). Any setting changed (tests'
    ``override_settings``) drops it, as middleware read settings when built."""
    if not _HANDLER:
        from django.test.client import ClientHandler
        from django.test.signals import setting_changed

        setting_changed.connect(_forget_handler, dispatch_uid="inprocess-handler")
        _HANDLER.append(ClientHandler(enforce_csrf_checks=False))
    return _HANDLER[0]


class InProcessTransport:
    """Dispatches to this Django application through ``django.test.Client`` (a fresh
    client per call, so no cookie passes from one call to the next; the request
    handler behind it is shared).

    ``calls`` counts the requests sent, so tests can see how many reached the
    other side (retries included).
    """

    def __init__(self) -> None:
        self.calls = 0

    def send(self, request: Request, *, timeout: float) -> Response:
        from django.test import Client
        from django.urls import get_resolver

        self.calls += 1
        # Import the URLconf before the clock starts: a process's first in-process
        # call would otherwise count loading every app's views against the other side.
        get_resolver().url_patterns  # noqa: B018
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra: dict[str, Any] = {"HTTP_HOST": parts.netloc or "testserver"}
        content_type = "application/octet-stream"
        for name, value in request.headers.items():
            if name.lower() == "content-type":
                content_type = value
            elif name.lower() not in ("content-length", "host"):
                extra["HTTP_" + name.upper().replace("-", "_")] = value
        started = time.monotonic()
        client = Client(raise_request_exception=False)
        client.handler = _shared_handler()
        answer = client.generic(
            request.method,
            path,
            data=request.body,
            content_type=content_type,
            secure=parts.scheme == "https",
            **extra,
        )
        if time.monotonic() - started > timeout:
            raise TransportError(f"no answer within {timeout} s", timeout=True)
        return Response(
            answer.status_code,
            answer.content,
            {name.lower(): value for name, value in answer.items()},
            answer.reason_phrase,
        )


#: Dotted paths the payment setting named before the transports were shared.
_LEGACY = {
    "egov.payments.transport.HttpTransport": "http",
    "egov.payments.transport.DjangoClientTransport": "inprocess",
}


def transport_for(choice: str | bool) -> Transport:
    """The transport a setting names: ``http``, ``inprocess``, a boolean (in-process
    or not) or the dotted path of a :class:`Transport` class."""
    if isinstance(choice, bool):
        return InProcessTransport() if choice else HttpTransport()
    name = _LEGACY.get(str(choice), str(choice)).strip()
    if name.lower() == "http":
        return HttpTransport()
    if name.lower() == "inprocess":
        return InProcessTransport()
    if "." in name:
        from django.utils.module_loading import import_string

        made: Transport = import_string(name)()
        return made
    raise ValueError(f"unknown transport {choice!r}: use 'http', 'inprocess' or a dotted path")
