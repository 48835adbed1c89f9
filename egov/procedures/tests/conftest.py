"""Fixtures for the procedure catalogue tests (builders in ``factories``)."""

from __future__ import annotations

import pytest

from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.procedures.models import ProcedureField, ProcedureVersion
from egov.procedures.tests.factories import (
    MakeUser,
    Org,
    birth_content,
    build_org,
    ensure_fields,
    make_user,
    publish,
    record_content,
)


@pytest.fixture
def org(db: None) -> Org:
    return build_org()


@pytest.fixture
def make_staff(db: None) -> MakeUser:
    return make_user


@pytest.fixture
def operator(org: Org) -> User:
    return make_user("vanhanh", RoleCode.PLATFORM_OPERATOR, org.province)


@pytest.fixture
def rach_gia_admin(org: Org) -> User:
    return make_user("quantri.rachgia", RoleCode.AGENCY_ADMIN, org.rach_gia)


@pytest.fixture
def justice_admin(org: Org) -> User:
    return make_user("quantri.stp", RoleCode.AGENCY_ADMIN, org.justice)


@pytest.fixture
def specialist(org: Org) -> User:
    return make_user("chuyenvien.stp", RoleCode.SPECIALIST, org.justice)


@pytest.fixture
def fields(db: None) -> dict[str, ProcedureField]:
    return ensure_fields()


@pytest.fixture
def birth(org: Org, fields: dict[str, ProcedureField]) -> ProcedureVersion:
    return publish("1.001193", birth_content(org))


@pytest.fixture
def criminal_record(org: Org, fields: dict[str, ProcedureField]) -> ProcedureVersion:
    return publish("2.000488", record_content(org))
