"""Fixtures of the notifications tests: the dossier world of ``dossiers.tests``,
an operator, and the HTTP SMS adapter routed in-process to the simulator."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.dossiers.tests.factories import World, build_world, staff_member
from egov.notifications.adapters import HttpSmsGateway
from egov.notifications.defaults import ensure_default_templates
from egov.notifications.tests.transport import DjangoClientAdapter, session_to_this_site

SIMULATOR_URL = "http://testserver/thong-bao/mo-phong/sms/api/send"


@pytest.fixture
def world(db: None) -> World:
    ensure_default_templates()  # present after migrate; flushed databases need them again
    return build_world()


@pytest.fixture
def operator(world: World) -> User:
    return staff_member("vanhanh", RoleCode.PLATFORM_OPERATOR, world.org.province, "Nguyễn Văn Vận")


@pytest.fixture
def gateway(settings: object) -> HttpSmsGateway:
    """The real HTTP adapter, speaking to the real simulator through Django's test
    client (no socket, no mock of our code)."""
    settings.EGOV_SIMULATORS = True  # type: ignore[attr-defined]
    return HttpSmsGateway(url=SIMULATOR_URL, timeout=5, session=session_to_this_site(Client()))


@pytest.fixture
def transport(gateway: HttpSmsGateway) -> DjangoClientAdapter:
    adapter = gateway.session.get_adapter(SIMULATOR_URL)
    assert isinstance(adapter, DjangoClientAdapter)
    return adapter
