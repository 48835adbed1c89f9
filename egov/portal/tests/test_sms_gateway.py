"""Finding 4 of the security review: only the SMS gateway may ask, and what it passes
on is counted over all its sender numbers, so codes cannot be enumerated by varying
the ``from`` number."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from egov.dossiers.tests.test_lookup import PRIVATE_CODE, build_lookup_world
from egov.portal.tests.test_api import sms

TOKEN = "a-long-random-token-shared-with-the-gateway"


@pytest.mark.django_db
def test_outside_the_demo_the_endpoint_is_closed_without_a_token(
    client: Client, settings: Any
) -> None:
    settings.EGOV_DEMO = False
    settings.EGOV_PORTAL_SMS_TOKEN = ""
    refused = sms(client, "HS 1")
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "gateway_not_configured",
        "message": "Tra cứu qua SMS đang đóng: chưa cấu hình mã bí mật của cổng SMS.",
        "field": None,
    }
    # Any bearer is refused as well: there is nothing to compare it with.
    assert sms(client, "HS 1", HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_a_wrong_or_missing_token_is_refused(client: Client, settings: Any) -> None:
    settings.EGOV_DEMO = False
    settings.EGOV_PORTAL_SMS_TOKEN = TOKEN
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": TOKEN}):
        refused = sms(client, "HS 1", **header)
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthenticated"
    assert sms(client, "xin chao", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.django_db
def test_guesses_are_counted_per_gateway_over_every_sender(client: Client, settings: Any) -> None:
    build_lookup_world()
    settings.EGOV_PORTAL_SMS_TOKEN = TOKEN
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 2  # per sender number
    settings.EGOV_PORTAL_SMS_GATEWAY_UNKNOWN_LIMIT = 5  # per gateway
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    # Five senders, one unknown code each: no sender reaches its own limit...
    for number in range(5):
        code = f"000.00.31.H33-260301-99{number:02d}"
        answer = sms(client, f"HS {code}", f"+8490000000{number}", **auth)
        assert answer.json()["outcome"] == "not_found"
    # ...but the gateway did: a sixth, fresh sender is refused even for a real code.
    refused = sms(client, f"HS {PRIVATE_CODE}", sender="+84900000009", **auth).json()
    assert refused["outcome"] == "throttled"
    assert "SMS" in refused["reply"]
    # Another gateway (another token) has its own counters.
    settings.EGOV_PORTAL_SMS_TOKEN = TOKEN + "-2"
    other = sms(
        client, f"HS {PRIVATE_CODE}", sender="+84900000009", HTTP_AUTHORIZATION=f"Bearer {TOKEN}-2"
    ).json()
    assert other["outcome"] == "found"


@pytest.mark.django_db
def test_a_sender_number_waits_longer_after_each_run_of_unknown_codes(client: Client) -> None:
    # A number is one person's phone: like a browser, five unknown codes in a row
    # are answered, then it must wait (default settings), whatever its network allows.
    cache.clear()
    build_lookup_world()
    sender = "+84900000077"
    for number in range(5):
        answer = sms(client, f"HS 000.00.31.H33-260301-98{number:02d}", sender=sender).json()
        assert answer["outcome"] == "not_found"
    refused = sms(client, f"HS {PRIVATE_CODE}", sender=sender).json()
    assert refused["outcome"] == "throttled"
    assert sms(client, f"HS {PRIVATE_CODE}", sender="+84900000078").json()["outcome"] == "found"
