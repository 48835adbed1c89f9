"""The gateway end to end: authentication, access rights, limits, forwarding to
each provider kind, provider failures, X-Road headers."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import pytest

from egov.core.integrations import TransportError
from egov.lgsp import providers
from egov.lgsp.auth import make_token
from egov.lgsp.models import MessageLogEntry, Service
from egov.lgsp.population import FAILING_CCCD
from egov.lgsp.tests.conftest import PROVINCE, Caller

pytestmark = pytest.mark.django_db

CCCD = "091085001234"


def test_category_service_answers_with_the_registry_data(caller: Caller) -> None:
    response = caller.get(f"{PROVINCE}/CATEGORY-DOSSIER-STATUSES/v1")
    assert response.status_code == 200
    body = response.json()
    assert body["category"] == "dossier_statuses" and body["version"] == "v1"
    assert [item["code"] for item in body["items"]] == list(range(1, 11))
    assert body["count"] == 10
    assert response["X-Road-Service"] == f"{PROVINCE}/CATEGORY-DOSSIER-STATUSES/v1"
    assert response["X-Road-Id"] == response["X-Road-Request-Id"]


def test_version_may_be_left_out(caller: Caller) -> None:
    response = caller.get(f"{PROVINCE}/CATEGORY-DOSSIER-STATUSES")
    assert response.status_code == 200
    assert response.json()["version"] == "v1"


def test_request_hash_header_is_sha512_of_the_request(caller: Caller) -> None:
    path = f"{PROVINCE}/CATEGORY-DOSSIER-STATUSES/v1"
    response = caller.get(path)
    expected = base64.b64encode(hashlib.sha512(f"GET /lgsp/r1/{path}\n".encode()).digest()).decode()
    assert response["X-Road-Request-Hash"] == expected


def test_forwarding_to_the_population_simulator(caller: Caller) -> None:
    response = caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{CCCD}")
    assert response.status_code == 200, response.content
    assert response.json()["ho_ten"] == "Nguyễn Văn An"
    # An unknown citizen is the provider's answer, passed on as it is.
    missing = caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/091000000000")
    assert missing.status_code == 404
    assert MessageLogEntry.objects.get(request_id=missing["X-Road-Id"]).outcome == "client_error"


def test_forwarding_to_a_platform_api_in_process(caller: Caller) -> None:
    response = caller.get(f"{PROVINCE}/CATALOGUE/v1?q=khai+sinh")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 0 and body["query"] == "khai sinh"
    # The platform API's own refusals come through as they are (404 from the portal).
    missing = caller.get(f"{PROVINCE}/CATALOGUE/v1/9.999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_provider_failure_is_502_with_a_clear_body(caller: Caller) -> None:
    response = caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{FAILING_CCCD}")
    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "provider_error"
    assert body["service"] == f"{PROVINCE}/CITIZEN-LOOKUP/v1"
    entry = MessageLogEntry.objects.get(request_id=response["X-Road-Id"])
    assert entry.outcome == "provider_error" and entry.status == 502


class _SlowTransport:
    def send(self, request: Any, *, timeout: float) -> Any:
        raise TransportError("no answer", timeout=True)


class _DownTransport:
    def send(self, request: Any, *, timeout: float) -> Any:
        raise TransportError("refused", sent=False)


@pytest.mark.parametrize(
    ("transport", "status", "code"),
    [
        ("egov.lgsp.tests.test_gateway._SlowTransport", 504, "provider_timeout"),
        ("egov.lgsp.tests.test_gateway._DownTransport", 502, "provider_unreachable"),
    ],
)
def test_provider_timeout_and_unreachable(
    caller: Caller,
    platform_services: dict[str, Service],
    transport: str,
    status: int,
    code: str,
) -> None:
    provider = platform_services["CITIZEN-LOOKUP"].provider
    provider.transport = transport
    provider.save()
    response = caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{CCCD}")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_python_provider_registry(caller: Caller, platform_services: dict[str, Service]) -> None:
    seen: list[providers.ProviderCall] = []

    def echo(call: providers.ProviderCall) -> providers.ProviderAnswer:
        seen.append(call)
        return providers.ProviderAnswer.of_json({"path": call.path, "consumer": call.consumer})

    providers.register("test.echo", echo)
    provider = platform_services["CATEGORY-UNITS"].provider
    provider.target = "test.echo"
    provider.save()
    response = caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1/a/b")
    assert response.json() == {"path": "/a/b", "consumer": caller.ident}
    provider.target = "nobody.registered"
    provider.save()
    missing = caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1")
    assert missing.status_code == 502
    assert missing.json()["code"] == "provider_missing"


# --- refusals -----------------------------------------------------------------------------


def test_consumer_without_the_right_gets_403_naming_consumer_and_service(
    other_caller: Caller,
) -> None:
    response = other_caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{CCCD}")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden"
    assert body["consumer"] == "VN/GOV/000.00.33.H33/qlvb"
    assert body["service"] == f"{PROVINCE}/CITIZEN-LOOKUP/v1"
    assert "VN/GOV/000.00.33.H33/qlvb" in body["message"]
    assert "không có quyền" in body["message"]
    assert MessageLogEntry.objects.get(request_id=response["X-Road-Id"]).outcome == "forbidden"


def test_missing_or_bad_token_is_401(caller: Caller, other_caller: Caller) -> None:
    path = f"{PROVINCE}/CATEGORY-UNITS/v1"
    no_token = caller.client.get(f"/lgsp/r1/{path}", HTTP_X_ROAD_CLIENT=caller.ident)
    assert no_token.status_code == 401
    assert no_token.json()["code"] == "unauthenticated"
    # Signed with another consumer's key.
    forged = make_token(other_caller.key, caller.ident)
    assert caller.get(path, token=forged).status_code == 401
    # A token issued to someone else than the header says.
    stolen = make_token(other_caller.key, other_caller.ident)
    assert caller.get(path, token=stolen, client_id=caller.ident).status_code == 401
    # Expired, and too long-lived.
    old = make_token(caller.key, caller.ident, now=time.time() - 600)
    assert caller.get(path, token=old).status_code == 401
    long = make_token(caller.key, caller.ident, lifetime=3600)
    assert caller.get(path, token=long).status_code == 401
    # No client header at all.
    bare = caller.client.get(f"/lgsp/r1/{path}")
    assert bare.status_code == 401


def test_inactive_consumer_is_401(caller: Caller) -> None:
    caller.consumer.is_active = False
    caller.consumer.save()
    assert caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1").status_code == 401


def test_unknown_service_is_404_and_wrong_method_405(caller: Caller) -> None:
    assert caller.get(f"{PROVINCE}/NO-SUCH/v1").status_code == 404
    assert caller.get("too/short").status_code == 404
    response = caller.call("POST", f"{PROVINCE}/CATEGORY-UNITS/v1", b"{}")
    assert response.status_code == 405


def test_rate_limit_per_consumer_and_service(caller: Caller) -> None:
    right = caller.consumer.rights.get(service__code="CATEGORY-DOSSIER-STATUSES")
    right.rate_per_minute = 3
    right.save()
    path = f"{PROVINCE}/CATEGORY-DOSSIER-STATUSES/v1"
    statuses = [caller.get(path).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = caller.get(path)
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["code"] == "too_many_requests"
    # Another service of the same consumer is not affected.
    assert caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1").status_code == 200


def test_daily_quota_of_the_consumer(caller: Caller) -> None:
    caller.consumer.daily_quota = 2
    caller.consumer.save()
    path = f"{PROVINCE}/CATEGORY-UNITS/v1"
    assert [caller.get(path).status_code for _ in range(3)] == [200, 200, 429]


def test_categories_are_versioned_services(
    caller: Caller, platform_services: dict[str, Service]
) -> None:
    from egov.lgsp import services

    v2 = services.ensure_service(
        None,
        platform_services["CATEGORY-UNITS"].subsystem,
        "CATEGORY-UNITS",
        version="v2",
        title="v2",
        provider=platform_services["CATEGORY-UNITS"].provider,
    )
    services.grant(None, caller.consumer, v2)
    assert caller.get(f"{PROVINCE}/CATEGORY-UNITS/v2").json()["version"] == "v2"
    assert caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1").json()["version"] == "v1"


def test_request_body_is_forwarded_and_logged(
    caller: Caller, platform_services: dict[str, Service]
) -> None:
    from egov.lgsp import services

    services.grant(None, caller.consumer, platform_services["SMS-SEND"])
    payload = {
        "phone": "84912345678",
        "message": "Ho so da co ket qua",
        "brandname": "UBND",
        "ref": "t1",
    }
    response = caller.call("POST", f"{PROVINCE}/SMS-SEND/v1", json.dumps(payload).encode())
    assert response.status_code == 200, response.content
    entry = MessageLogEntry.objects.get(request_id=response["X-Road-Id"], phase="request")
    assert json.loads(entry.request_body) == payload


def test_dot_segments_after_the_service_are_refused(caller: Caller) -> None:
    for path in ("../../admin/", "a/%2e%2e/b", "./x"):
        response = caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{path}")
        assert response.status_code in (400, 404), path
        if response.status_code == 400:
            assert response.json()["code"] == "invalid_path"
    assert caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/a/%2e%2e/b").status_code == 400


def test_only_api_key_settings_reach_a_provider(platform_services: dict[str, Service]) -> None:
    from egov.lgsp import services
    from egov.lgsp.errors import RegistryError

    with pytest.raises(RegistryError):
        services.ensure_provider(
            None,
            "evil",
            kind="http",
            target="https://example.invalid",
            api_key_setting="SECRET_KEY",
        )


def test_operational_monitoring_is_a_service(
    caller: Caller, platform_services: dict[str, Service]
) -> None:
    from egov.lgsp import services

    caller.get(f"{PROVINCE}/CATEGORY-UNITS/v1")
    caller.get(f"{PROVINCE}/CITIZEN-LOOKUP/v1/{FAILING_CCCD}")
    assert caller.get(f"{PROVINCE}/OPERATIONAL-MONITORING/v1").status_code == 403
    services.grant(None, caller.consumer, platform_services["OPERATIONAL-MONITORING"])
    body = caller.get(f"{PROVINCE}/OPERATIONAL-MONITORING/v1?gio=2").json()
    assert body["hours"] == 2
    by_service = {row["name"]: row for row in body["by_service"]}
    assert by_service[f"{PROVINCE}/CATEGORY-UNITS/v1"]["ok"] == 1
    assert by_service[f"{PROVINCE}/CITIZEN-LOOKUP/v1"]["failed"] == 1
    assert by_service[f"{PROVINCE}/OPERATIONAL-MONITORING/v1"]["refused"] == 1
    assert caller.get(f"{PROVINCE}/OPERATIONAL-MONITORING/v1?gio=x").status_code == 422


def test_public_dossier_lookup_is_forwarded(
    caller: Caller, platform_services: dict[str, Service]
) -> None:
    from egov.lgsp import services

    services.grant(None, caller.consumer, platform_services["DOSSIER-LOOKUP"])
    response = caller.get(f"{PROVINCE}/DOSSIER-LOOKUP/v1/000.00.33.H33-260302-0001")
    # No such dossier: the platform API's own answer comes back through the gateway.
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response["X-Road-Service"] == f"{PROVINCE}/DOSSIER-LOOKUP/v1"
