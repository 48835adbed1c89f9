"""The REST gateway: ``/lgsp/r1/{serviceId}/…`` (X-Road message protocol for REST).

One call: the consumer proves who it is (:mod:`.auth`), the service is found in
the registry, the consumer's access right is checked, then the limits
(:mod:`.limits`); the call goes to the provider (:mod:`.providers`) and the
exchange is logged (:mod:`.messagelog`) and counted (:mod:`.monitoring`) whatever
the outcome. Answers carry ``X-Road-Id``, ``X-Road-Request-Id`` and
``X-Road-Request-Hash``. Refusals are JSON (``code``, ``message``, ``consumer``,
``service``): 401 unauthenticated, 403 no access right, 404 unknown service, 405,
413, 429 (with ``Retry-After``), 502 provider failed, 504 provider timed out.
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from egov.core.integrations import TransportError
from egov.lgsp import auth, limits, messagelog, monitoring, providers, selectors
from egov.lgsp.errors import GatewayRefusal
from egov.lgsp.identifiers import parse_service_path
from egov.lgsp.models import Consumer, Outcome, Phase, Service

logger = logging.getLogger(__name__)


def _json(status: int, body: dict[str, object]) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _refusal_response(refusal: GatewayRefusal) -> HttpResponse:
    body = {"code": refusal.code, "message": refusal.message, "field": None, **refusal.extra()}
    response = _json(refusal.http_status, body)
    if refusal.retry_after is not None:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def _resolve(service_path: str, consumer: Consumer, method: str) -> tuple[Service, str]:
    parsed = parse_service_path(service_path)
    found = selectors.resolve_service(parsed) if parsed is not None else None
    if found is None:
        raise GatewayRefusal(
            _("No active service is registered at %(service)s.") % {"service": service_path},
            code="not_found",
            http_status=404,
            outcome=Outcome.NOT_FOUND,
            consumer=consumer.identifier,
        )
    service, rest = found
    if any(part in (".", "..") for part in rest) or any("\\" in part for part in rest):
        raise GatewayRefusal(
            _("The path after the service may not contain “.” or “..” parts."),
            code="invalid_path",
            http_status=400,
            outcome=Outcome.INVALID,
            consumer=consumer.identifier,
            service=service.identifier,
        )
    if method not in service.allowed_methods():
        raise GatewayRefusal(
            _("The service %(service)s does not accept %(method)s.")
            % {"service": service.identifier, "method": method},
            code="method_not_allowed",
            http_status=405,
            outcome=Outcome.INVALID,
            consumer=consumer.identifier,
            service=service.identifier,
        )
    return service, "/" + "/".join(rest) if rest else ""


def _authorise(consumer: Consumer, service: Service) -> None:
    right = selectors.right_for(consumer, service)
    if right is None:
        raise GatewayRefusal(
            _("The consumer %(consumer)s has no access right to the service %(service)s.")
            % {"consumer": consumer.identifier, "service": service.identifier},
            code="forbidden",
            http_status=403,
            outcome=Outcome.FORBIDDEN,
            consumer=consumer.identifier,
            service=service.identifier,
        )
    limits.check_and_count(right)


def _call_provider(call: providers.ProviderCall, host: str) -> providers.ProviderAnswer:
    service = call.service
    try:
        return providers.forward(call, host=host)
    except TransportError as error:
        timed_out = error.timeout
        raise GatewayRefusal(
            (
                _("The provider of %(service)s did not answer in time.")
                if timed_out
                else _("The provider of %(service)s cannot be reached.")
            )
            % {"service": service.identifier},
            code="provider_timeout" if timed_out else "provider_unreachable",
            http_status=504 if timed_out else 502,
            outcome=Outcome.TIMEOUT if timed_out else Outcome.PROVIDER_ERROR,
            consumer=call.consumer,
            service=service.identifier,
        ) from None
    except LookupError:
        raise GatewayRefusal(
            _("The provider of %(service)s is not available on this platform.")
            % {"service": service.identifier},
            code="provider_missing",
            http_status=502,
            outcome=Outcome.PROVIDER_ERROR,
            consumer=call.consumer,
            service=service.identifier,
        ) from None
    except Exception:
        logger.exception("LGSP provider of %s failed", service.identifier)
        raise GatewayRefusal(
            _("The provider of %(service)s failed.") % {"service": service.identifier},
            code="provider_error",
            http_status=502,
            outcome=Outcome.PROVIDER_ERROR,
            consumer=call.consumer,
            service=service.identifier,
        ) from None


#: Methods a provider may not act on: a failure of their log after forwarding
#: may be answered 503 (a retry repeats nothing).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _log_unavailable() -> HttpResponse:
    return _json(
        503,
        {
            "code": "log_unavailable",
            "field": None,
            "message": _("The message log is unavailable; try again later."),
        },
    )


@csrf_exempt
def gateway(request: HttpRequest, service_path: str) -> HttpResponse:
    """One call. A safe call (GET, HEAD, OPTIONS) is logged once, after the answer;
    if that fails the consumer gets 503 (X-Road stops when logging fails) and may
    simply ask again. A call that may act at the provider is logged twice: its
    request row is written *before* it is forwarded (a log that cannot be written
    stops it before anything happened: 503, nothing to repeat), its answer row
    after; if the answer row cannot be written the provider has acted already, so
    the consumer still gets the provider's answer (a 503 would invite a retry that
    acts twice) and the gap is alerted (error log, ``egov_lgsp_log_failures``
    metric, ``X-Road-Log: incomplete``) and listed by ``verify_lgsp_log``."""
    started = time.perf_counter()
    request_id = uuid.uuid4().hex
    method = (request.method or "GET").upper()
    full_path = request.get_full_path()
    body = b""
    consumer_name = request.headers.get("X-Road-Client", "")[:200]
    service_name = service_path[:250]
    response_body = b""
    request_logged = False

    def message(phase: str, status: int, outcome: str, answer: bytes) -> messagelog.Message:
        return messagelog.Message(
            request_id=request_id,
            consumer=consumer_name or "-",
            service=service_name,
            method=method,
            path=full_path,
            status=status,
            outcome=outcome,
            duration_ms=(time.perf_counter() - started) * 1000,
            request_body=body,
            response_body=answer,
            phase=phase,
            keep_request_body=phase != Phase.RESPONSE,
        )

    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > int(settings.EGOV_LGSP_MAX_BODY_BYTES):
            raise GatewayRefusal(
                _("The request body is too large."),
                code="too_large",
                http_status=413,
                outcome=Outcome.INVALID,
            )
        body = request.body
        consumer = auth.authenticate(
            request.headers.get("X-Road-Client", ""), request.headers.get("Authorization", "")
        )
        consumer_name = consumer.identifier
        service, rest = _resolve(service_path, consumer, method)
        service_name = service.identifier
        _authorise(consumer, service)
        if method not in SAFE_METHODS:
            try:
                messagelog.append(message(Phase.REQUEST, 0, Outcome.FORWARDING, b""))
            except Exception:
                logger.exception("LGSP message log append failed; %s not forwarded", request_id)
                return _log_unavailable()
            request_logged = True
        answer = _call_provider(
            providers.ProviderCall(
                service=service,
                method=method,
                path=rest,
                query=request.META.get("QUERY_STRING", ""),
                body=body,
                consumer=consumer_name,
                request_id=request_id,
                headers=dict(request.headers),
            ),
            request.get_host(),
        )
        if answer.status >= 500:
            raise GatewayRefusal(
                _("The provider of %(service)s failed (HTTP %(status)s).")
                % {"service": service_name, "status": answer.status},
                code="provider_error",
                http_status=502,
                outcome=Outcome.PROVIDER_ERROR,
                consumer=consumer_name,
                service=service_name,
            )
        response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
        response_body = answer.body
        outcome = Outcome.OK if answer.status < 400 else Outcome.CLIENT_ERROR
    except GatewayRefusal as refusal:
        response = _refusal_response(refusal)
        response_body = response.content
        outcome = Outcome(refusal.outcome)
    response["X-Road-Id"] = request_id
    response["X-Road-Request-Id"] = request_id
    response["X-Road-Request-Hash"] = messagelog.request_hash(method, full_path, body)
    if service_name:
        response["X-Road-Service"] = service_name
    phase = Phase.RESPONSE if request_logged else Phase.EXCHANGE
    logged = message(phase, response.status_code, str(outcome), response_body)
    try:
        messagelog.append(logged)
    except Exception:
        if not request_logged:
            # Without its log line an exchange must not look answered: X-Road stops
            # forwarding when logging fails, and so does this gateway. The call was
            # safe, so asking again repeats nothing.
            logger.exception("LGSP message log append failed")
            return _log_unavailable()
        # The provider has acted: answer what it said, never an invitation to retry.
        logger.critical(
            "LGSP message log could not record the answer of %s (%s %s → %s, HTTP %s); "
            "the request row is logged, the answer is not",
            request_id,
            method,
            service_name,
            consumer_name,
            response.status_code,
            exc_info=True,
        )
        monitoring.log_failed(service_name)
        response["X-Road-Log"] = "incomplete"
    monitoring.observe(service_name, consumer_name or "-", response.status_code, logged.duration_ms)
    return response
