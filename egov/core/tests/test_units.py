"""Organisation tree: services, selectors, permissions and the demo tree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.admin import AdminSite
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone, translation

from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.core.admin_units import UnitAdmin
from egov.core.demo_units import demo_unit_records, load_demo_units
from egov.core.models import AuditEntry, Unit, UnitCode, UnitLevel
from egov.core.selectors.units import (
    SuccessorCycleError,
    ancestors,
    children,
    current_successor,
    get_unit_by_code,
    one_stop_units,
    parent_of,
    subtree,
)
from egov.core.services.units import (
    change_unit_code,
    create_unit,
    dissolve_unit,
    move_unit,
    update_unit,
)

pytestmark = pytest.mark.django_db


@dataclass
class Tree:
    province: Unit
    district1: Unit
    desk1: Unit
    commune1: Unit
    commune1_desk: Unit
    commune2: Unit
    commune3: Unit
    district2: Unit
    commune4: Unit
    agency: Unit


def make_tree() -> Tree:
    """A small province: two districts, four communes, one department."""
    province = create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level="province"
    )
    district1 = create_unit(
        None, province, code="000.00.31.H33", name="UBND thành phố Rạch Giá", level="district"
    )
    desk1 = create_unit(
        None,
        district1,
        code="000.01.31.H33",
        name="Bộ phận Tiếp nhận và Trả kết quả thành phố Rạch Giá",
        level="internal",
        is_one_stop=True,
    )
    commune1 = create_unit(
        None, district1, code="001.00.31.H33", name="UBND phường Vĩnh Thanh", level="commune"
    )
    commune1_desk = create_unit(
        None,
        commune1,
        code="001.99.31.H33",
        name="Bộ phận Tiếp nhận và Trả kết quả phường Vĩnh Thanh",
        level="internal",
        is_one_stop=True,
    )
    commune2 = create_unit(
        None, district1, code="002.00.31.H33", name="UBND phường Vĩnh Quang", level="commune"
    )
    commune3 = create_unit(
        None, district1, code="003.00.31.H33", name="UBND phường Vĩnh Hiệp", level="commune"
    )
    district2 = create_unit(
        None, province, code="000.00.32.H33", name="UBND thành phố Hà Tiên", level="district"
    )
    commune4 = create_unit(
        None, district2, code="001.00.32.H33", name="UBND phường Tô Châu", level="commune"
    )
    agency = create_unit(
        None,
        province,
        code="000.00.11.H33",
        name="Sở Thông tin và Truyền thông",
        level="provincial_agency",
        short_name="STTTT",
    )
    return Tree(
        province,
        district1,
        desk1,
        commune1,
        commune1_desk,
        commune2,
        commune3,
        district2,
        commune4,
        agency,
    )


def assert_tree_sound() -> None:
    """Treebeard's own consistency check: paths, depths and child counts."""
    problems = Unit.objects.find_problems()
    assert all(not found for found in problems), problems


def staff(username: str) -> User:
    return User.objects.create_user(
        username, "Secret-pass-123", full_name=username, kind=AccountKind.STAFF
    )


def grant_manage_units(user: User, unit: Unit) -> None:
    role, _ = Role.objects.get_or_create(
        code="test_unit_admin",
        defaults={"name": "Quản trị đơn vị (test)", "permissions": ["org.manage_units"]},
    )
    RoleAssignment.objects.create(user=user, role=role, unit=unit)


# --- Creating and reading --------------------------------------------------------


