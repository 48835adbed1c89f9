"""Citizen and business self-registration (a self-declared identifier proves nothing: ADR 8)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.accounts.models import AccountKind, User
from egov.accounts.services.common import (
    _contact_errors,
    _Errors,
    _password_errors,
)
from egov.accounts.validators import (
    normalize_phone,
    validate_national_id,
    validate_tax_code,
)
from egov.core import audit

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
