from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from egov.core import request_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    candidate = request.META.get("REMOTE_ADDR", "")
    if settings.EGOV_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidate = forwarded.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class RequestContextMiddleware:
    """Gives every request an id (kept from X-Request-ID when well-formed) and
    records the client IP for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_context.bind(
            request_context.RequestContext(request_id=request_id, ip_address=client_ip(request))
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


def _origin(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def content_security_policy() -> str:
    """The header value built from ``settings.EGOV_CSP``. ``form-action`` also lists
    where a form's answer may redirect: the payment platform's page (the "pay"
    button posts here, then the browser is sent there), the public address (the
    demo's simulators answer on it) and ``EGOV_CSP_FORM_ACTION``."""
    directives = {name: list(sources) for name, sources in settings.EGOV_CSP.items()}
    extra = [
        str(getattr(settings, "EGOV_PAYGOV_PAY_URL", "")),
        str(getattr(settings, "EGOV_PUBLIC_BASE_URL", "")),
        *getattr(settings, "EGOV_CSP_FORM_ACTION", []),
    ]
    form_action = directives.setdefault("form-action", ["'self'"])
    for url in extra:
        origin = _origin(url)
        if origin and origin not in form_action:
            form_action.append(origin)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy to every answer that has none: pages load
    scripts, styles, fonts and images from this site only, run no inline script or
    style, and cannot be framed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._cached: tuple[tuple[str, ...], str] | None = None

    def _policy(self) -> str:
        # Settings may change in tests; rebuilding costs little but is kept per value.
        key = (
            repr(settings.EGOV_CSP),
            str(getattr(settings, "EGOV_PAYGOV_PAY_URL", "")),
            str(getattr(settings, "EGOV_PUBLIC_BASE_URL", "")),
            repr(getattr(settings, "EGOV_CSP_FORM_ACTION", [])),
        )
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, content_security_policy())
        return self._cached[1]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self._policy()
        return response
