"""Operational monitoring of the gateway: Prometheus metrics counted at each call,
and figures per service and per consumer (counts, failures, p50/p95 durations)
read from the message log for the staff page, with its SVG charts drawn here on
the server (no script, no chart library)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from prometheus_client import Counter, Histogram

from egov.lgsp.models import MessageLogEntry, Outcome, Phase
from egov.lgsp.providers import ProviderAnswer, ProviderCall

REQUESTS = Counter(
    "egov_lgsp_requests",
    "Calls through the LGSP gateway, by service, consumer and HTTP status.",
    ["service", "consumer", "status"],
)
DURATION = Histogram(
    "egov_lgsp_request_duration_seconds",
    "Time the LGSP gateway took to answer, by service (provider time included).",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LOG_FAILURES = Counter(
    "egov_lgsp_log_failures",
    "Answers of forwarded calls that the LGSP message log could not record (the "
    "provider acted, its request row is logged): alert on any increase.",
    ["service"],
)

#: Outcomes that count as failures of the platform or the provider (refusals of
#: the consumer — 401, 403, 429 — are counted apart).
FAILURES = frozenset({Outcome.PROVIDER_ERROR, Outcome.TIMEOUT})
REFUSALS = frozenset(
    {
        Outcome.UNAUTHENTICATED,
        Outcome.FORBIDDEN,
        Outcome.LIMITED,
        Outcome.NOT_FOUND,
        Outcome.INVALID,
    }
)


def observe(service: str, consumer: str, status: int, duration_ms: float) -> None:
    REQUESTS.labels(service or "-", consumer or "-", str(status)).inc()
    DURATION.labels(service or "-").observe(duration_ms / 1000)


def log_failed(service: str) -> None:
    LOG_FAILURES.labels(service or "-").inc()


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted ``values`` (0 for none)."""
    if not values:
        return 0.0
    rank = max(1, math.ceil(share * len(values)))
    return values[min(rank, len(values)) - 1]


@dataclass
class Figures:
    name: str
    count: int = 0
    ok: int = 0
    failed: int = 0
    refused: int = 0
    p50: float = 0.0
    p95: float = 0.0


def figures(
    *, since: datetime | None = None, by: str = "service", limit: int = 200_000
) -> list[Figures]:
    """Figures per ``service`` or ``consumer`` since ``since`` (24 hours by default),
    busiest first."""
    since = since or timezone.now() - timedelta(hours=24)
    rows = (
        MessageLogEntry.objects.filter(at__gte=since)
        .exclude(phase=Phase.REQUEST)  # a two-row exchange counts once, by its answer
        .order_by("-id")
        .values_list(by, "outcome", "duration_ms")[:limit]
    )
    durations: dict[str, list[float]] = defaultdict(list)
    found: dict[str, Figures] = {}
    for name, outcome, duration in rows:
        item = found.setdefault(name, Figures(name))
        item.count += 1
        if outcome in FAILURES:
            item.failed += 1
        elif outcome in REFUSALS:
            item.refused += 1
        else:
            item.ok += 1
        durations[name].append(float(duration))
    for name, item in found.items():
        values = sorted(durations[name])
        item.p50 = round(percentile(values, 0.50), 1)
        item.p95 = round(percentile(values, 0.95), 1)
    return sorted(found.values(), key=lambda item: (-item.count, item.name))


# --- SVG charts ---------------------------------------------------------------------------

CHART_WIDTH = 560
LABEL_WIDTH = 230
BAR_AREA = 260
ROW = 30
TOP = 28


COLORS = {
    "ok": "#0b4a84",
    "refused": "#b7791f",
    "failed": "#a4161a",
    "p50": "#0b4a84",
    "p95": "#7fa7cf",
}


@dataclass
class Segment:
    x: float
    width: float
    css: str
    title: str

    @property
    def color(self) -> str:
        return COLORS[self.css]


@dataclass
class ChartRow:
    y: int
    label: str
    full_label: str
    segments: list[Segment]
    number: str
    number_x: float


@dataclass
class Chart:
    title: str
    height: int
    rows: list[ChartRow]
    legend: list[tuple[str, str, str]]
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def count_chart(items: list[Figures], title: str, labels: dict[str, str]) -> Chart | None:
    """Stacked bars: answered, refused, failed."""
    if not items:
        return None
    largest = max(item.count for item in items) or 1
    rows = []
    for index, item in enumerate(items[:12]):
        x = float(LABEL_WIDTH)
        segments = []
        for value, css, key in (
            (item.ok, "ok", "ok"),
            (item.refused, "refused", "refused"),
            (item.failed, "failed", "failed"),
        ):
            width = BAR_AREA * value / largest
            if value:
                segments.append(Segment(x, round(width, 1), css, f"{labels[key]}: {value}"))
            x += width
        rows.append(
            ChartRow(
                TOP + index * ROW,
                _short(item.name),
                item.name,
                segments,
                str(item.count),
                round(x + 6, 1),
            )
        )
    legend = [
        (COLORS[key], labels[key], str(140 * i))
        for i, key in enumerate(("ok", "refused", "failed"))
    ]
    return Chart(title, TOP + len(rows) * ROW + 10, rows, legend)


def duration_chart(items: list[Figures], title: str, labels: dict[str, str]) -> Chart | None:
    """Two bars per line: p50 and p95 in milliseconds."""
    if not items:
        return None
    largest = max(item.p95 for item in items) or 1.0
    rows = []
    for index, item in enumerate(items[:12]):
        p50_width = BAR_AREA * item.p50 / largest
        p95_width = BAR_AREA * item.p95 / largest
        segments = [
            Segment(LABEL_WIDTH, round(p95_width, 1), "p95", f"p95: {item.p95} ms"),
            Segment(LABEL_WIDTH, round(p50_width, 1), "p50", f"p50: {item.p50} ms"),
        ]
        rows.append(
            ChartRow(
                TOP + index * ROW,
                _short(item.name),
                item.name,
                segments,
                f"{item.p50} / {item.p95} ms",
                round(LABEL_WIDTH + p95_width + 6, 1),
            )
        )
    legend = [(COLORS[key], labels[key], str(200 * i)) for i, key in enumerate(("p50", "p95"))]
    return Chart(title, TOP + len(rows) * ROW + 10, rows, legend)


# --- operational monitoring as a service (X-Road: monitoring data is queryable) -------


def monitoring_provider(call: ProviderCall) -> ProviderAnswer:
    """Python provider ``lgsp.monitoring``: figures per service and per consumer over
    the last ``?gio=N`` hours (1–720, default 24), for a monitoring system granted
    the service."""
    from urllib.parse import parse_qs

    raw = parse_qs(call.query).get("gio", ["24"])[0]
    try:
        hours = min(720, max(1, int(raw)))
    except ValueError:
        return ProviderAnswer.of_json(
            {"code": "invalid", "message": "gio phải là số giờ (1–720).", "field": "gio"}, 422
        )
    since = timezone.now() - timedelta(hours=hours)

    def rows(by: str) -> list[dict[str, object]]:
        return [
            {
                "name": item.name,
                "count": item.count,
                "ok": item.ok,
                "refused": item.refused,
                "failed": item.failed,
                "p50_ms": item.p50,
                "p95_ms": item.p95,
            }
            for item in figures(since=since, by=by)
        ]

    return ProviderAnswer.of_json(
        {"hours": hours, "by_service": rows("service"), "by_consumer": rows("consumer")}
    )
