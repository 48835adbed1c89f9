"""Passwords, two-step verification (TOTP) and the record of a sign-in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import otp
from egov.accounts.models import AccountKind, User
from egov.accounts.services.common import (
    TOTP_DEVICE_NAME,
    _Errors,
    _password_errors,
)
from egov.core import audit

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
