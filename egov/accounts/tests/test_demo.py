from __future__ import annotations

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import demo
from egov.accounts.models import AccountKind, RoleAssignment, User
from egov.accounts.permissions import Perm, RoleCode, has_perm_in_unit
from egov.core.models import AuditEntry, Unit, UnitLevel

pytestmark = pytest.mark.django_db


def _child(parent: Unit, code: str, name: str, level: str, **extra: object) -> Unit:
    unit: Unit = Unit.objects.add_child(
        parent, {"code": code, "name": name, "level": level, **extra}
    )
    return unit


@pytest.fixture
def demo_units() -> dict[str, Unit]:
    """The few units the demo accounts need, as load_demo_units would name them."""
    province: Unit = Unit.objects.add_root(
        {"code": "000.00.00.H33", "name": "UBND tỉnh Kiên Giang", "level": UnitLevel.PROVINCE}
    )
    agency = UnitLevel.PROVINCIAL_AGENCY
    units = {
        "province": province,
        "office": _child(province, "000.00.01.H33", "Văn phòng UBND tỉnh", agency),
        "justice": _child(province, "000.00.12.H33", "Sở Tư pháp", agency),
        "ict": _child(province, "000.00.15.H33", "Sở Thông tin và Truyền thông", agency),
    }
    units["centre"] = _child(
        units["office"],
        "000.01.01.H33",
        "Trung tâm Phục vụ hành chính công tỉnh",
        UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    units["justice_desk"] = _child(
        units["justice"],
        "000.12.01.H33",
        "Bộ phận Một cửa Sở Tư pháp",
        "internal",
        is_one_stop=True,
    )
    units["rach_gia"] = _child(
        province, "000.00.33.H33", "UBND Thành phố Rạch Giá", UnitLevel.DISTRICT
    )
    units["rach_gia_desk"] = _child(
        units["rach_gia"],
        "000.33.01.H33",
        "Bộ phận Một cửa Thành phố Rạch Giá",
        UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    units["commune"] = _child(
        units["rach_gia"], "001.33.00.H33", "UBND Phường Vĩnh Thanh Vân", UnitLevel.COMMUNE
    )
    units["commune_desk"] = _child(
        units["commune"],
        "001.33.01.H33",
        "Bộ phận Một cửa Phường Vĩnh Thanh Vân",
        UnitLevel.INTERNAL,
        is_one_stop=True,
    )
    return units


def _state() -> tuple[list[tuple[str, str]], list[tuple[str, str, str]], list[tuple[str, str]]]:
    users = sorted(User.objects.values_list("username", "password"))
    roles = sorted(
        RoleAssignment.objects.filter(revoked_at__isnull=True).values_list(
            "user__username", "role__code", "unit__code"
        )
    )
    devices = sorted(TOTPDevice.objects.values_list("user__username", "key"))
    return users, roles, devices


def test_loader_creates_every_account_once(demo_units: dict[str, Unit]) -> None:
    loaded = demo.load_demo_accounts()
    assert [a.username for a in loaded] == [a.username for a in demo.demo_accounts()]
    first = _state()
    audit_count = AuditEntry.objects.count()
    again = demo.load_demo_accounts()
    assert again == loaded
    assert _state() == first
    assert AuditEntry.objects.count() == audit_count  # nothing changed, nothing recorded

    by_name = {a.username: a for a in loaded}
    assert by_name["motcua.tinh"].unit_name == "Trung tâm Phục vụ hành chính công tỉnh"
    assert by_name["motcua.xa"].unit_name == "Bộ phận Một cửa Phường Vĩnh Thanh Vân"
    assert by_name["vanthu.vpubnd"].unit_name == "Văn phòng UBND tỉnh"
    assert by_name["lanhdao.rachgia"].unit_name == "UBND Thành phố Rạch Giá"
    assert by_name["vanhanh.stttt"].unit_name == "Sở Thông tin và Truyền thông"
    assert by_name["vanhanh.stttt"].scope_name == "UBND tỉnh Kiên Giang"

    operator = User.objects.get(username="vanhanh.stttt")
    assert has_perm_in_unit(operator, Perm.OPERATE_PLATFORM, demo_units["commune"])
    clerk = User.objects.get(username="motcua.xa")
    assert has_perm_in_unit(clerk, Perm.RECEIVE_DOSSIERS, demo_units["commune_desk"])
    assert not has_perm_in_unit(clerk, Perm.RECEIVE_DOSSIERS, demo_units["rach_gia_desk"])
    roles = set(RoleAssignment.objects.values_list("role__code", flat=True))
    assert roles == {
        RoleCode.ONE_STOP_CLERK,
        RoleCode.SPECIALIST,
        RoleCode.UNIT_HEAD,
        RoleCode.AGENCY_LEADER,
        RoleCode.RECORDS_CLERK,
        RoleCode.AGENCY_ADMIN,
        RoleCode.PLATFORM_OPERATOR,
    }
    assert User.objects.get(username="091090001234").kind == AccountKind.CITIZEN
    assert User.objects.get(username="1701234567").kind == AccountKind.BUSINESS
    assert demo.DEMO_TOTP_KEY not in str(list(AuditEntry.objects.values_list("changes")))


def test_loader_repairs_a_changed_password_and_device(demo_units: dict[str, Unit]) -> None:
    demo.load_demo_accounts()
    user = User.objects.get(username="chuyenvien.stp")
    user.set_password("Khac8Hoan9Toan")
    user.save()
    TOTPDevice.objects.filter(user=user).delete()
    demo.load_demo_accounts()
    user.refresh_from_db()
    assert user.check_password(demo.DEMO_PASSWORD)
    assert TOTPDevice.objects.get(user=user).confirmed


def test_demo_staff_can_sign_in_with_the_published_key(demo_units: dict[str, Unit]) -> None:
    demo.load_demo_accounts()
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "motcua.tinh", "password": demo.DEMO_PASSWORD}
    )
    assert response["Location"] == "/tai-khoan/xac-thuc/"
    response = client.post("/tai-khoan/xac-thuc/", {"token": demo.totp_now()})
    assert response["Location"] == "/can-bo/"
    assert client.get("/can-bo/").status_code == 200


