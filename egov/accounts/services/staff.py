"""Staff accounts: creation, changes by an administrator, unlocking, TOTP reset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import AccountKind, Role, User
from egov.accounts.permissions import (
    Perm,
    has_perm_in_unit,
    require_perm,
    roles_changed,
)
from egov.accounts.services.common import (
    _contact_errors,
    _Errors,
    _password_errors,
)
from egov.accounts.services.roles import (
    _check_may_grant,
    _grant,
    _role,
)
from egov.accounts.validators import (
    normalize_phone,
    validate_staff_username,
)
from egov.core import audit
from egov.core.models import Unit

# --- staff accounts ----------------------------------------------------------


def create_staff_account(
    actor: User | None,
    *,
    username: str,
    full_name: str,
    unit: Unit,
    role_codes: Sequence[str],
    email: str = "",
    phone: str = "",
    password: str | None = None,
) -> User:
    """Create a staff account holding ``role_codes`` in ``unit``.

    Needs ``accounts.manage_staff`` in ``unit``. Without ``password`` the account
    cannot sign in until an administrator sets one (:func:`set_password_by_admin`).
    The new member enrols an authenticator at their first sign-in.
    """
    user, roles = check_new_staff_account(
        actor,
        username=username,
        full_name=full_name,
        unit=unit,
        role_codes=role_codes,
        email=email,
        phone=phone,
        password=password,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            audit.record(
                actor=actor,
                action="accounts.staff_created",
                obj=user,
                unit=unit,
                changes={
                    "username": user.username,
                    "full_name": user.full_name,
                    "email": user.email,
                    "phone": user.phone,
                    "unit": unit.code,
                    "roles": [role.code for role in roles],
                },
            )
            for role in roles:
                _grant(actor, user, role, unit)
    except IntegrityError:
        raise ValidationError({"username": _("This user name is already taken.")}) from None
    roles_changed()
    return user


def check_new_staff_account(
    actor: User | None,
    *,
    username: str,
    full_name: str,
    unit: Unit,
    role_codes: Sequence[str],
    email: str = "",
    phone: str = "",
    password: str | None = None,
) -> tuple[User, list[Role]]:
    """Everything :func:`create_staff_account` checks, without writing (for forms).

    Returns the unsaved user (fields normalised) and the roles to grant.
    """
    if actor is not None:
        require_perm(actor, Perm.MANAGE_STAFF, unit)
    username = User.normalize_username(username)
    full_name = full_name.strip()
    email = email.strip()
    phone = normalize_phone(phone.strip())
    errors = _Errors()
    errors.check("username", validate_staff_username, username)
    if not full_name:
        errors.add("full_name", _("Enter the full name."))
    _contact_errors(errors, email, phone)
    if username and User.objects.filter(username=username).exists():
        errors.add("username", _("This user name is already taken."))
    roles = []
    for code in dict.fromkeys(role_codes):
        try:
            roles.append(_role(code))
        except ValidationError as exc:
            errors.add("roles", exc.message_dict["roles"][0])
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        phone=phone,
        kind=AccountKind.STAFF,
    )
    if password is not None:
        _password_errors(errors, "password", password, user)
    if unit.dissolved_at is not None:
        errors.add("unit", _("The unit “%(unit)s” has been dissolved.") % {"unit": unit.name})
    errors.raise_if_any()
    for role in roles:
        _check_may_grant(actor, role, unit)
    return user, roles


def may_manage_account(actor: User | None, user: User) -> bool:
    """Operators manage every account; agency admins the staff holding a role in
    their subtree."""
    if actor is None:
        return True
    if has_perm_in_unit(actor, Perm.OPERATE_PLATFORM, None):
        return True
    if user.kind != AccountKind.STAFF:
        return False
    units = Unit.objects.filter(
        role_assignments__user=user, role_assignments__revoked_at__isnull=True
    ).distinct()
    return any(has_perm_in_unit(actor, Perm.MANAGE_STAFF, unit) for unit in units)


def _require_manage_account(actor: User | None, user: User) -> None:
    if not may_manage_account(actor, user):
        raise PermissionDenied(_("You may not manage this account."))


def update_account(
    actor: User | None,
    user: User,
    *,
    full_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    is_active: bool | None = None,
    is_admin_site_user: bool | None = None,
) -> User:
    """Change an account's details; fields left as ``None`` keep their value.

    Needs the right to manage the account (see :func:`may_manage_account`);
    access to the technical admin site can only be changed by a superuser.
    """
    _require_manage_account(actor, user)
    if is_admin_site_user is not None and actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser may change access to the admin site."))
    if actor is not None and actor.pk == user.pk and is_active is False:
        raise ValidationError({"is_active": _("You cannot disable your own account.")})
    wanted: dict[str, Any] = {}
    errors = _Errors()
    if full_name is not None:
        wanted["full_name"] = full_name.strip()
        if not wanted["full_name"]:
            errors.add("full_name", _("Enter the full name."))
    if email is not None:
        wanted["email"] = email.strip()
    if phone is not None:
        wanted["phone"] = normalize_phone(phone.strip())
    _contact_errors(errors, wanted.get("email", ""), wanted.get("phone", ""))
    if is_active is not None:
        wanted["is_active"] = is_active
    if is_admin_site_user is not None:
        wanted["is_staff"] = is_admin_site_user
    errors.raise_if_any()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {field: getattr(locked, field) for field in wanted}
        changes = audit.diff(before, wanted)
        if not changes:
            return user
        for field, value in wanted.items():
            setattr(locked, field, value)
            setattr(user, field, value)
        locked.save(update_fields=list(wanted))
        audit.record(actor=actor, action="accounts.account_updated", obj=locked, changes=changes)
    return user


def set_password_by_admin(actor: User | None, user: User, new_password: str) -> None:
    """An administrator sets a new password for an account (e.g. a forgotten one)."""
    _require_manage_account(actor, user)
    errors = _Errors()
    _password_errors(errors, "password", new_password, user)
    errors.raise_if_any()
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor=actor, action="accounts.password_set_by_admin", obj=user)


def unlock_account(actor: User | None, user: User) -> int:
    """Clear the failed sign-in counter of a locked account; returns attempts removed."""
    from axes.utils import reset

    _require_manage_account(actor, user)
    with transaction.atomic():
        removed = int(reset(username=user.username))
        audit.record(
            actor=actor,
            action="accounts.account_unlocked",
            obj=user,
            changes={"failed_attempts_removed": removed},
        )
    return removed


def reset_totp(actor: User | None, user: User) -> None:
    """Remove a member's authenticator (lost phone); they enrol a new one at the next
    sign-in, since staff cannot reach any page without one."""
    _require_manage_account(actor, user)
    with transaction.atomic():
        removed, _details = TOTPDevice.objects.filter(user=user).delete()
        audit.record(
            actor=actor,
            action="accounts.totp_reset",
            obj=user,
            changes={"devices_removed": removed},
        )