def test_create_builds_a_sound_tree_with_code_history_and_audit() -> None:
    tree = make_tree()
    assert_tree_sound()
    assert parent_of(tree.commune1) == tree.district1
    assert [u.code for u in ancestors(tree.commune1_desk)] == [
        "000.00.00.H33",
        "000.00.31.H33",
        "001.00.31.H33",
    ]
    assert list(children(tree.district1)) == [
        tree.desk1,
        tree.commune1,
        tree.commune2,
        tree.commune3,
    ]
    history = UnitCode.objects.get(unit=tree.commune1)
    assert history.code == "001.00.31.H33" and history.valid_to is None
    entry = AuditEntry.objects.get(action="unit.create", object_id=str(tree.commune1.pk))
    assert entry.unit_id == tree.commune1.pk
    assert entry.actor_repr == "system"
    assert entry.changes["code"] == [None, "001.00.31.H33"]
    assert entry.changes["parent"] == [None, "000.00.31.H33"]


def test_create_refuses_bad_code_taken_code_and_dissolved_parent() -> None:
    tree = make_tree()
    with pytest.raises(ValidationError) as bad:
        create_unit(None, tree.district1, code="31-H33", name="X", level="commune")
    assert "code" in bad.value.message_dict
    with pytest.raises(ValidationError) as taken:
        create_unit(None, tree.district1, code="001.00.31.h33", name="X", level="commune")
    with translation.override("en"):
        assert "already used by UBND phường Vĩnh Thanh" in taken.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as no_level:
        create_unit(None, tree.district1, code="009.00.31.H33", name="X", level="hamlet")
    assert "level" in no_level.value.message_dict
    dissolve_unit(None, tree.commune3)
    with pytest.raises(ValidationError) as dissolved:
        create_unit(None, tree.commune3, code="003.99.31.H33", name="X", level="internal")
    assert "parent" in dissolved.value.message_dict
    assert Unit.objects.count() == 10


def test_selectors_hide_dissolved_units_by_default() -> None:
    tree = make_tree()
    dissolve_unit(None, tree.commune3)
    assert tree.commune3 not in subtree(tree.district1)
    assert tree.commune3 in subtree(tree.district1, include_dissolved=True)
    assert tree.district1 in subtree(tree.district1)
    assert tree.district1 not in subtree(tree.district1, include_self=False)
    assert list(one_stop_units(tree.district1)) == [tree.desk1]
    assert list(one_stop_units(tree.commune1_desk)) == [tree.commune1_desk]


# --- Editing ----------------------------------------------------------------------


def test_update_renames_with_audit_and_refuses_unknown_fields() -> None:
    tree = make_tree()
    unit = update_unit(None, tree.agency, name="Sở Khoa học và Công nghệ", short_name="SKHCN")
    assert unit.name == "Sở Khoa học và Công nghệ"
    assert tree.agency.short_name == "SKHCN"  # the caller's instance follows
    entry = AuditEntry.objects.get(action="unit.rename", object_id=str(tree.agency.pk))
    assert entry.changes["name"] == ["Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"]
    update_unit(None, tree.agency, phone=" 0297 3862 000 ", email="STKHCN@kiengiang.gov.vn")
    tree.agency.refresh_from_db()
    assert tree.agency.phone == "0297 3862 000"
    assert tree.agency.email == "stkhcn@kiengiang.gov.vn"
    assert AuditEntry.objects.filter(action="unit.update").count() == 1
    before = AuditEntry.objects.count()
    update_unit(None, tree.agency, phone="0297 3862 000")  # no change, no entry
    assert AuditEntry.objects.count() == before
    with pytest.raises(TypeError, match="change_unit_code"):
        update_unit(None, tree.agency, code="000.00.12.H33")
    with pytest.raises(ValidationError) as bad_mail:
        update_unit(None, tree.agency, email="not an address")
    assert "email" in bad_mail.value.message_dict


def test_dissolved_unit_cannot_be_edited() -> None:
    tree = make_tree()
    dissolve_unit(None, tree.commune3)
    with pytest.raises(ValidationError), translation.override("en"):
        update_unit(None, tree.commune3, name="Anything")


