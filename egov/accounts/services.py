"""The write path for accounts: staff and their roles, citizen and business
self-registration, passwords and two-step verification (TOTP).

Every function checks who may act, validates, changes state in one transaction and
writes an audit entry in it. Errors a person can fix are raised as
``ValidationError`` (a dict keyed by form field where one applies), refusals as
``PermissionDenied``. ``actor=None`` means the platform itself (management
commands such as the demo loader); pages and the API always pass the signed-in user.
Audit entries never carry passwords, password hashes or TOTP secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import otp
from egov.accounts.models import AccountKind, Role, RoleAssignment, User
from egov.accounts.permissions import (
    RESTRICTED_PERMS,
    Perm,
    forget_cached_roles,
    has_perm_in_unit,
    require_perm,
    roles_changed,
)
from egov.accounts.validators import (
    normalize_phone,
    validate_national_id,
    validate_phone,
    validate_staff_username,
    validate_tax_code,
)
from egov.core import audit
from egov.core.models import Unit

TOTP_DEVICE_NAME = "authenticator"

_validate_email = EmailValidator(
    message=gettext_lazy("Enter a valid e-mail address, e.g. ten@example.com.")
)


class _Errors:
    """Collects field errors so one call reports everything wrong at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str, error: ValidationError | str) -> None:
        if isinstance(error, ValidationError):
            items = list(error.error_list) if hasattr(error, "error_list") else [error]
        else:
            items = [ValidationError(error)]
        self.by_field.setdefault(field, []).extend(items)

    def check(self, field: str, validator: Any, value: Any) -> None:
        try:
            validator(value)
        except ValidationError as exc:
            self.add(field, exc)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(dict(self.by_field))


def _password_errors(errors: _Errors, field: str, password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        for error in exc.error_list:
            if error.code == "password_too_short":
                # Django 5.2's own wording of this rule has no Vietnamese translation yet.
                minimum = (error.params or {}).get("min_length", 0)
                error = ValidationError(
                    _("The password is too short: it needs at least %(min)d characters.")
                    % {"min": minimum},
                    code="password_too_short",
                )
            errors.add(field, error)


def _contact_errors(errors: _Errors, email: str, phone: str) -> None:
    if email:
        errors.check("email", _validate_email, email)
    if phone:
        errors.check("phone", validate_phone, phone)


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


# --- citizens and businesses -------------------------------------------------


def _register(
    *,
    kind: AccountKind,
    identifier_field: str,
    identifier: str,
    full_name: str,
    password: str,
    email: str,
    phone: str,
) -> User:
    identifier = identifier.strip()
    full_name = full_name.strip()
    email = email.strip()
    phone = normalize_phone(phone.strip())
    errors = _Errors()
    validator = validate_national_id if identifier_field == "national_id" else validate_tax_code
    errors.check(identifier_field, validator, identifier)
    if not full_name:
        if kind == AccountKind.BUSINESS:
            errors.add("full_name", _("Enter the name of the business."))
        else:
            errors.add("full_name", _("Enter the full name."))
    _contact_errors(errors, email, phone)
    user = User(
        username=identifier,
        full_name=full_name,
        email=email,
        phone=phone,
        kind=kind,
        **{identifier_field: identifier},
    )
    _password_errors(errors, "password", password, user)
    # Only once everything else is right: whether the number has an account must not
    # change which errors come back (see request_registration).
    errors.raise_if_any()
    if _holder_of(identifier_field, identifier) is not None:
        raise _already_registered(identifier_field)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            audit.record(
                actor=user,
                action=f"accounts.{kind}_registered",
                obj=user,
                changes={
                    "username": identifier,
                    "full_name": full_name,
                    "email": email,
                    "phone": phone,
                },
            )
    except IntegrityError:
        raise _already_registered(identifier_field) from None
    return user


def _holder_of(identifier_field: str, identifier: str) -> User | None:
    return (
        User.objects.filter(username=identifier).first()
        or User.objects.filter(**{identifier_field: identifier}).first()
    )


def request_registration(*, kind: str, identifier: str, **fields: Any) -> User | None:
    """Self-registration from the public page, which must not tell whether the number
    has an account: a taken number returns ``None`` where a new account returns the
    user (the page answers both alike); the holder is told by e-mail, and it is audited."""
    from egov.accounts import notices

    register = register_business if kind == AccountKind.BUSINESS else register_citizen
    field = "tax_code" if kind == AccountKind.BUSINESS else "national_id"
    try:
        return register(**{field: identifier}, **fields)
    except ValidationError as exc:
        taken = [
            error
            for errors in getattr(exc, "error_dict", {}).values()
            for error in errors
            if error.code == "registered"
        ]
        if not taken:
            raise
    # Hash anyway, so the answer takes as long as creating an account would.
    make_password(fields.get("password", ""))
    holder = _holder_of(field, identifier.strip())
    with transaction.atomic():
        audit.record(
            actor=None,
            action="accounts.registration_for_existing_account",
            obj=holder,
            changes={"kind": kind},
        )
        if holder is not None:
            notices.registration_attempted(holder)
    return None


def _already_registered(identifier_field: str) -> ValidationError:
    message = _duplicate_identifier_message(identifier_field)
    return ValidationError({identifier_field: ValidationError(message, code="registered")})


def _duplicate_identifier_message(identifier_field: str) -> str:
    if identifier_field == "national_id":
        return _("An account with this citizen ID number already exists. Sign in instead.")
    return _("An account with this tax code already exists. Sign in instead.")


def register_citizen(
    *, national_id: str, full_name: str, password: str, email: str = "", phone: str = ""
) -> User:
    """Self-registration of a citizen; the CCCD number becomes the user name."""
    return _register(
        kind=AccountKind.CITIZEN,
        identifier_field="national_id",
        identifier=national_id,
        full_name=full_name,
        password=password,
        email=email,
        phone=phone,
    )


def register_business(
    *, tax_code: str, full_name: str, password: str, email: str = "", phone: str = ""
) -> User:
    """Self-registration of a business; the tax code becomes the user name and
    ``full_name`` holds the business name."""
    return _register(
        kind=AccountKind.BUSINESS,
        identifier_field="tax_code",
        identifier=tax_code,
        full_name=full_name,
        password=password,
        email=email,
        phone=phone,
    )


# --- passwords ---------------------------------------------------------------


def change_password(user: User, *, old_password: str, new_password: str) -> None:
    """A signed-in person changes their own password (the page then keeps their
    session with ``update_session_auth_hash``)."""
    errors = _Errors()
    if not user.check_password(old_password):
        errors.add("old_password", _("Your current password is not correct."))
    elif new_password == old_password:
        errors.add("new_password", _("The new password must differ from the current one."))
    else:
        _password_errors(errors, "new_password", new_password, user)
    errors.raise_if_any()
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="accounts.password_changed", obj=user)


