"""The client every adapter of an outside system uses.

:class:`OutsideSystem` puts together what each adapter used to write for itself:
a transport (:mod:`.transport`), a timeout, retries with exponential backoff, an
optional request signer (:mod:`.signing`) and the call log (:mod:`.calllog`).
An adapter keeps only its protocol: which URL, which body, what the answer means.

Retries are only for calls that are safe to repeat: an idempotent call (GET and
the other safe methods, or a call the adapter marks idempotent because the other
side deduplicates it, e.g. on our reference) is tried again after a timeout, a
lost connection or a 502/503/504; any call is tried again when the request never
left (connection refused, unknown host). Everything else is answered at once,
and the adapter decides what the answer means.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from egov.core.integrations.calllog import record_call
from egov.core.integrations.errors import TransportError
from egov.core.integrations.signing import RequestSigner
from egov.core.integrations.transport import SAFE_METHODS, Request, Response, Transport

RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; the wait before try n+1 is ``backoff * 2**(n-1)``
    seconds (at most ``backoff_max``), less up to a quarter at random so that
    many callers do not come back at the same instant."""

    attempts: int = 1
    backoff: float = 0.5
    backoff_max: float = 8.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        base = min(self.backoff * (2 ** (attempt - 1)), self.backoff_max)
        return base * (1 - 0.25 * (rng or random).random())


NO_RETRY = RetryPolicy(attempts=1)


def default_retry() -> RetryPolicy:
    """The policy of ``EGOV_INTEGRATIONS_RETRIES`` / ``EGOV_INTEGRATIONS_BACKOFF_MS``."""
    from django.conf import settings

    return RetryPolicy(
        attempts=1 + max(0, int(settings.EGOV_INTEGRATIONS_RETRIES)),
        backoff=max(0, int(settings.EGOV_INTEGRATIONS_BACKOFF_MS)) / 1000,
    )


class OutsideSystem:
    """Calls to one outside system (``name`` appears in the call log)."""

    def __init__(
        self,
        name: str,
        *,
        transport: Transport,
        timeout: float,
        retry: RetryPolicy = NO_RETRY,
        signer: RequestSigner | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log_calls: bool = True,
    ) -> None:
        self.name = name
        #: ``False`` for a caller that keeps its own record of every call (the LGSP
        #: gateway's message log): one row per call, not two.
        self.log_calls = log_calls
        self.transport = transport
        self.timeout = float(timeout)
        self.retry = retry
        self.signer = signer
        self.sleep = sleep

    def call(
        self,
        operation: str,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        idempotent: bool | None = None,
        timeout: float | None = None,
    ) -> Response:
        """Send one request (with retries as the policy allows); any HTTP status
        is returned. Raises :class:`TransportError` when no answer came."""
        method = method.upper()
        request = Request(method, url, dict(headers or {}), body)
        if self.signer is not None:
            request = self.signer.apply(request)
        repeatable = method in SAFE_METHODS if idempotent is None else idempotent
        wait = self.timeout if timeout is None else float(timeout)
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self.transport.send(request, timeout=wait)
            except TransportError as error:
                self._log(operation, request, started, attempt, error=error)
                may_retry = repeatable or not error.sent
                if may_retry and attempt < self.retry.attempts:
                    self.sleep(self.retry.delay(attempt))
                    continue
                raise
            self._log(operation, request, started, attempt, response=response)
            if repeatable and response.status in RETRY_STATUSES and attempt < self.retry.attempts:
                self.sleep(self.retry.delay(attempt))
                continue
            return response

    def _log(
        self,
        operation: str,
        request: Request,
        started: float,
        attempt: int,
        *,
        response: Response | None = None,
        error: TransportError | None = None,
    ) -> None:
        if not self.log_calls:
            return
        if error is not None:
            outcome, status, text = (
                ("timeout" if error.timeout else "unreachable"),
                None,
                str(error),
            )
        else:
            assert response is not None
            status = response.status
            outcome = "ok" if status < 400 else "http_error"
            text = "" if status < 400 else f"HTTP {status} {response.reason}".strip()
        record_call(
            system=self.name,
            operation=operation,
            method=request.method,
            url=request.url,
            outcome=outcome,
            duration=time.monotonic() - started,
            attempt=attempt,
            status=status,
            error=text,
        )

    # --- the shapes of request the adapters send -------------------------------------

    def get(
        self,
        operation: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        if params:
            joiner = "&" if "?" in url else "?"
            url = f"{url}{joiner}{urlencode({k: _text(v) for k, v in params.items()})}"
        return self.call(
            operation, "GET", url, headers={"Accept": "application/json", **(headers or {})}
        )

    def post_json(
        self,
        operation: str,
        url: str,
        payload: Any,
        *,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
    ) -> Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self.post_bytes(
            operation,
            url,
            body,
            "application/json; charset=utf-8",
            headers=headers,
            idempotent=idempotent,
            timeout=timeout,
        )

    def post_bytes(
        self,
        operation: str,
        url: str,
        body: bytes,
        content_type: str,
        *,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
    ) -> Response:
        sent = {"Content-Type": content_type, "Accept": "application/json", **(headers or {})}
        return self.call(
            operation, "POST", url, headers=sent, body=body, idempotent=idempotent, timeout=timeout
        )

    def post_form(
        self,
        operation: str,
        url: str,
        data: Mapping[str, str],
        *,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Response:
        body = urlencode(dict(data)).encode("ascii")
        return self.post_bytes(
            operation,
            url,
            body,
            "application/x-www-form-urlencoded",
            headers=headers,
            idempotent=idempotent,
        )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
