"""Builders shared by the procedure tests and the browser tests: a small Kiên
Giang tree, fields, people with roles, and procedures published through the
services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from egov.accounts.default_roles import ensure_default_roles
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.procedures import services
from egov.procedures.models import ProcedureField, ProcedureVersion

PASSWORD = "Sao8Mai9Sang"


@dataclass
class Org:
    province: Unit
    province_desk: Unit
    justice: Unit
    justice_desk: Unit
    planning: Unit
    rach_gia: Unit
    rach_gia_desk: Unit
    rach_gia_justice: Unit
    vinh_thanh: Unit
    vinh_thanh_desk: Unit
    vinh_quang: Unit
    chau_thanh: Unit
    minh_luong: Unit


def build_org() -> Org:
    ensure_default_roles()

    def unit(parent: Unit | None, code: str, name: str, level: str, **extra: Any) -> Unit:
        return create_unit(None, parent, code=code, name=name, level=level, **extra)

    province = unit(None, "000.00.00.H33", "Ủy ban nhân dân tỉnh Kiên Giang", UnitLevel.PROVINCE)
    province_desk = unit(
        province,
        "000.00.23.H33",
        "Trung tâm Phục vụ hành chính công tỉnh Kiên Giang",
        UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    justice = unit(province, "000.00.03.H33", "Sở Tư pháp", UnitLevel.PROVINCIAL_AGENCY)
    justice_desk = unit(
        justice,
        "000.01.03.H33",
        "Bộ phận Một cửa Sở Tư pháp",
        UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    planning = unit(province, "000.00.04.H33", "Sở Kế hoạch và Đầu tư", UnitLevel.PROVINCIAL_AGENCY)
    rach_gia = unit(
        province, "000.00.31.H33", "Ủy ban nhân dân thành phố Rạch Giá", UnitLevel.DISTRICT
    )
    rach_gia_desk = unit(
        rach_gia,
        "000.01.31.H33",
        "Bộ phận Tiếp nhận và Trả kết quả thành phố Rạch Giá",
        UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    rach_gia_justice = unit(
        rach_gia,
        "000.04.31.H33",
        "Phòng Tư pháp thành phố Rạch Giá",
        UnitLevel.DISTRICT_AGENCY,
    )
    vinh_thanh = unit(
        rach_gia, "001.00.31.H33", "Ủy ban nhân dân phường Vĩnh Thanh", UnitLevel.COMMUNE
    )
    vinh_thanh_desk = unit(
        vinh_thanh,
        "001.99.31.H33",
        "Bộ phận Tiếp nhận và Trả kết quả phường Vĩnh Thanh",
        UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    vinh_quang = unit(
        rach_gia, "002.00.31.H33", "Ủy ban nhân dân phường Vĩnh Quang", UnitLevel.COMMUNE
    )
    chau_thanh = unit(
        province, "000.00.36.H33", "Ủy ban nhân dân huyện Châu Thành", UnitLevel.DISTRICT
    )
    minh_luong = unit(
        chau_thanh, "001.00.36.H33", "Ủy ban nhân dân thị trấn Minh Lương", UnitLevel.COMMUNE
    )
    return Org(
        province=province,
        province_desk=province_desk,
        justice=justice,
        justice_desk=justice_desk,
        planning=planning,
        rach_gia=rach_gia,
        rach_gia_desk=rach_gia_desk,
        rach_gia_justice=rach_gia_justice,
        vinh_thanh=vinh_thanh,
        vinh_thanh_desk=vinh_thanh_desk,
        vinh_quang=vinh_quang,
        chau_thanh=chau_thanh,
        minh_luong=minh_luong,
    )


def make_user(username: str, role: str | None = None, unit: Unit | None = None) -> User:
    user = User.objects.create_user(
        username, PASSWORD, full_name=f"Cán bộ {username}", kind=AccountKind.STAFF
    )
    if role is not None and unit is not None:
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), unit=unit)
    return user


MakeUser = Callable[..., User]


def ensure_fields() -> dict[str, ProcedureField]:
    items = {
        "ho-tich": "Hộ tịch",
        "chung-thuc": "Chứng thực",
        "ly-lich-tu-phap": "Lý lịch tư pháp",
        "thanh-lap-doanh-nghiep": "Thành lập và hoạt động doanh nghiệp",
    }
    return {
        code: ProcedureField.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in items.items()
    }


def birth_content(org: Org, **overrides: Any) -> dict[str, Any]:
    """Đăng ký khai sinh: commune level, 1 working day, free."""
    content: dict[str, Any] = {
        "name": "Đăng ký khai sinh",
        "field": "ho-tich",
        "levels": ["commune"],
        "online_level": 4,
        "time_limit": "1",
        "time_limit_unit": "working_days",
        "fees": [{"name": "Lệ phí đăng ký khai sinh đúng hạn", "amount": 0}],
        "result_type": "Giấy khai sinh (bản chính)",
        "legal_basis": "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP",
        "agencies": [org.vinh_thanh, org.vinh_quang, org.minh_luong],
        "papers": [
            {"name": "Tờ khai đăng ký khai sinh", "copies": 1, "form": "original"},
            {"name": "Giấy chứng sinh", "copies": 1, "form": "original"},
        ],
    }
    content.update(overrides)
    return content


def record_content(org: Org, **overrides: Any) -> dict[str, Any]:
    """Cấp Phiếu lý lịch tư pháp: Sở Tư pháp, 10 working days, table + per-unit fees."""
    content: dict[str, Any] = {
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "field": "ly-lich-tu-phap",
        "levels": ["provincial_agency"],
        "online_level": 4,
        "time_limit": "10",
        "time_limit_unit": "working_days",
        "fees": [
            {
                "name": "Phí cung cấp thông tin lý lịch tư pháp",
                "rule": {
                    "input": "applicant",
                    "table": {"thong_thuong": 200000, "sinh_vien": 100000},
                    "default": "thong_thuong",
                    "labels": {"thong_thuong": "Thông thường", "sinh_vien": "Sinh viên"},
                },
            },
            {
                "name": "Phiếu thứ 3 trở đi",
                "rule": {"input": "extra_copies", "per_unit": 5000, "unit": "phiếu", "default": 0},
            },
        ],
        "result_type": "Phiếu lý lịch tư pháp",
        "legal_basis": "Luật Lý lịch tư pháp 2009",
        "agencies": [org.justice],
        "papers": [{"name": "Tờ khai yêu cầu cấp Phiếu LLTP", "copies": 1, "form": "original"}],
    }
    content.update(overrides)
    return content


def publish(code: str, content: dict[str, Any]) -> ProcedureVersion:
    draft = services.create_draft(None, code, **content)
    return services.publish_version(None, draft)


PublishFn = Callable[[str, dict[str, Any]], ProcedureVersion]
