"""The write path of the identity app: sign-in through the national identity
provider (matching, linking or creating the account, copying verified claims
into the profile) and editing one's profile.

Each function changes state in one transaction and writes its audit entries in it.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import AccountKind, User
from egov.accounts.validators import normalize_phone, validate_national_id, validate_tax_code
from egov.core import audit
from egov.identity.models import (
    ExternalIdentity,
    IdentityProviderDevice,
    Profile,
    ProfileSource,
)
from egov.identity.oidc import SignInFailed, VerifiedIdentity

_MOBILE = re.compile(r"^0[35789][0-9]{8}$")
_LANDLINE = re.compile(r"^02[0-9]{9}$")
validate_email = EmailValidator(
    message=gettext_lazy("Enter a valid e-mail address, e.g. ten@example.com.")
)
EDITABLE_FIELDS = (
    "full_name",
    "date_of_birth",
    "national_id",
    "tax_code",
    "address",
    "phone",
    "email",
)
USER_FIELDS = ("full_name", "national_id", "tax_code", "phone", "email")


def vietnamese_phone(value: str) -> str:
    """A Vietnamese phone number in national form (0xxxxxxxxx), or ValidationError.

    Mobiles have 10 digits (03, 05, 07, 08, 09), landlines 11 (02x area codes);
    +84 / 84 prefixes and spaces, dots and dashes are accepted.
    """
    number = normalize_phone(value)
    if number.startswith("+84"):
        number = "0" + number[3:]
    elif number.startswith("84") and len(number) in (11, 12):
        number = "0" + number[2:]
    if not (_MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number)):
        raise ValidationError(
            gettext_lazy(
                "Enter a Vietnamese phone number: 10 digits for a mobile (0912 345 678) "
                "or 11 for a landline (0297 3862 123)."
            ),
            code="invalid_phone",
        )
    return number


# --- claims from the identity provider ----------------------------------------


def _address(value: Any) -> str:
    if isinstance(value, dict):
        formatted = value.get("formatted")
        if formatted:
            return str(formatted).strip()
        parts = ("street_address", "locality", "region", "country")
        return ", ".join(str(value[p]).strip() for p in parts if value.get(p))
    return str(value or "").strip()


def _birthdate(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def claims_to_profile(claims: dict[str, Any]) -> dict[str, Any]:
    """The provider's claims as profile fields; only usable, well-formed values."""
    fields: dict[str, Any] = {}
    if str(claims.get("name", "")).strip():
        fields["full_name"] = str(claims["name"]).strip()[:255]
    birth = _birthdate(claims.get("birthdate"))
    if birth:
        fields["date_of_birth"] = birth
    number = str(claims.get("identity_number", "")).strip()
    if number:
        try:
            validate_national_id(number)
            fields["national_id"] = number
        except ValidationError:
            pass
    tax_code = str(claims.get("tax_code", "")).strip()
    if tax_code:
        try:
            validate_tax_code(tax_code)
            fields["tax_code"] = tax_code
        except ValidationError:
            pass
    address = _address(claims.get("address"))
    if address:
        fields["address"] = address[:500]
    phone = str(claims.get("phone_number", "")).strip()
    if phone and claims.get("phone_number_verified", True):
        with contextlib.suppress(ValidationError):
            fields["phone"] = vietnamese_phone(phone)
    email = str(claims.get("email", "")).strip()
    if email and len(email) <= 254 and claims.get("email_verified") is True:
        try:
            validate_email(email)
            fields["email"] = email
        except ValidationError:
            pass
    return fields


def _find_account(identity: VerifiedIdentity, fields: dict[str, Any]) -> User | None:
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if link is not None:
        return link.user
    # A person (CCCD number, maybe also a personal tax code) is found by the CCCD;
    # an organisation (tax code only) by its tax code.
    if fields.get("national_id"):
        return User.objects.filter(national_id=fields["national_id"]).first()
    if fields.get("tax_code"):
        return User.objects.filter(tax_code=fields["tax_code"]).first()
    return None


def _refuse(identity: VerifiedIdentity, user: User | None, reason: str) -> SignInFailed:
    with transaction.atomic():
        audit.record(
            actor=None,
            action="identity.sign_in_refused",
            obj=user,
            changes={
                "provider": identity.provider,
                "subject": identity.subject,
                "reason": reason,
            },
        )
    return SignInFailed(reason)