def test_totp_now_matches_rfc_6238_style_codes() -> None:
    # The same key and time always give the same code, and the code has 6 digits.
    assert demo.totp_now(at=1_800_000_000) == demo.totp_now(at=1_800_000_029)
    assert len(demo.totp_now()) == 6
    assert demo.DEMO_TOTP_KEY in demo.DEMO_TOTP_COMMANDS[0]


def test_demo_password_satisfies_the_password_rules() -> None:
    for account in demo.demo_accounts():
        user = User(
            username=account.username,
            full_name=account.full_name,
            kind=account.kind,
            email=demo.staff_email(account.username),
        )
        validate_password(account.password, user)
    staff = [a for a in demo.demo_accounts() if a.kind == AccountKind.STAFF]
    assert len(staff) == 12
    assert all(a.totp_key == demo.DEMO_TOTP_KEY for a in staff)


def test_missing_units_give_a_clear_error(db: None) -> None:
    with pytest.raises(CommandError, match="load_demo_units"):
        call_command("load_demo_accounts", stdout=io.StringIO())
    assert not User.objects.exists()


def test_command_prints_the_table(demo_units: dict[str, Unit]) -> None:
    out = io.StringIO()
    call_command("load_demo_accounts", stdout=out)
    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text
    assert "motcua.tinh" in text
    assert "oathtool --totp -b" in text


def test_loader_finds_its_units_in_the_real_demo_tree(db: None) -> None:
    """Against the organisation tree that ``load_demo_units`` builds."""
    from django.core.management import get_commands

    if "load_demo_units" not in get_commands():
        pytest.skip("load_demo_units is not available")
    call_command("load_demo_units", stdout=io.StringIO())
    accounts = {a.username: a for a in demo.load_demo_accounts()}
    expected = {a.username: a for a in demo.demo_accounts()}
    # The documented table (README) names the same units the loader found.
    for username, account in expected.items():
        assert accounts[username].unit_name == account.unit_name, username
        assert accounts[username].scope_name == account.scope_name, username
        assert accounts[username].role_name == account.role_name, username
