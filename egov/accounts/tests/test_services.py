from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import services
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import Perm, RoleCode, has_perm_in_unit
from egov.core.models import AuditEntry

from .conftest import PASSWORD, MakeStaff, Tree, add_confirmed_device

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English."""
    with translation.override("en"):
        yield


def token_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = generator.time + offset_steps * device.step
    return f"{generator.token():06d}"


def all_audit_text() -> str:
    return json.dumps(list(AuditEntry.objects.values("action", "changes")), ensure_ascii=False)


# --- staff and roles ---------------------------------------------------------


def test_agency_admin_creates_staff_in_own_subtree_and_it_is_audited(
    tree: Tree, ict_admin: User
) -> None:
    before = AuditEntry.objects.count()
    user = services.create_staff_account(
        ict_admin,
        username="  ChuyenVien.STTTT ",
        full_name="Ngô Thị Hoa",
        unit=tree.ict,
        role_codes=[RoleCode.SPECIALIST],
        email="hoa@kiengiang.gov.vn",
        phone="0297 3862 123",
        password="Dong7Ho8Xanh",
    )
    assert user.username == "chuyenvien.stttt"
    assert user.kind == AccountKind.STAFF
    assert user.phone == "02973862123"
    assert user.check_password("Dong7Ho8Xanh")
    assert has_perm_in_unit(user, Perm.PROCESS_DOSSIERS, tree.ict)
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [e.action for e in entries] == ["accounts.staff_created", "accounts.role_assigned"]
    assert entries[0].actor_id == ict_admin.pk
    assert entries[0].unit_id == tree.ict.pk
    assert entries[0].changes["roles"] == [RoleCode.SPECIALIST]
    assert entries[1].changes == {
        "user": "chuyenvien.stttt",
        "role": RoleCode.SPECIALIST,
        "unit": tree.ict.code,
    }
    text = all_audit_text()
    assert "Dong7Ho8Xanh" not in text
    assert user.password not in text
    assert "password" not in text


def test_agency_admin_cannot_create_or_grant_outside_subtree(
    tree: Tree, ict_admin: User, make_staff: MakeStaff
) -> None:
    with pytest.raises(PermissionDenied):
        services.create_staff_account(
            ict_admin,
            username="ngoai.pham.vi",
            full_name="Ngoài Phạm Vi",
            unit=tree.justice,
            role_codes=[RoleCode.SPECIALIST],
        )
    assert not User.objects.filter(username="ngoai.pham.vi").exists()
    specialist = make_staff("chuyenvien.stp", RoleCode.SPECIALIST, tree.justice)
    with pytest.raises(PermissionDenied):
        services.assign_role(ict_admin, specialist, RoleCode.UNIT_HEAD, tree.justice)
    with pytest.raises(PermissionDenied):
        services.revoke_role(ict_admin, RoleAssignment.objects.get(user=specialist))
    assert RoleAssignment.objects.get(user=specialist).revoked_at is None


def test_agency_admin_cannot_grant_platform_operator_even_in_own_subtree(
    tree: Tree, ict_admin: User, operator: User, make_staff: MakeStaff
) -> None:
    member = make_staff("nhanvien.stttt", RoleCode.SPECIALIST, tree.ict)
    with pytest.raises(PermissionDenied, match="platform operator"):
        services.assign_role(ict_admin, member, RoleCode.PLATFORM_OPERATOR, tree.ict)
    with pytest.raises(PermissionDenied):
        services.create_staff_account(
            ict_admin,
            username="gia.mao",
            full_name="Giả Mạo",
            unit=tree.ict,
            role_codes=[RoleCode.PLATFORM_OPERATOR],
        )
    assignment = services.assign_role(operator, member, RoleCode.PLATFORM_OPERATOR, tree.ict)
    assert assignment.granted_by == operator
    # Nor can the agency admin take it away again.
    with pytest.raises(PermissionDenied):
        services.revoke_role(ict_admin, assignment)


def test_assign_role_refuses_duplicates_citizens_and_unknown_roles(
    tree: Tree, rach_gia_admin: User, make_staff: MakeStaff, citizen: User
) -> None:
    clerk = make_staff("motcua.vtv", RoleCode.ONE_STOP_CLERK, tree.vinh_thanh_van)
    with pytest.raises(ValidationError, match="already holds"):
        services.assign_role(rach_gia_admin, clerk, RoleCode.ONE_STOP_CLERK, tree.vinh_thanh_van)
    with pytest.raises(ValidationError, match="staff accounts"):
        services.assign_role(rach_gia_admin, citizen, RoleCode.SPECIALIST, tree.rach_gia)
    with pytest.raises(ValidationError, match="no role"):
        services.assign_role(rach_gia_admin, clerk, "chief_wizard", tree.rach_gia)
    # Granting the same role in a commune below is a separate, allowed assignment.
    services.assign_role(rach_gia_admin, clerk, RoleCode.SPECIALIST, tree.vinh_thanh_van)
    assert RoleAssignment.objects.filter(user=clerk, revoked_at__isnull=True).count() == 2


def test_revoke_role_is_audited_and_only_once(
    tree: Tree, rach_gia_admin: User, make_staff: MakeStaff
) -> None:
    clerk = make_staff("motcua.vtv", RoleCode.ONE_STOP_CLERK, tree.vinh_thanh_van)
    assignment = RoleAssignment.objects.get(user=clerk)
    services.revoke_role(rach_gia_admin, assignment)
    entry = AuditEntry.objects.filter(action="accounts.role_revoked").get()
    assert entry.actor_id == rach_gia_admin.pk
    assert entry.changes["user"] == "motcua.vtv"
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is not None
    with pytest.raises(ValidationError, match="already been revoked"):
        services.revoke_role(rach_gia_admin, assignment)
    # The role can be granted again afterwards (the old row stays as history).
    services.assign_role(rach_gia_admin, clerk, RoleCode.ONE_STOP_CLERK, tree.vinh_thanh_van)
    assert RoleAssignment.objects.filter(user=clerk).count() == 2


def test_create_staff_reports_every_field_error_at_once(tree: Tree, operator: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_staff_account(
            operator,
            username="091090001234",
            full_name=" ",
            unit=tree.ict,
            role_codes=[],
            email="not-an-email",
            phone="12",
            password="12345678",
        )
    errors = caught.value.message_dict
    assert set(errors) == {"username", "full_name", "email", "phone", "password"}


def test_staff_user_names_are_unique_whatever_the_case(tree: Tree, operator: User) -> None:
    services.create_staff_account(
        operator, username="vanthu", full_name="Văn Thư", unit=tree.ict, role_codes=[]
    )
    with pytest.raises(ValidationError) as caught:
        services.create_staff_account(
            operator, username="VanThu", full_name="Văn Thư 2", unit=tree.ict, role_codes=[]
        )
    assert "username" in caught.value.message_dict
    # No password given: the account exists but cannot sign in yet.
    assert not User.objects.get(username="vanthu").has_usable_password()


def test_account_management_is_scoped(
    tree: Tree, ict_admin: User, rach_gia_admin: User, make_staff: MakeStaff, citizen: User
) -> None:
    member = make_staff("nhanvien.vtv", RoleCode.SPECIALIST, tree.vinh_thanh_van)
    services.update_account(
        rach_gia_admin, member, full_name="Trương Văn Mới", phone="0912 345 678"
    )
    member.refresh_from_db()
    assert (member.full_name, member.phone) == ("Trương Văn Mới", "0912345678")
    entry = AuditEntry.objects.filter(action="accounts.account_updated").get()
    assert entry.changes["full_name"] == ["Nhanvien Vtv", "Trương Văn Mới"]
    with pytest.raises(PermissionDenied):
        services.update_account(ict_admin, member, full_name="X")
    with pytest.raises(PermissionDenied):
        services.update_account(rach_gia_admin, citizen, full_name="X")
    with pytest.raises(PermissionDenied):
        services.update_account(rach_gia_admin, member, is_admin_site_user=True)
    with pytest.raises(ValidationError):
        services.update_account(rach_gia_admin, rach_gia_admin, is_active=False)

    services.set_password_by_admin(rach_gia_admin, member, "Moi8Mat9Khau")
    member.refresh_from_db()
    assert member.check_password("Moi8Mat9Khau")
    with pytest.raises(ValidationError):
        services.set_password_by_admin(rach_gia_admin, member, "short")

    add_confirmed_device(member)
    services.reset_totp(rach_gia_admin, member)
    assert not TOTPDevice.objects.filter(user=member).exists()

    AccessAttempt.objects.create(
        username=member.username,
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
    )
    assert services.unlock_account(rach_gia_admin, member) == 1
    assert not AccessAttempt.objects.filter(username=member.username).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "accounts.password_set_by_admin",
        "accounts.totp_reset",
        "accounts.account_unlocked",
    } <= actions
    assert "Moi8Mat9Khau" not in all_audit_text()


def test_roles_are_edited_by_operators_only(operator: User, ict_admin: User) -> None:
    role = Role.objects.get(code=RoleCode.SPECIALIST)
    with pytest.raises(PermissionDenied):
        services.update_role(ict_admin, role, name="X", permissions=[])
    with pytest.raises(ValidationError, match="Unknown permission"):
        services.update_role(operator, role, name="Chuyên viên", permissions=["dossiers.fly"])
    services.update_role(
        operator,
        role,
        name="Chuyên viên",
        name_en="Specialist",
        description=role.description,
        permissions=[Perm.PROCESS_DOSSIERS, Perm.VIEW_AUDIT],
    )
    role.refresh_from_db()
    assert role.permissions == [Perm.VIEW_AUDIT, Perm.PROCESS_DOSSIERS] or set(
        role.permissions
    ) == {Perm.PROCESS_DOSSIERS, Perm.VIEW_AUDIT}
    entry = AuditEntry.objects.filter(action="accounts.role_updated").get()
    assert entry.changes["permissions"][1] == sorted([Perm.PROCESS_DOSSIERS, Perm.VIEW_AUDIT])
    created = services.create_role(
        operator, code="inspector", name="Thanh tra", permissions=[Perm.VIEW_AUDIT]
    )
    assert created.pk
    with pytest.raises(ValidationError):
        services.create_role(operator, code="inspector", name="Again")


# --- citizens and businesses -------------------------------------------------


def test_register_citizen_uses_the_cccd_as_user_name_and_is_audited(db: None) -> None:
    user = services.register_citizen(
        national_id="091090001234",
        full_name="Nguyễn Văn An",
        password=PASSWORD,
        email="an@example.com",
        phone="0912345678",
    )
    assert (user.username, user.national_id, user.kind) == (
        "091090001234",
        "091090001234",
        AccountKind.CITIZEN,
    )
    entry = AuditEntry.objects.get(action="accounts.citizen_registered")
    assert entry.actor_id == user.pk
    assert PASSWORD not in all_audit_text()
    with pytest.raises(ValidationError) as caught:
        services.register_citizen(
            national_id="091090001234", full_name="Người Khác", password=PASSWORD
        )
    assert "already exists" in caught.value.message_dict["national_id"][0]


@pytest.mark.parametrize("bad", ["09109000123", "0910900012345", "09109000123a", ""])
def test_register_citizen_refuses_a_malformed_cccd(db: None, bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.register_citizen(national_id=bad, full_name="An", password=PASSWORD)
    assert "12 digits" in caught.value.message_dict["national_id"][0]


def test_register_business_with_tax_code(db: None) -> None:
    user = services.register_business(
        tax_code="1701234567-001", full_name="Chi nhánh Biển Xanh", password=PASSWORD
    )
    assert user.kind == AccountKind.BUSINESS
    assert user.tax_code == "1701234567-001"
    assert AuditEntry.objects.filter(action="accounts.business_registered").exists()
    with pytest.raises(ValidationError) as caught:
        services.register_business(tax_code="17012345", full_name="", password=PASSWORD)
    assert set(caught.value.message_dict) == {"tax_code", "full_name"}


def test_password_rules_are_applied_on_registration(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        services.register_citizen(
            national_id="091090001234", full_name="Nguyễn Văn An", password="12345678"
        )
    codes = {e.code for e in caught.value.error_dict["password"]}
    assert {"password_too_short", "password_entirely_numeric", "password_letters_digits"} <= codes
    with pytest.raises(ValidationError) as caught:
        services.register_citizen(
            national_id="091090001234", full_name="Nguyễn Văn An", password="passwordpassword"
        )
    codes = {e.code for e in caught.value.error_dict["password"]}
    assert "password_letters_digits" in codes
    assert not User.objects.exists()


def test_change_password(citizen: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.change_password(citizen, old_password="wrong", new_password="Hon9Dat8Moi")
    assert "old_password" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.change_password(citizen, old_password=PASSWORD, new_password="abcdefghijkl")
    assert "new_password" in caught.value.message_dict
    services.change_password(citizen, old_password=PASSWORD, new_password="Hon9Dat8Moi")
    citizen.refresh_from_db()
    assert citizen.check_password("Hon9Dat8Moi")
    assert AuditEntry.objects.filter(action="accounts.password_changed").exists()
    assert "Hon9Dat8Moi" not in all_audit_text()


# --- two-step verification ---------------------------------------------------


def test_totp_enrolment_is_confirmed_by_a_right_code_only(citizen: User, settings: Any) -> None:
    # A long first delay, so the test does not depend on how fast it runs.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = services.start_totp_enrolment(citizen)
    assert not device.confirmed
    wrong = f"{(int(token_for(device)) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError) as caught:
        services.confirm_totp_enrolment(citizen, device, wrong)
    assert "not correct" in caught.value.message_dict["token"][0]
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # committed despite the error
    # Straight after a wrong code the device makes the person wait.
    with pytest.raises(ValidationError) as caught:
        services.confirm_totp_enrolment(citizen, device, token_for(device))
    assert "next code is accepted from" in caught.value.message_dict["token"][0]
    device.throttle_reset()
    confirmed = services.confirm_totp_enrolment(citizen, device, token_for(device))
    assert confirmed.confirmed
    actions = list(
        AuditEntry.objects.filter(action__startswith="accounts.totp").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["accounts.totp_enabled", "accounts.totp_enrolment_started"]
    text = all_audit_text()
    assert device.key not in text
    with pytest.raises(ValidationError, match="already turned on"):
        services.start_totp_enrolment(citizen)


def test_a_new_enrolment_discards_the_unconfirmed_one(citizen: User) -> None:
    first = services.start_totp_enrolment(citizen)
    second = services.start_totp_enrolment(citizen)
    assert list(TOTPDevice.objects.filter(user=citizen)) == [second]
    assert first.key != second.key


def test_verify_totp(tree: Tree, make_staff: MakeStaff) -> None:
    member = make_staff("chuyenvien", RoleCode.SPECIALIST, tree.justice)
    with pytest.raises(ValidationError, match="not set up"):
        services.verify_totp(member, "123456")
    device = add_confirmed_device(member)
    assert services.verify_totp(member, token_for(device)) == device
    # A code is accepted once only.
    device.refresh_from_db()
    with pytest.raises(ValidationError):
        services.verify_totp(member, token_for(device))


def test_only_citizens_and_businesses_may_turn_two_step_off(
    tree: Tree, make_staff: MakeStaff, citizen: User
) -> None:
    member = make_staff("chuyenvien", RoleCode.SPECIALIST, tree.justice)
    add_confirmed_device(member)
    with pytest.raises(PermissionDenied):
        services.disable_totp(member, password=PASSWORD)
    assert TOTPDevice.objects.filter(user=member).exists()

    add_confirmed_device(citizen)
    with pytest.raises(ValidationError):
        services.disable_totp(citizen, password="wrong")
    services.disable_totp(citizen, password=PASSWORD)
    assert not TOTPDevice.objects.filter(user=citizen).exists()
    assert AuditEntry.objects.filter(action="accounts.totp_disabled", actor=citizen).exists()


def test_repeated_wrong_codes_also_say_when_to_try_again(citizen: User) -> None:
    device = add_confirmed_device(citizen)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=3,
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1),
    )
    right = {token_for(device, step) for step in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in right)
    with pytest.raises(ValidationError) as caught:
        services.verify_totp(citizen, wrong)
    messages = caught.value.message_dict["token"]
    assert len(messages) == 2
    assert "not correct" in messages[0]
    assert "next code is accepted from" in messages[1]