def _create_account(identity: VerifiedIdentity, fields: dict[str, Any]) -> User:
    if fields.get("tax_code") and not fields.get("national_id"):
        kind, identifier = AccountKind.BUSINESS, fields["tax_code"]
    elif fields.get("national_id"):
        kind, identifier = AccountKind.CITIZEN, fields["national_id"]
    else:
        raise SignInFailed("claims", "no identity_number or tax_code")
    if User.objects.filter(username=identifier).exists():
        raise SignInFailed("conflict", "user name taken")
    user = User(
        username=identifier,
        full_name=fields.get("full_name", "") or identifier,
        email=fields.get("email", ""),
        phone=fields.get("phone", ""),
        kind=kind,
        national_id=fields.get("national_id", "") if kind == AccountKind.CITIZEN else "",
        tax_code=fields.get("tax_code", ""),
    )
    # Only the identity provider signs this person in until they set a password.
    user.set_unusable_password()
    user.save(force_insert=True)
    audit.record(
        actor=user,
        action="identity.account_created",
        obj=user,
        changes={
            "username": user.username,
            "kind": kind,
            "full_name": user.full_name,
            "provider": identity.provider,
        },
    )
    return user


def _sync_profile(user: User, identity: VerifiedIdentity, fields: dict[str, Any]) -> None:
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    before = {
        **{f: getattr(user, f) for f in USER_FIELDS},
        "date_of_birth": profile.date_of_birth,
        "address": profile.address,
        "verified_fields": sorted(profile.verified_fields),
    }
    user_updates = []
    for name in USER_FIELDS:
        value = fields.get(name)
        if not value or getattr(user, name) == value:
            continue
        if name == "national_id" and user.kind != AccountKind.CITIZEN:
            continue
        if name == "tax_code" and user.kind == AccountKind.CITIZEN and user.tax_code:
            continue
        setattr(user, name, value)
        user_updates.append(name)
    if user_updates:
        user.save(update_fields=user_updates)
    if "date_of_birth" in fields:
        profile.date_of_birth = fields["date_of_birth"]
    if "address" in fields:
        profile.address = fields["address"]
    verified = {
        name
        for name in fields
        if name in ("date_of_birth", "address") or getattr(user, name, None) == fields[name]
    }
    profile.verified_fields = sorted(verified)
    profile.source = ProfileSource.IDENTITY_PROVIDER
    profile.verified_at = timezone.now()
    profile.save()
    after = {
        **{f: getattr(user, f) for f in USER_FIELDS},
        "date_of_birth": profile.date_of_birth,
        "address": profile.address,
        "verified_fields": sorted(profile.verified_fields),
    }
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            actor=user,
            action="identity.profile_synced",
            obj=profile,
            changes={**changes, "provider": [None, identity.provider]},
        )


def sign_in_with_identity(identity: VerifiedIdentity) -> User:
    """The local account for a person the identity provider vouched for.

    Found by an earlier link, else by tax code (businesses) or CCCD number
    (citizens), else created as a new citizen (or business) account; the link is
    kept, the verified claims copied into the profile, and the sign-in audited.
    Staff and disabled accounts are refused (and the refusal audited).
    """
    fields = claims_to_profile(identity.claims)
    user = _find_account(identity, fields)
    if user is not None and user.kind == AccountKind.STAFF:
        raise _refuse(identity, user, "staff")
    if user is not None and not user.is_active:
        raise _refuse(identity, user, "inactive")
    try:
        with transaction.atomic():
            if user is None:
                user = _create_account(identity, fields)
            link, created = ExternalIdentity.objects.get_or_create(
                provider=identity.provider, subject=identity.subject, defaults={"user": user}
            )
            if link.user_id != user.pk:
                raise SignInFailed("conflict", "identity linked to another account")
            if not created:
                pass
            elif (
                ExternalIdentity.objects.filter(user=user, provider=identity.provider)
                .exclude(pk=link.pk)
                .exists()
            ):
                raise SignInFailed("conflict", "account linked to another identity")
            else:
                audit.record(
                    actor=user,
                    action="identity.linked",
                    obj=link,
                    changes={"provider": identity.provider, "subject": identity.subject},
                )
            link.last_sign_in_at = timezone.now()
            link.save(update_fields=["last_sign_in_at"])
            _sync_profile(user, identity, fields)
            audit.record(
                actor=user,
                action="identity.signed_in",
                obj=user,
                changes={
                    "provider": identity.provider,
                    "subject": identity.subject,
                    "acr": identity.claims.get("acr", ""),
                },
            )
    except IntegrityError as exc:
        raise SignInFailed("conflict", str(exc)) from exc
    return user