def test_old_code_keeps_resolving_after_a_change_of_code() -> None:
    tree = make_tree()
    created = timezone.now() - timedelta(days=30)
    UnitCode.objects.filter(unit=tree.commune2).update(valid_from=created)
    changed_at = timezone.now() - timedelta(days=10)
    change_unit_code(None, tree.commune2, "H33.899.02", at=changed_at)

    tree.commune2.refresh_from_db()
    assert tree.commune2.code == "H33.899.02"
    assert get_unit_by_code("002.00.31.H33") == tree.commune2
    assert get_unit_by_code("h33.899.02") == tree.commune2
    assert get_unit_by_code("002.00.31.H33", at=changed_at - timedelta(days=1)) == tree.commune2
    assert get_unit_by_code("002.00.31.H33", at=changed_at + timedelta(days=1)) is None
    assert get_unit_by_code("H33.899.02", at=changed_at - timedelta(days=1)) is None
    assert get_unit_by_code("999.00.31.H33") is None
    rows = list(UnitCode.objects.filter(unit=tree.commune2).order_by("valid_from"))
    assert [(r.code, r.valid_to) for r in rows] == [
        ("002.00.31.H33", changed_at),
        ("H33.899.02", None),
    ]
    entry = AuditEntry.objects.get(action="unit.change_code")
    assert entry.changes["code"] == ["002.00.31.H33", "H33.899.02"]

    # The old code still leads to the unit, so no other unit may take it.
    with pytest.raises(ValidationError) as taken:
        create_unit(None, tree.district1, code="002.00.31.H33", name="X", level="commune")
    assert "code" in taken.value.message_dict
    with pytest.raises(ValidationError):
        change_unit_code(None, tree.commune2, "H33.899.02")
    with pytest.raises(ValidationError):
        change_unit_code(None, tree.commune1, "H33.899.03", at=timezone.now() + timedelta(days=1))


# --- Moving -----------------------------------------------------------------------


def test_move_carries_the_branch_and_is_audited() -> None:
    tree = make_tree()
    moved = move_unit(None, tree.commune1, tree.district2)
    assert parent_of(moved) == tree.district2
    assert tree.commune1.path == moved.path  # caller's instance refreshed
    desk = Unit.objects.get(pk=tree.commune1_desk.pk)
    assert desk.path.startswith(moved.path) and desk.depth == 4
    assert_tree_sound()
    entry = AuditEntry.objects.get(action="unit.move")
    assert entry.changes == {"parent": ["000.00.31.H33", "000.00.32.H33"]}
    before = AuditEntry.objects.count()
    move_unit(None, tree.commune1, tree.district2)  # already there: nothing to do
    assert AuditEntry.objects.count() == before


def test_move_refuses_cycles_and_dissolved_targets() -> None:
    tree = make_tree()
    with pytest.raises(ValidationError) as into_self:
        move_unit(None, tree.district1, tree.district1)
    assert "parent" in into_self.value.message_dict
    with pytest.raises(ValidationError) as into_child:
        move_unit(None, tree.district1, tree.commune1_desk)
    with translation.override("en"):
        assert "under itself or one of its own sub-units" in str(into_child.value)
    dissolve_unit(None, tree.commune3)
    with pytest.raises(ValidationError):
        move_unit(None, tree.commune2, tree.commune3)
    with pytest.raises(ValidationError):
        move_unit(None, tree.commune3, tree.district2)
    assert parent_of(Unit.objects.get(pk=tree.district1.pk)) == tree.province
    assert_tree_sound()


# --- Dissolving and successors ---------------------------------------------------


def test_dissolve_needs_sub_units_handled_and_cascades_on_request() -> None:
    tree = make_tree()
    with pytest.raises(ValidationError), translation.override("en"):
        dissolve_unit(None, tree.district2)
    move_unit(None, tree.commune4, tree.province)
    dissolve_unit(None, tree.district2, successor=tree.province)
    tree.district2.refresh_from_db()
    assert tree.district2.dissolved_at is not None
    assert current_successor(tree.district2) == tree.province
    assert get_unit_by_code("000.00.32.H33", follow_successor=True) == tree.province
    assert get_unit_by_code("000.00.32.H33") == tree.district2
    assert UnitCode.objects.get(unit=tree.district2).valid_to == tree.district2.dissolved_at

    dissolve_unit(None, tree.commune1, successor=tree.commune2, cascade=True)
    desk = Unit.objects.get(pk=tree.commune1_desk.pk)
    assert desk.dissolved_at is not None and desk.successor == tree.commune2
    assert AuditEntry.objects.filter(action="unit.dissolve").count() == 3
    with pytest.raises(ValidationError):
        dissolve_unit(None, tree.commune1)
    with pytest.raises(ValidationError):
        dissolve_unit(None, tree.commune3, successor=tree.commune1)


