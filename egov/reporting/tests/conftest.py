from __future__ import annotations

from dataclasses import dataclass

import pytest

from egov.accounts import services as accounts
from egov.accounts.models import User
from egov.dossiers.tests.test_statistics import Catalogue, Org, make_catalogue, make_org
from egov.reporting.models import Regime
from egov.reporting.seed import seed_regimes


@dataclass
class People:
    commune_clerk: User
    commune_leader: User
    district_clerk: User
    district_leader: User
    province_leader: User


def person(username: str, role: str, unit, full_name: str) -> User:
    return accounts.create_staff_account(
        None, username=username, full_name=full_name, unit=unit, role_codes=[role]
    )


@pytest.fixture
def org(db: None) -> Org:
    seed_regimes()
    return make_org()


@pytest.fixture
def cat(org: Org) -> Catalogue:
    return make_catalogue()


@pytest.fixture
def people(org: Org) -> People:
    return People(
        commune_clerk=person("xa.vanthu", "specialist", org.commune, "Trần Thị Bình"),
        commune_leader=person("xa.chutich", "agency_leader", org.commune, "Lê Văn Cường"),
        district_clerk=person("huyen.cv", "specialist", org.district, "Phạm Thị Dung"),
        district_leader=person("huyen.ct", "agency_leader", org.district, "Võ Văn Em"),
        province_leader=person("tinh.ct", "agency_leader", org.province, "Nguyễn Văn Phúc"),
    )


@pytest.fixture
def quarterly(org: Org) -> Regime:
    return Regime.objects.get(code="tthc-quy")
