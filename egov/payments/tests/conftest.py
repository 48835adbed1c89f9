"""Fixtures of the payment tests: the dossier world of ``egov.dossiers`` with a
dossier awaiting 100.000 đồng, and the platform reached in-process (the real
protocol, both sides, through the in-process transport)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.models import Dossier, Status
from egov.dossiers.tests.factories import World, build_world, dossier_in_status

IN_PROCESS = "inprocess"


@pytest.fixture
def world(db: None) -> Iterator[World]:
    invalidate_calendar()
    yield build_world()
    invalidate_calendar()


@pytest.fixture(autouse=True)
def in_process_platform(settings: Any) -> None:
    settings.EGOV_PAYMENTS_TRANSPORT = IN_PROCESS
    settings.EGOV_SIMULATORS = True
    settings.EGOV_PAYGOV_PAY_URL = ""
    settings.EGOV_PAYGOV_QUERY_URL = ""
    settings.EGOV_PAYGOV_CALLBACK_URL = ""


@pytest.fixture
def dossier(world: World) -> Dossier:
    return dossier_in_status(world, Status.AWAITING_PAYMENT, payment_requested=150000)


@pytest.fixture
def citizen_client(world: World) -> Client:
    client = Client()
    client.force_login(world.staff.citizen)
    return client


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start(client: Client, dossier: Dossier) -> dict[str, str]:
    """Press "Thanh toán": the signed request the browser is sent to the platform with."""
    response = client.post(f"/thanh-toan/ho-so/{dossier.code}/")
    assert response.status_code == 302, response.content[:500]
    assert urlsplit(response["Location"]).path == "/thanh-toan/mo-phong/"
    return query_of(response["Location"])


def choose(client: Client, request: dict[str, str], outcome: str) -> Any:
    """On the simulator's page, choose a bank and press the button of ``outcome``;
    returns the redirect back to us."""
    page = client.get("/thanh-toan/mo-phong/", request)
    assert page.status_code == 200, page.content[:500]
    response = client.post(
        "/thanh-toan/mo-phong/", {**request, "channel": "vietcombank", "outcome": outcome}
    )
    assert response.status_code == 302, response.content[:500]
    return response


def come_back(client: Client, redirect: Any) -> Any:
    return client.get(path_of(redirect["Location"]))