def test_successor_chain_is_followed_and_cycles_are_caught() -> None:
    tree = make_tree()
    dissolve_unit(None, tree.commune3, successor=tree.commune2)
    dissolve_unit(None, tree.commune2, successor=tree.commune1, cascade=True)
    assert current_successor(Unit.objects.get(pk=tree.commune3.pk)) == tree.commune1
    assert current_successor(tree.commune1) == tree.commune1
    # Only broken data can loop; the selector must stop rather than spin.
    Unit.objects.filter(pk=tree.commune2.pk).update(successor=tree.commune3)
    with pytest.raises(SuccessorCycleError):
        current_successor(Unit.objects.get(pk=tree.commune3.pk))


# --- Permissions ------------------------------------------------------------------


def test_permission_is_scoped_to_the_subtree_of_the_role() -> None:
    tree = make_tree()
    admin = staff("qt.rachgia")
    grant_manage_units(admin, tree.district1)

    created = create_unit(
        admin, tree.district1, code="004.00.31.H33", name="UBND phường Vĩnh Lạc", level="commune"
    )
    assert parent_of(created) == tree.district1
    update_unit(admin, tree.district1, phone="0297 3863 000")  # own contact details
    update_unit(admin, tree.commune1, name="UBND phường Vĩnh Thanh (mới)")  # a sub-unit
    move_unit(admin, tree.commune3, tree.commune2)  # within the subtree
    entry = AuditEntry.objects.filter(action="unit.move").latest("id")
    assert entry.actor_id == admin.pk

    with pytest.raises(PermissionDenied):
        create_unit(admin, tree.district2, code="002.00.32.H33", name="X", level="commune")
    with pytest.raises(PermissionDenied):
        update_unit(admin, tree.district1, name="Renamed by itself")  # decided above it
    with pytest.raises(PermissionDenied):
        move_unit(admin, tree.commune2, tree.district2)
    with pytest.raises(PermissionDenied):
        update_unit(admin, tree.commune4, phone="1")
    with pytest.raises(PermissionDenied):
        dissolve_unit(admin, tree.district1, cascade=True)
    with pytest.raises(PermissionDenied):
        create_unit(admin, None, code="000.00.00.H01", name="UBND tỉnh An Giang", level="province")


