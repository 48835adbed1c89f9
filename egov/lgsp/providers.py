"""Where the gateway sends a call: the registry of Python providers and the
forwarding of each provider kind.

A provider row (:class:`~egov.lgsp.models.Provider`) says the kind:

- ``internal``: one of the platform's own APIs (``target`` such as ``/api/v1``), called
  in-process through :class:`~egov.core.integrations.InProcessTransport`;
- ``http``: an outside system or its simulator (``target``: base URL), through an
  :class:`~egov.core.integrations.OutsideSystem` (transport, timeout and call log as
  every adapter, ADR 7);
- ``python``: a callable registered here with :func:`register` (``target``: its
  name). Other apps register theirs from their ``AppConfig.ready()`` — e.g. the
  document axis later: ``lgsp.providers.register("axis.send", handler)`` and a
  ``Provider(kind="python", target="axis.send")`` row.

A handler receives a :class:`ProviderCall` and returns a :class:`ProviderAnswer`;
it raises :class:`~egov.core.integrations.TransportError` when its outside system
did not answer (the gateway answers 504 or 502).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from egov.core.integrations import (
    NO_RETRY,
    InProcessTransport,
    OutsideSystem,
    Request,
    transport_for,
)
from egov.lgsp.models import Provider, Service
from egov.lgsp.services import API_KEY_SETTING


@dataclass(frozen=True)
class ProviderCall:
    service: Service
    method: str
    #: The rest of the gateway path after the service (and version), with leading ``/``.
    path: str
    query: str
    body: bytes
    consumer: str
    request_id: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderAnswer:
    status: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def of_json(cls, payload: Any, status: int = 200) -> ProviderAnswer:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(status, body, "application/json; charset=utf-8")


Handler = Callable[[ProviderCall], ProviderAnswer]

_HANDLERS: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    """Declare the Python provider ``name`` (registering again replaces it)."""
    _HANDLERS[name] = handler


def registered() -> list[str]:
    return sorted(_HANDLERS)


def handler(name: str) -> Handler | None:
    return _HANDLERS.get(name)


#: Headers passed on to a provider (the rest, credentials included, stay here).
_FORWARDED = ("accept", "content-type", "accept-language")

_INPROCESS = InProcessTransport()


def _url(base: str, call: ProviderCall) -> str:
    url = base.rstrip("/")
    target_path = call.service.target_path.strip("/")
    if target_path:
        url += "/" + target_path
    rest = call.path.strip("/")
    if rest:
        url += "/" + rest + ("/" if call.path.endswith("/") else "")
    return url + (f"?{call.query}" if call.query else "")


def _headers(call: ProviderCall, provider: Provider) -> dict[str, str]:
    headers = {name: value for name, value in call.headers.items() if name.lower() in _FORWARDED}
    headers["X-Road-Client"] = call.consumer
    headers["X-Road-Id"] = call.request_id
    if provider.api_key_setting and API_KEY_SETTING.match(provider.api_key_setting):
        headers["X-Api-Key"] = str(getattr(settings, provider.api_key_setting, "") or "")
    return headers


def forward(call: ProviderCall, *, host: str = "testserver") -> ProviderAnswer:
    """Send ``call`` to its service's provider. Raises ``LookupError`` for a
    provider that cannot be used (unknown Python provider), ``TransportError`` when
    the provider did not answer."""
    provider = call.service.provider
    if provider.kind == "python":
        found = _HANDLERS.get(provider.target)
        if found is None:
            raise LookupError(provider.target)
        return found(call)
    if provider.kind == "internal":
        url = "http://" + host + _url(provider.target, call)
        answer = _INPROCESS.send(
            Request(call.method, url, _headers(call, provider), call.body),
            timeout=provider.timeout_seconds,
        )
    else:
        system = OutsideSystem(
            f"lgsp:{provider.name}",
            transport=transport_for(provider.transport or "http"),
            timeout=provider.timeout_seconds,
            retry=NO_RETRY,
            # The message log records every provider call (status, duration, outcome).
            log_calls=False,
        )
        answer = system.call(
            call.service.code,
            call.method,
            _url(provider.target, call),
            headers=_headers(call, provider),
            body=call.body,
        )
    content_type = answer.headers.get("content-type", "application/octet-stream")
    return ProviderAnswer(answer.status, answer.body, content_type)