# --- two-step verification (TOTP) --------------------------------------------


def start_totp_enrolment(user: User) -> TOTPDevice:
    """Create a new, unconfirmed authenticator with a fresh random secret.

    Any earlier unconfirmed one is discarded. Refused when the account already has
    a confirmed authenticator (remove it first).
    """
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(_("Two-step verification is already turned on."))
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        audit.record(
            actor=user,
            action="accounts.totp_enrolment_started",
            obj=user,
            changes={"device_id": device.pk},
        )
    return device


def _throttled_error(device: TOTPDevice) -> ValidationError:
    return ValidationError(
        _(
            "Too many wrong codes. For your security, the next code is accepted from "
            "%(time)s; then enter the new code shown by your authenticator app."
        )
        % {"time": otp.throttle_until_text(device)},
        code="throttled",
    )


def _token_error(device: TOTPDevice, throttled: bool) -> ValidationError:
    if throttled:
        return _throttled_error(device)
    wrong = ValidationError(
        _(
            "The code is not correct or has expired. Enter the 6-digit code currently "
            "shown by your authenticator app."
        ),
        code="invalid_token",
    )
    # After a few misses, say that waiting is now needed (the delay doubles each time).
    if device.throttling_failure_count >= 3 and otp.throttle_wait_seconds(device) > 1:
        return ValidationError([wrong, _throttled_error(device)])
    return wrong


def _verify(device: TOTPDevice, token: str) -> tuple[bool, bool]:
    """Check ``token`` on a row already locked by the caller; returns (verified,
    throttled). Wrong codes are counted by django-otp's throttling, which doubles
    the wait after each failure."""
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        return False, True
    return bool(device.verify_token(token.strip())), False


def confirm_totp_enrolment(user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm an authenticator once the person shows a code it generated."""
    if device.user_id != user.pk:
        raise PermissionDenied(_("This authenticator belongs to another account."))
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked.confirmed:
            raise ValidationError(_("Two-step verification is already turned on."))
        verified, throttled = _verify(locked, token)
        if verified:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            audit.record(
                actor=user,
                action="accounts.totp_enabled",
                obj=user,
                changes={"device_id": locked.pk},
            )
    # Outside the block on purpose: the failure counter must be committed.
    if not verified:
        raise ValidationError({"token": _token_error(locked, throttled)})
    return locked


def verify_totp(user: User, token: str) -> TOTPDevice:
    """Check a sign-in code against the user's confirmed authenticator."""
    with transaction.atomic():
        locked = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("id")
            .first()
        )
        if locked is None:
            raise ValidationError(_("Two-step verification is not set up for this account."))
        verified, throttled = _verify(locked, token)
    if not verified:
        raise ValidationError({"token": _token_error(locked, throttled)})
    return locked


def disable_totp(user: User, *, password: str) -> None:
    """A citizen or business turns two-step verification off (staff must keep it)."""
    if user.kind == AccountKind.STAFF:
        raise PermissionDenied(_("Staff accounts must keep two-step verification."))
    if not user.check_password(password):
        raise ValidationError({"password": _("Your current password is not correct.")})
    with transaction.atomic():
        removed, _details = TOTPDevice.objects.filter(user=user).delete()
        if not removed:
            raise ValidationError(_("Two-step verification is not turned on."))
        audit.record(actor=user, action="accounts.totp_disabled", obj=user)


# --- sign-in -----------------------------------------------------------------


def record_sign_in(user: User, *, second_factor: bool) -> None:
    """Note a completed sign-in in the audit log (who, when, from which address)."""
    with transaction.atomic():
        audit.record(
            actor=user,
            action="accounts.signed_in",
            obj=user,
            changes={"second_factor": second_factor},
        )