def provider_device(user: User, provider: str) -> IdentityProviderDevice:
    """The django-otp device that marks sessions the provider authenticated."""
    device, _created = IdentityProviderDevice.objects.get_or_create(
        user=user, name=provider[:64], defaults={"confirmed": True}
    )
    return device


# --- profile editing -------------------------------------------------------------


def _clean(user: User, profile: Profile | None, fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[ValidationError]] = {}

    def add(name: str, error: ValidationError | str) -> None:
        items = error.error_list if isinstance(error, ValidationError) else [ValidationError(error)]
        errors.setdefault(name, []).extend(items)

    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile fields: {sorted(unknown)}")
    verified = set(profile.verified_fields) if profile else set()
    cleaned: dict[str, Any] = {}
    for name, raw in fields.items():
        value = raw.strip() if isinstance(raw, str) else raw
        current = _current(user, profile, name)
        if value == current or (value in ("", None) and current in ("", None)):
            continue
        if name in verified:
            add(
                name,
                _(
                    "This field was confirmed by the national identity provider and cannot "
                    "be changed here."
                ),
            )
            continue
        if name == "full_name":
            if not value:
                add(name, _("Enter the full name."))
        elif name == "date_of_birth":
            if value is not None and not isinstance(value, date):
                add(name, _("Enter a valid date."))
            elif value is not None and (value > timezone.localdate() or value.year < 1900):
                add(name, _("Enter a date of birth between 1900 and today."))
        elif name in ("national_id", "tax_code"):
            if current:
                add(name, _("This number identifies the account and cannot be changed."))
                continue
            try:
                (validate_national_id if name == "national_id" else validate_tax_code)(value)
            except ValidationError as exc:
                add(name, exc)
                continue
            if User.objects.filter(**{name: value}).exclude(pk=user.pk).exists():
                add(name, _("Another account already uses this number."))
        elif name == "phone" and value:
            try:
                value = vietnamese_phone(value)
            except ValidationError as exc:
                add(name, exc)
        elif name == "email" and value:
            try:
                validate_email(value)
            except ValidationError as exc:
                add(name, exc)
        elif name == "address" and len(value) > 500:
            add(name, _("The address is too long (at most 500 characters)."))
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _current(user: User, profile: Profile | None, name: str) -> Any:
    if name in USER_FIELDS:
        return getattr(user, name)
    return getattr(profile, name) if profile else ("" if name == "address" else None)


def update_profile(user: User, *, actor: User | None = None, **fields: Any) -> Profile:
    """Change one's own profile; fields confirmed by the identity provider, and the
    account's identifying number once set, cannot be changed."""
    actor = actor or user
    if actor.pk != user.pk:
        raise PermissionDenied(_("You may only change your own profile."))
    if user.kind == AccountKind.STAFF:
        raise PermissionDenied(_("Staff accounts have no citizen profile."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        profile = Profile.objects.select_for_update().filter(user=locked).first()
        cleaned = _clean(locked, profile, fields)
        if profile is None:
            profile = Profile.objects.create(user=locked)
        changes = {
            name: [_current(locked, profile, name), value] for name, value in cleaned.items()
        }
        user_fields = [name for name in cleaned if name in USER_FIELDS]
        for name, value in cleaned.items():
            target = locked if name in USER_FIELDS else profile
            setattr(target, name, value)
            if name in USER_FIELDS:
                setattr(user, name, value)
        if user_fields:
            try:
                with transaction.atomic():
                    locked.save(update_fields=user_fields)
            except IntegrityError:
                raise ValidationError(
                    {user_fields[0]: _("Another account already uses this number.")}
                ) from None
        if changes:
            profile.save()
            audit.record(
                actor=actor, action="identity.profile_updated", obj=profile, changes=changes
            )
    return profile