def test_users_without_the_permission_are_refused() -> None:
    tree = make_tree()
    clerk = staff("motcua.rachgia")
    role = Role.objects.create(code="test_clerk", name="Một cửa", permissions=["dossiers.receive"])
    RoleAssignment.objects.create(user=clerk, role=role, unit=tree.district1)
    for actor in (clerk, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            create_unit(actor, tree.district1, code="005.00.31.H33", name="X", level="commune")
        with pytest.raises(PermissionDenied):
            update_unit(actor, tree.commune1, phone="1")
    assert not Unit.objects.filter(code="005.00.31.H33").exists()
    root_admin = User.objects.create_superuser("root", "Secret-pass-123", full_name="Root")
    create_unit(root_admin, None, code="000.00.00.H01", name="UBND tỉnh An Giang", level="province")
    assert Unit.objects.filter(depth=1).count() == 2


# --- Demo tree ----------------------------------------------------------------------


def test_demo_tree_has_the_2019_structure_and_reloads_idempotently() -> None:
    report = load_demo_units()
    assert report.count("create") == len(demo_unit_records())
    assert_tree_sound()
    root = Unit.objects.get(depth=1)
    assert (root.code, root.short_name, root.level) == ("000.00.00.H33", "UBND", "province")
    active = Unit.objects.filter(dissolved_at__isnull=True)
    districts = active.filter(level=UnitLevel.DISTRICT)
    assert districts.count() == 15
    assert active.filter(level=UnitLevel.COMMUNE).count() == 143
    agencies = active.filter(level=UnitLevel.PROVINCIAL_AGENCY)
    assert agencies.count() == 22
    assert {"Sở Nội vụ", "Sở Thông tin và Truyền thông", "Thanh tra tỉnh"} <= set(
        agencies.values_list("name", flat=True)
    )
    assert all(u.depth == 2 for u in [*districts, *agencies])
    communes = active.filter(level=UnitLevel.COMMUNE)
    assert all(u.depth == 3 for u in communes)
    assert {c.statistics_code for c in communes} >= {"30733"}  # Phường Vĩnh Thanh Vân
    assert districts.get(statistics_code="899").name == "Ủy ban nhân dân thành phố Rạch Giá"
    # Every agency, district and commune (and the province) has its one-stop unit.
    for unit in [root, *agencies, *districts, *communes]:
        desks = one_stop_units(unit).exclude(pk=unit.pk)
        assert desks.count() == 1, unit
        assert desks[0].level == UnitLevel.INTERNAL
    offices = active.filter(level=UnitLevel.DISTRICT_AGENCY)
    # District offices hang directly under at least two districts (path prefix = district).
    assert {office.path[: 2 * Unit.steplen] for office in offices} <= {d.path for d in districts}
    assert len({office.path[: 2 * Unit.steplen] for office in offices}) >= 2
    assert all(office.depth == 3 for office in offices)

    count, audit_count = Unit.objects.count(), AuditEntry.objects.count()
    again = load_demo_units()
    assert again.changes == []
    assert again.unchanged == count
    assert (Unit.objects.count(), AuditEntry.objects.count()) == (count, audit_count)

    # A changed name is put back, not duplicated.
    update_unit(None, agencies.get(short_name="STTTT"), name="Sở TT&TT")
    repaired = load_demo_units()
    assert [c.action for c in repaired.changes] == ["update"]
    assert Unit.objects.count() == count
    assert agencies.get(short_name="STTTT").name == "Sở Thông tin và Truyền thông"


# --- Admin ----------------------------------------------------------------------------


def test_admin_is_read_mostly_and_saves_through_the_service(rf: RequestFactory) -> None:
    tree = make_tree()
    admin_user = staff("qt.rachgia")
    admin_user.is_staff = True
    admin_user.save()
    grant_manage_units(admin_user, tree.district1)
    request = rf.get("/admin/core/unit/")
    request.user = admin_user
    model_admin = UnitAdmin(Unit, AdminSite())

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, tree.district1)
    assert model_admin.has_change_permission(request, tree.commune1)
    assert not model_admin.has_change_permission(request, tree.district2)
    assert set(model_admin.get_queryset(request)) == set(subtree(tree.district1))
    # Its own unit: contact details only; a sub-unit: names too; never the code.
    own = model_admin.get_readonly_fields(request, tree.district1)
    assert "name" in own and "phone" not in own and "code" in own
    below = model_admin.get_readonly_fields(request, tree.commune1)
    assert "name" not in below and "code" in below

    form_class = model_admin.get_form(request, tree.district1)
    data = {"address": "", "phone": "0297 3863 000", "email": "", "website": ""}
    form = form_class(data=data, instance=Unit.objects.get(pk=tree.district1.pk))
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, True)
    assert Unit.objects.get(pk=tree.district1.pk).phone == "0297 3863 000"
    entry = AuditEntry.objects.get(action="unit.update")
    assert entry.actor_id == admin_user.pk
    assert entry.changes == {"phone": ["", "0297 3863 000"]}
