"""Roles and their assignment to people in units (all audited)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import (
    RESTRICTED_PERMS,
    Perm,
    forget_cached_roles,
    has_perm_in_unit,
    require_perm,
    roles_changed,
)
from egov.accounts.services.common import (
    _Errors,
)
from egov.core import audit
from egov.core.models import Unit

# --- roles -------------------------------------------------------------------


def _role(code: str) -> Role:
    try:
        return Role.objects.get(code=code)
    except Role.DoesNotExist:
        raise ValidationError(
            {"roles": _("There is no role with the code “%(code)s”.") % {"code": code}}
        ) from None


def _check_may_grant(actor: User | None, role: Role, unit: Unit) -> None:
    """An actor manages staff in ``unit``'s subtree; province-wide roles need an operator."""
    if actor is None:
        return
    require_perm(actor, Perm.MANAGE_STAFF, unit)
    if RESTRICTED_PERMS & set(role.permissions) and not has_perm_in_unit(
        actor, Perm.OPERATE_PLATFORM, None
    ):
        raise PermissionDenied(
            _("Only a platform operator may grant or revoke the role “%(role)s”.")
            % {"role": role.name}
        )


def _active_unit(unit: Unit) -> None:
    if unit.dissolved_at is not None:
        raise ValidationError(
            {"unit": _("The unit “%(unit)s” has been dissolved.") % {"unit": unit.name}}
        )


def _grant(actor: User | None, user: User, role: Role, unit: Unit) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, granted_by=actor, granted_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="accounts.role_assigned",
        obj=assignment,
        unit=unit,
        changes={"user": user.username, "role": role.code, "unit": unit.code},
    )
    return assignment


def check_assign_role(actor: User | None, user: User, role_code: str, unit: Unit) -> Role:
    """Everything :func:`assign_role` checks, without writing (for forms); returns the role."""
    role = _role(role_code)
    _check_may_grant(actor, role, unit)
    if user.kind != AccountKind.STAFF:
        raise ValidationError(_("Roles can only be given to staff accounts."))
    if not user.is_active:
        raise ValidationError(_("This account is disabled."))
    _active_unit(unit)
    return role


def assign_role(actor: User | None, user: User, role_code: str, unit: Unit) -> RoleAssignment:
    """Give ``user`` (a staff member) the role ``role_code`` in ``unit`` and its subtree."""
    role = check_assign_role(actor, user, role_code, unit)
    with transaction.atomic():
        already = RoleAssignment.objects.filter(
            user=user, role=role, unit=unit, revoked_at__isnull=True
        ).exists()
        if already:
            raise ValidationError(
                _("%(user)s already holds the role “%(role)s” in %(unit)s.")
                % {"user": user, "role": role.name, "unit": unit.name}
            )
        try:
            with transaction.atomic():
                assignment = _grant(actor, user, role, unit)
        except IntegrityError:
            # A concurrent request granted the same role a moment ago.
            raise ValidationError(
                _("%(user)s already holds the role “%(role)s” in %(unit)s.")
                % {"user": user, "role": role.name, "unit": unit.name}
            ) from None
    roles_changed()
    forget_cached_roles(user)
    return assignment


def revoke_role(actor: User | None, assignment: RoleAssignment) -> RoleAssignment:
    """End a role assignment; it stays in the history with its revocation time."""
    _check_may_grant(actor, assignment.role, assignment.unit)
    with transaction.atomic():
        locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.revoked_at is not None:
            raise ValidationError(_("This role has already been revoked."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="accounts.role_revoked",
            obj=locked,
            unit=assignment.unit,
            changes={
                "user": assignment.user.username,
                "role": assignment.role.code,
                "unit": assignment.unit.code,
            },
        )
    assignment.revoked_at = locked.revoked_at
    roles_changed()
    forget_cached_roles(assignment.user)
    return assignment


def _clean_role_fields(
    *, name: str, name_en: str, permissions: Sequence[str]
) -> tuple[str, str, list[str]]:
    errors = _Errors()
    name = name.strip()
    if not name:
        errors.add("name", _("Enter the name of the role."))
    unknown = sorted(set(permissions) - Perm.all())
    if unknown:
        errors.add(
            "permissions",
            _("Unknown permission codes: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    errors.raise_if_any()
    return name, name_en.strip(), sorted(set(permissions))


def create_role(
    actor: User | None,
    *,
    code: str,
    name: str,
    name_en: str = "",
    description: str = "",
    permissions: Sequence[str] = (),
) -> Role:
    """A new role (only a platform operator defines roles)."""
    if actor is not None:
        require_perm(actor, Perm.OPERATE_PLATFORM, None)
    name, name_en, perms = _clean_role_fields(name=name, name_en=name_en, permissions=permissions)
    code = code.strip()
    if not code or Role.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Choose another code: this one is empty or taken.")})
    with transaction.atomic():
        role = Role.objects.create(
            code=code, name=name, name_en=name_en, description=description, permissions=perms
        )
        audit.record(
            actor=actor,
            action="accounts.role_created",
            obj=role,
            changes={"code": code, "name": name, "permissions": perms},
        )
    return role


def update_role(
    actor: User | None,
    role: Role,
    *,
    name: str,
    name_en: str = "",
    description: str = "",
    permissions: Sequence[str] = (),
) -> Role:
    """Rename a role or change what it grants (takes effect at the holders' next request)."""
    if actor is not None:
        require_perm(actor, Perm.OPERATE_PLATFORM, None)
    name, name_en, perms = _clean_role_fields(name=name, name_en=name_en, permissions=permissions)
    with transaction.atomic():
        locked = Role.objects.select_for_update().get(pk=role.pk)
        before = {
            "name": locked.name,
            "name_en": locked.name_en,
            "description": locked.description,
            "permissions": sorted(locked.permissions),
        }
        after = {"name": name, "name_en": name_en, "description": description, "permissions": perms}
        changes = audit.diff(before, after)
        if changes:
            for field, value in after.items():
                setattr(locked, field, value)
                setattr(role, field, value)
            locked.save(update_fields=list(after))
            audit.record(actor=actor, action="accounts.role_updated", obj=locked, changes=changes)
    roles_changed()
    return role
