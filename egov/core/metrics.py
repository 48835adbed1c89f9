"""Prometheus metrics of the platform, on ``/metrics`` for the internal network.

What is measured:

- ``egov_http_requests_total{route, method, status}`` and
  ``egov_http_request_duration_seconds{route}``: every answer, by URL pattern (not
  by path, so a million dossier codes stay one series), from :class:`MetricsMiddleware`;
- ``egov_background_job_runs_total{job, outcome}``: each run of a background job,
  ``ok`` or ``failed`` (``core.background``);
- gauges the apps register with :func:`register_gauge`, read at scrape time: queue
  lengths and the age of the oldest waiting outbox row, for instance.

Several gunicorn workers each count their own requests; with
``PROMETHEUS_MULTIPROC_DIR`` set (an empty directory shared by the workers of one
server, emptied at start) the endpoint adds them up, as prometheus_client's
multiprocess mode does. The endpoint answers the addresses in
``EGOV_METRICS_ALLOWED_IPS`` or a request carrying ``EGOV_METRICS_TOKEN`` as a
bearer token; everyone else gets 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "egov_http_requests",
    "HTTP requests answered, by URL pattern, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "egov_http_request_duration_seconds",
    "Time to answer a request, by URL pattern.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOB_RUNS = Counter(
    "egov_background_job_runs",
    "Runs of the background jobs, by job and outcome (ok, failed).",
    ["job", "outcome"],
)

#: name → (help, read); read returns the gauge's value now.
_GAUGES: dict[str, tuple[str, Callable[[], float]]] = {}


def register_gauge(name: str, help_text: str, read: Callable[[], float]) -> None:
    """Declare a gauge read at each scrape (apps call this in ``ready()``)."""
    _GAUGES[name] = (help_text, read)


class _RegisteredGauges(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, (help_text, read) in sorted(_GAUGES.items()):
            yield GaugeMetricFamily(name, help_text, value=float(read()))


_GAUGE_COLLECTOR = _RegisteredGauges()
REGISTRY.register(_GAUGE_COLLECTOR)


def exposition() -> bytes:
    """The text format of every metric, summed over the server's worker processes
    in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_GAUGE_COLLECTOR)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def _allowed(request: HttpRequest) -> bool:
    token = str(settings.EGOV_METRICS_TOKEN)
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.EGOV_METRICS_ALLOWED_IPS
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``GET /metrics`` for Prometheus; 404 to anyone not allowed (the endpoint
    does not advertise itself)."""
    if request.method != "GET" or not _allowed(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts and times every answer by its URL pattern."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match: Any = getattr(request, "resolver_match", None)
        route = str(match.route) if match is not None and match.route else "unmatched"
        LATENCY.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(route, request.method or "", str(response.status_code)).inc()
        return response
