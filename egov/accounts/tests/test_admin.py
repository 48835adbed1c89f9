from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.models import Role, RoleAssignment, User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.core.models import AuditEntry

from .conftest import MakeStaff, Tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(tree: Tree) -> Client:
    root = User.objects.create_superuser("root", "Root2020pass", full_name="Quản trị gốc")
    client = english_client()
    sign_in_verified(client, root)
    return client


def inline_management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_user_list_searches_by_cccd(admin_client_: Client, citizen: User) -> None:
    response = admin_client_.get("/admin/accounts/user/", {"q": "091090001234"})
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.content.decode()


def test_adding_staff_goes_through_the_service(admin_client_: Client, tree: Tree) -> None:
    role = Role.objects.get(code=RoleCode.SPECIALIST)
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {
            "username": "ChuyenVien.Moi",
            "full_name": "Chuyên Viên Mới",
            "email": "",
            "phone": "",
            "unit": str(tree.justice.pk),
            "roles": [str(role.pk)],
            "password1": "Sao8Mai9Sang",
            "password2": "Sao8Mai9Sang",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="chuyenvien.moi")
    assert user.check_password("Sao8Mai9Sang")
    assert RoleAssignment.objects.get(user=user).unit == tree.justice
    assert AuditEntry.objects.filter(action="accounts.staff_created", object_id=str(user.pk))


def test_add_form_shows_service_errors(admin_client_: Client, tree: Tree) -> None:
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {
            "username": "x",
            "full_name": "X",
            "unit": str(tree.justice.pk),
            "password1": "123",
            "password2": "123",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A staff user name has 3 to 50 characters" in html
    assert not User.objects.filter(username="x").exists()


def test_roles_are_granted_and_revoked_from_the_inline(
    admin_client_: Client, tree: Tree, make_staff: MakeStaff
) -> None:
    member = make_staff("nhanvien", RoleCode.SPECIALIST, tree.justice)
    existing = RoleAssignment.objects.get(user=member)
    head = Role.objects.get(code=RoleCode.UNIT_HEAD)
    prefix = "role_assignments"
    data = {
        "full_name": member.full_name,
        "email": "",
        "phone": "",
        "is_active": "on",
        **inline_management(prefix, 2, 1),
        f"{prefix}-0-id": str(existing.pk),
        f"{prefix}-0-user": str(member.pk),
        f"{prefix}-0-revoke": "on",
        f"{prefix}-1-user": str(member.pk),
        f"{prefix}-1-role": str(head.pk),
        f"{prefix}-1-unit": str(tree.justice.pk),
    }
    response = admin_client_.post(f"/admin/accounts/user/{member.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    existing.refresh_from_db()
    assert existing.revoked_at is not None
    active = RoleAssignment.objects.get(user=member, revoked_at__isnull=True)
    assert active.role == head
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "accounts.role_revoked" in actions
    assert actions.count("accounts.role_assigned") == 2


def test_totp_devices_are_not_edited_in_the_admin(admin_client_: Client) -> None:
    assert admin_client_.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_admin_pages_render(
    admin_client_: Client, tree: Tree, make_staff: MakeStaff, citizen: User
) -> None:
    member = make_staff("nhanvien", RoleCode.SPECIALIST, tree.justice)
    for url in [
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{member.pk}/change/",
        f"/admin/accounts/user/{citizen.pk}/change/",
        f"/admin/accounts/user/{member.pk}/password/",
        "/admin/accounts/role/",
        f"/admin/accounts/role/{Role.objects.get(code=RoleCode.SPECIALIST).pk}/change/",
    ]:
        assert admin_client_.get(url).status_code == 200, url


def test_admin_sets_a_password(admin_client_: Client, tree: Tree, make_staff: MakeStaff) -> None:
    member = make_staff("nhanvien", RoleCode.SPECIALIST, tree.justice)
    url = f"/admin/accounts/user/{member.pk}/password/"
    response = admin_client_.post(url, {"password1": "abc", "password2": "abc"})
    assert response.status_code == 200
    response = admin_client_.post(url, {"password1": "Moi8Mat9Khau", "password2": "Moi8Mat9Khau"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Moi8Mat9Khau")
