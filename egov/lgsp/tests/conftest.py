"""Fixtures of the LGSP tests: the platform's services, a consumer with its key
and rights, and a signed-request helper."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from joserfc.jwk import ECKey

from egov.lgsp import services
from egov.lgsp.auth import make_token
from egov.lgsp.models import Consumer, Service
from egov.lgsp.registry import ensure_platform_services

PROVINCE = "VN/GOV/000.00.00.H33/lgsp"


@dataclass
class Caller:
    consumer: Consumer
    key: ECKey
    client: Client

    @property
    def ident(self) -> str:
        return self.consumer.identifier

    def call(self, method: str, path: str, body: bytes = b"", **extra: Any) -> Any:
        token = extra.pop("token", None) or make_token(self.key, self.ident)
        return self.client.generic(
            method,
            f"/lgsp/r1/{path}",
            data=body,
            content_type="application/json",
            HTTP_X_ROAD_CLIENT=extra.pop("client_id", self.ident),
            HTTP_AUTHORIZATION=f"Bearer {token}",
            **extra,
        )

    def get(self, path: str, **extra: Any) -> Any:
        return self.call("GET", path, **extra)


@pytest.fixture(autouse=True)
def _lgsp_settings(settings: Any) -> Iterator[None]:
    settings.EGOV_SIMULATORS = True
    settings.EGOV_LGSP_POPULATION_API_KEY = "population-test-key"
    settings.EGOV_LGSP_POPULATION_URL = "http://testserver/lgsp/mo-phong/dan-cu"
    settings.EGOV_SMS_API_KEY = "sms-test-key"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def platform_services(db: None) -> dict[str, Service]:
    return ensure_platform_services()


def make_caller(code: str, subsystem_code: str, rights: list[Service], **grant: Any) -> Caller:
    member = services.ensure_member(
        None, instance="VN", member_class="GOV", member_code=code, name=f"Cơ quan {code}"
    )
    subsystem = services.ensure_subsystem(None, member, subsystem_code)
    key = ECKey.generate_key("P-256", private=True)
    consumer = services.register_consumer(None, subsystem, key.as_dict(private=False))
    for service in rights:
        services.grant(None, consumer, service, **grant)
    return Caller(consumer, key, Client())


@pytest.fixture
def caller(platform_services: dict[str, Service]) -> Caller:
    return make_caller(
        "000.00.05.H33",
        "motcua",
        [
            platform_services[code]
            for code in (
                "CATEGORY-UNITS",
                "CATEGORY-DOSSIER-STATUSES",
                "CITIZEN-LOOKUP",
                "CATALOGUE",
                "CATEGORY-DOCUMENT-TYPES",
            )
        ],
    )


@pytest.fixture
def other_caller(platform_services: dict[str, Service]) -> Caller:
    return make_caller("000.00.33.H33", "qlvb", [platform_services["CATEGORY-UNITS"]])
