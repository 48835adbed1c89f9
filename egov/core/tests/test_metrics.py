"""/metrics is scraped by Prometheus from the internal network (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from egov.core import background, metrics

pytestmark = pytest.mark.django_db


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _requests(samples: dict[Any, float], route: str, status: str) -> float:
    return samples.get(
        ("egov_http_requests_total", (("method", "GET"), ("route", route), ("status", status))), 0
    )


def test_a_scrape_counts_requests_by_route_jobs_and_the_outbox(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The runner closes stale connections around a job; inside the test's
    # transaction that would close the test's own connection.
    monkeypatch.setattr(background, "close_old_connections", lambda: None)
    before = _samples(client.get("/metrics").content.decode())
    client.get("/healthz")
    client.get("/healthz")
    client.get("/khong-co-trang-nay/")

    def broken() -> None:
        raise RuntimeError("down")

    background.run_job(background.Job(name="test.broken", run=broken, every_seconds=60))

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    after = _samples(response.content.decode())
    assert _requests(after, "healthz", "200") - _requests(before, "healthz", "200") == 2
    assert _requests(after, "unmatched", "404") >= 1
    # Routes are URL patterns, never paths with codes in them.
    assert not any("khong-co-trang-nay" in str(key) for key in after)
    failed = ("egov_background_job_runs_total", (("job", "test.broken"), ("outcome", "failed")))
    assert after[failed] - before.get(failed, 0) == 1
    assert after[("egov_notifications_waiting", ())] == 0
    assert (
        "egov_http_request_duration_seconds_bucket",
        (("le", "0.5"), ("route", "healthz")),
    ) in after


def test_outside_the_internal_network_the_endpoint_does_not_exist(settings: Any) -> None:
    outside = Client(REMOTE_ADDR="203.0.113.5")
    assert outside.get("/metrics").status_code == 404
    settings.EGOV_METRICS_TOKEN = "a-long-random-scrape-token-for-tests"
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    allowed = outside.get(
        "/metrics", HTTP_AUTHORIZATION="Bearer a-long-random-scrape-token-for-tests"
    )
    assert allowed.status_code == 200
    settings.EGOV_METRICS_ALLOWED_IPS = ["203.0.113.0/24"]
    assert outside.get("/metrics").status_code == 200


def test_registered_gauges_are_read_at_each_scrape(client: Client) -> None:
    value = {"now": 3.0}
    metrics.register_gauge("egov_test_gauge", "A gauge for the test.", lambda: value["now"])
    try:
        assert _samples(client.get("/metrics").content.decode())[("egov_test_gauge", ())] == 3.0
        value["now"] = 7.0
        assert _samples(client.get("/metrics").content.decode())[("egov_test_gauge", ())] == 7.0
    finally:
        metrics._GAUGES.pop("egov_test_gauge")
