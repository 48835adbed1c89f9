"""Fixtures for the accounts tests: a small organisation tree and people in it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import services
from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit, UnitLevel

PASSWORD = "Sao8Mai9Sang"


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    # Registration attempts are counted per address in the cache, across tests.
    from django.core.cache import cache

    cache.clear()


@dataclass
class Tree:
    province: Unit
    justice: Unit
    ict: Unit
    rach_gia: Unit
    vinh_thanh_van: Unit
    vinh_thanh_van_one_stop: Unit
    chau_thanh: Unit
    minh_luong: Unit


def _child(parent: Unit, code: str, name: str, level: str, **extra: object) -> Unit:
    child: Unit = Unit.objects.add_child(
        parent, {"code": code, "name": name, "level": level, **extra}
    )
    return child


@pytest.fixture
def tree(db: None) -> Tree:
    province: Unit = Unit.objects.add_root(
        {"code": "000.00.00.H33", "name": "UBND tỉnh Kiên Giang", "level": UnitLevel.PROVINCE}
    )
    justice = _child(province, "000.00.12.H33", "Sở Tư pháp", UnitLevel.PROVINCIAL_AGENCY)
    ict = _child(
        province, "000.00.15.H33", "Sở Thông tin và Truyền thông", UnitLevel.PROVINCIAL_AGENCY
    )
    rach_gia = _child(province, "000.00.33.H33", "UBND Thành phố Rạch Giá", UnitLevel.DISTRICT)
    vinh_thanh_van = _child(
        rach_gia, "001.33.00.H33", "UBND Phường Vĩnh Thanh Vân", UnitLevel.COMMUNE
    )
    vtv_one_stop = _child(
        vinh_thanh_van,
        "001.33.01.H33",
        "Bộ phận Một cửa Phường Vĩnh Thanh Vân",
        UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    chau_thanh = _child(province, "000.00.40.H33", "UBND Huyện Châu Thành", UnitLevel.DISTRICT)
    minh_luong = _child(chau_thanh, "001.40.00.H33", "UBND Thị trấn Minh Lương", UnitLevel.COMMUNE)
    return Tree(
        province=province,
        justice=justice,
        ict=ict,
        rach_gia=rach_gia,
        vinh_thanh_van=vinh_thanh_van,
        vinh_thanh_van_one_stop=vtv_one_stop,
        chau_thanh=chau_thanh,
        minh_luong=minh_luong,
    )


MakeStaff = Callable[..., User]


@pytest.fixture
def make_staff(db: None) -> MakeStaff:
    def make(username: str, role: str | None = None, unit: Unit | None = None) -> User:
        if role is None or unit is None:
            return User.objects.create_user(
                username, PASSWORD, full_name=username.title(), kind=AccountKind.STAFF
            )
        return services.create_staff_account(
            None,
            username=username,
            full_name=username.replace(".", " ").title(),
            unit=unit,
            role_codes=[role],
            password=PASSWORD,
        )

    return make


@pytest.fixture
def operator(tree: Tree, make_staff: MakeStaff) -> User:
    return make_staff("vanhanh", RoleCode.PLATFORM_OPERATOR, tree.province)


@pytest.fixture
def ict_admin(tree: Tree, make_staff: MakeStaff) -> User:
    return make_staff("quantri.stttt", RoleCode.AGENCY_ADMIN, tree.ict)


@pytest.fixture
def rach_gia_admin(tree: Tree, make_staff: MakeStaff) -> User:
    return make_staff("quantri.rachgia", RoleCode.AGENCY_ADMIN, tree.rach_gia)


@pytest.fixture
def citizen(db: None) -> User:
    return services.register_citizen(
        national_id="091090001234", full_name="Nguyễn Văn An", password=PASSWORD
    )


def add_confirmed_device(user: User) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device
