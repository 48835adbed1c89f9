from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from egov.accounts import services
from egov.accounts.models import Role, RoleAssignment, User
from egov.accounts.permissions import (
    Perm,
    RoleCode,
    forget_cached_roles,
    has_perm_in_unit,
    perms_in_unit,
    require_perm,
    units_with_perm,
)
from egov.core.models import Unit

from .conftest import MakeStaff, Tree

pytestmark = pytest.mark.django_db


def test_seeded_roles_grant_the_expected_permissions() -> None:
    roles = {role.code: set(role.permissions) for role in Role.objects.all()}
    assert roles[RoleCode.ONE_STOP_CLERK] == {Perm.RECEIVE_DOSSIERS, Perm.RETURN_RESULTS}
    assert roles[RoleCode.SPECIALIST] == {Perm.PROCESS_DOSSIERS}
    assert roles[RoleCode.UNIT_HEAD] == {
        Perm.PROCESS_DOSSIERS,
        Perm.APPROVE_DOSSIERS,
        Perm.ASSIGN_DOCUMENTS,
    }
    assert roles[RoleCode.AGENCY_LEADER] == {
        Perm.APPROVE_DOSSIERS,
        Perm.SIGN_DOCUMENTS,
        Perm.ASSIGN_DOCUMENTS,
        Perm.VIEW_AUDIT,
    }
    assert roles[RoleCode.RECORDS_CLERK] == {Perm.REGISTER_DOCUMENTS}
    assert roles[RoleCode.AGENCY_ADMIN] == {Perm.MANAGE_UNITS, Perm.MANAGE_STAFF, Perm.VIEW_AUDIT}
    assert roles[RoleCode.PLATFORM_OPERATOR] == set(Perm.all())
    assert Role.objects.get(code=RoleCode.RECORDS_CLERK).name == "Văn thư"


def test_role_in_a_district_applies_to_its_communes_not_to_siblings(
    tree: Tree, make_staff: MakeStaff
) -> None:
    leader = make_staff("lanhdao.rachgia", RoleCode.AGENCY_LEADER, tree.rach_gia)
    assert has_perm_in_unit(leader, Perm.SIGN_DOCUMENTS, tree.rach_gia)
    assert has_perm_in_unit(leader, Perm.SIGN_DOCUMENTS, tree.vinh_thanh_van)
    assert has_perm_in_unit(leader, Perm.SIGN_DOCUMENTS, tree.vinh_thanh_van_one_stop)
    assert not has_perm_in_unit(leader, Perm.SIGN_DOCUMENTS, tree.chau_thanh)
    assert not has_perm_in_unit(leader, Perm.SIGN_DOCUMENTS, tree.minh_luong)
    assert not has_perm_in_unit(leader, Perm.SIGN_DOCUMENTS, tree.province)
    # A permission the role does not carry is refused even in its own unit.
    assert not has_perm_in_unit(leader, Perm.RECEIVE_DOSSIERS, tree.rach_gia)
    assert has_perm_in_unit(leader, Perm.SIGN_DOCUMENTS, None)
    assert not has_perm_in_unit(leader, Perm.MANAGE_STAFF, None)
    with pytest.raises(PermissionDenied):
        require_perm(leader, Perm.SIGN_DOCUMENTS, tree.minh_luong)


def test_revoked_role_no_longer_applies(tree: Tree, make_staff: MakeStaff, operator: User) -> None:
    clerk = make_staff("motcua.vtv", RoleCode.ONE_STOP_CLERK, tree.vinh_thanh_van)
    assert has_perm_in_unit(clerk, Perm.RECEIVE_DOSSIERS, tree.vinh_thanh_van_one_stop)
    assignment = RoleAssignment.objects.get(user=clerk)
    services.revoke_role(operator, assignment)
    # The same object that cached the grants sees the revocation.
    assert not has_perm_in_unit(clerk, Perm.RECEIVE_DOSSIERS, tree.vinh_thanh_van_one_stop)
    fresh = User.objects.get(pk=clerk.pk)
    assert not has_perm_in_unit(fresh, Perm.RECEIVE_DOSSIERS, None)


def test_assignments_in_a_dissolved_unit_no_longer_apply(tree: Tree, make_staff: MakeStaff) -> None:
    clerk = make_staff("motcua.vtv", RoleCode.ONE_STOP_CLERK, tree.vinh_thanh_van)
    assert has_perm_in_unit(clerk, Perm.RECEIVE_DOSSIERS, tree.vinh_thanh_van)
    Unit.objects.filter(pk=tree.vinh_thanh_van.pk).update(dissolved_at=timezone.now())
    forget_cached_roles(clerk)
    assert not has_perm_in_unit(clerk, Perm.RECEIVE_DOSSIERS, tree.vinh_thanh_van)
    assert not units_with_perm(clerk, Perm.RECEIVE_DOSSIERS).exists()


def test_one_query_per_user_then_cached(
    tree: Tree, make_staff: MakeStaff, django_assert_num_queries: Any
) -> None:
    leader = User.objects.get(
        pk=make_staff("lanhdao.rachgia", RoleCode.AGENCY_LEADER, tree.rach_gia).pk
    )
    units = [tree.rach_gia, tree.vinh_thanh_van, tree.chau_thanh, tree.minh_luong]
    with django_assert_num_queries(1):
        results = [has_perm_in_unit(leader, Perm.SIGN_DOCUMENTS, unit) for unit in units]
    assert results == [True, True, False, False]
    with django_assert_num_queries(0):
        assert perms_in_unit(leader, tree.vinh_thanh_van) == {
            Perm.APPROVE_DOSSIERS,
            Perm.SIGN_DOCUMENTS,
            Perm.ASSIGN_DOCUMENTS,
            Perm.VIEW_AUDIT,
        }


def test_units_with_perm_is_the_union_of_subtrees(tree: Tree, make_staff: MakeStaff) -> None:
    clerk = make_staff("motcua", RoleCode.ONE_STOP_CLERK, tree.rach_gia)
    services.assign_role(None, clerk, RoleCode.ONE_STOP_CLERK, tree.vinh_thanh_van)
    services.assign_role(None, clerk, RoleCode.ONE_STOP_CLERK, tree.minh_luong)
    names = set(units_with_perm(clerk, Perm.RECEIVE_DOSSIERS).values_list("name", flat=True))
    assert names == {
        "UBND Thành phố Rạch Giá",
        "UBND Phường Vĩnh Thanh Vân",
        "Bộ phận Một cửa Phường Vĩnh Thanh Vân",
        "UBND Thị trấn Minh Lương",
    }
    assert not units_with_perm(clerk, Perm.SIGN_DOCUMENTS).exists()


def test_superuser_may_everything_and_inactive_user_nothing(
    tree: Tree, make_staff: MakeStaff
) -> None:
    root = User.objects.create_superuser("root", "Root2020pass", full_name="Root")
    assert has_perm_in_unit(root, Perm.OPERATE_PLATFORM, tree.minh_luong)
    assert perms_in_unit(root, tree.minh_luong) == Perm.all()
    admin = make_staff("quantri", RoleCode.AGENCY_ADMIN, tree.province)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    admin.refresh_from_db()
    assert not has_perm_in_unit(admin, Perm.MANAGE_STAFF, tree.province)
    assert not units_with_perm(admin, Perm.MANAGE_STAFF).exists()
