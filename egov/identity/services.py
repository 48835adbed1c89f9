"""The write path of the identity app: sign-in through the national identity
provider (matching, linking or creating the account, copying verified claims
into the profile) and editing one's profile.

Each function changes state in one transaction and writes its audit entries in it.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts import notices
from egov.accounts.models import IDENTIFIER_FIELDS, AccountKind, User
from egov.accounts.permissions import Perm, require_perm
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


# --- who holds a citizen ID number or tax code -------------------------------------

# Which kind of account the provider's number identifies: a person by the CCCD, an
# organisation by its tax code.
OWNER_KIND = {"national_id": AccountKind.CITIZEN, "tax_code": AccountKind.BUSINESS}


class NotThisAccountsNumber(SignInFailed):
    """Confirming from inside an account, the provider vouched for another number."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("conflict", detail)


@dataclass(frozen=True)
class Detached:
    """An unproven claim to a number, taken away from an account for its real holder."""

    field: str
    value: str
    username: str  # the user name of the account that lost the number, now


@dataclass
class IdentitySignIn:
    """What a sign-in through the provider did (the pages tell the person)."""

    user: User
    created: bool = False
    confirmed: list[str] = dc_field(default_factory=list)  # numbers confirmed just now
    detached: list[Detached] = dc_field(default_factory=list)


def _identity_key(fields: dict[str, Any]) -> tuple[str, str]:
    if fields.get("national_id"):
        return "national_id", fields["national_id"]
    if fields.get("tax_code"):
        return "tax_code", fields["tax_code"]
    raise SignInFailed("claims", "no identity_number or tax_code")


def _detached_username(user: User) -> str:
    base = f"chua-xac-minh-{user.pk}"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exclude(pk=user.pk).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _detach(holder: User, field: str, *, for_user: str) -> Detached:
    """Take a number the holder declared but never proved away from their account.

    The account keeps what its owner did with it (drafts, dossiers, password) under a
    new user name if the number was its user name, and is flagged for the agency
    (``detached_identifier``); the real holder gets the number. Caller holds a transaction.
    """
    locked = User.objects.select_for_update().get(pk=holder.pk)
    value = getattr(locked, field)
    if locked.identifier_verified(field):  # checked by callers; never take a proven number
        raise SignInFailed("conflict", f"{field} confirmed on account {locked.pk}")
    before = {"username": locked.username, field: value}
    setattr(locked, field, "")
    setattr(locked, f"{field}_verified_at", None)
    locked.detached_identifier = value
    updated = [field, f"{field}_verified_at", "detached_identifier"]
    if locked.username == value:
        locked.username = _detached_username(locked)
        updated.append("username")
    locked.save(update_fields=updated)
    profile = Profile.objects.filter(user=locked).first()
    if profile is not None and field in profile.verified_fields:
        profile.verified_fields = [f for f in profile.verified_fields if f != field]
        profile.save(update_fields=["verified_fields", "updated_at"])
    audit.record(
        actor=None,
        action="identity.identifier_detached",
        obj=locked,
        changes={
            **audit.diff(before, {"username": locked.username, field: ""}),
            "reason": "confirmed by the national identity provider for another account",
            "holder": for_user,
        },
    )
    notices.number_detached(locked, field=field, value=value)
    return Detached(field=field, value=value, username=locked.username)


def _claim(user: User, field: str, value: str, result: IdentitySignIn) -> bool:
    """Give ``user`` the number ``value`` the provider confirmed, taking it from an
    account that only declared it; ``False`` if an account that proved it holds it.
    Caller holds a transaction."""
    other = User.objects.filter(**{field: value}).exclude(pk=user.pk).first()
    if other is not None:
        if other.identifier_verified(field):
            return False
        result.detached.append(_detach(other, field, for_user=user.username))
    if getattr(user, field) != value:
        setattr(user, field, value)
        user.save(update_fields=[field])
    if getattr(user, f"{field}_verified_at") is None:
        setattr(user, f"{field}_verified_at", timezone.now())
        user.save(update_fields=[f"{field}_verified_at"])
        result.confirmed.append(field)
        audit.record(
            actor=user,
            action="identity.identifier_confirmed",
            obj=user,
            changes={"field": field, "value": value, "by": "identity_provider"},
        )
    return True


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


def _sync_profile(
    user: User, identity: VerifiedIdentity, fields: dict[str, Any], result: IdentitySignIn
) -> None:
    """Copy the provider's claims into the account linked to it (so they are its own)."""
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
        if not value or name in IDENTIFIER_FIELDS:
            continue
        if getattr(user, name) != value:
            setattr(user, name, value)
            user_updates.append(name)
    if user_updates:
        user.save(update_fields=user_updates)
    for name in IDENTIFIER_FIELDS:
        value = fields.get(name)
        if not value:
            continue
        if name == "national_id" and user.kind != AccountKind.CITIZEN:
            continue  # a person's number never identifies an organisation's account
        if getattr(user, name) not in ("", value):
            continue  # the account's own number is never replaced
        _claim(user, name, value, result)
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


def _link(user: User, identity: VerifiedIdentity) -> None:
    link, created = ExternalIdentity.objects.get_or_create(
        provider=identity.provider, subject=identity.subject, defaults={"user": user}
    )
    if link.user_id != user.pk:
        raise SignInFailed("conflict", "identity linked to another account")
    if created:
        if (
            ExternalIdentity.objects.filter(user=user, provider=identity.provider)
            .exclude(pk=link.pk)
            .exists()
        ):
            raise SignInFailed("conflict", "account linked to another identity")
        audit.record(
            actor=user,
            action="identity.linked",
            obj=link,
            changes={"provider": identity.provider, "subject": identity.subject},
        )
    link.last_sign_in_at = timezone.now()
    link.save(update_fields=["last_sign_in_at"])


def _account_for(
    identity: VerifiedIdentity, field: str, value: str
) -> tuple[User | None, User | None]:
    """(the account to sign in, an account that only declared the number).

    The provider's link decides first; otherwise only an account whose number was
    proved (an earlier provider sign-in, a desk check) is the person's. An account
    that merely typed the number in is never signed into: it loses the number.
    """
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if link is not None:
        return link.user, None
    holder = User.objects.filter(**{field: value}).first()
    if holder is None:
        return None, None
    if holder.kind == AccountKind.STAFF:
        # Staff numbers are entered by administrators, and staff never sign in this way.
        raise _refuse(identity, holder, "staff")
    if not holder.identifier_verified(field):
        return None, holder
    if holder.kind != OWNER_KIND[field]:
        raise _refuse(identity, holder, "conflict")
    return holder, None


def sign_in_with_identity(
    identity: VerifiedIdentity, *, inside: User | None = None
) -> IdentitySignIn:
    """The local account for a person the identity provider vouched for.

    Without ``inside``: the account linked to this provider identity, else the one
    whose CCCD number (people) or tax code (organisations) was proved, else a new
    account; an account that only *declared* the number (registration, profile)
    loses it to this person (:func:`_detach`) and is never signed into.

    With ``inside`` (the person started the sign-in while signed in to that account):
    the provider confirms the account's own number, and the account is linked.

    The link is kept, the verified claims copied into the profile, the sign-in
    audited. Staff and disabled accounts are refused (and the refusal audited).
    """
    fields = claims_to_profile(identity.claims)
    field, value = _identity_key(fields)
    result = IdentitySignIn(user=inside)  # type: ignore[arg-type]
    squatter: User | None = None
    if inside is not None:
        if inside.kind == AccountKind.STAFF:
            raise _refuse(identity, inside, "staff")
        if inside.kind != OWNER_KIND[field] or getattr(inside, field) != value:
            _refuse(identity, inside, "conflict")
            raise NotThisAccountsNumber(f"provider confirmed {field} of another account")
        user: User | None = inside
    else:
        user, squatter = _account_for(identity, field, value)
    if user is not None and user.kind == AccountKind.STAFF:
        raise _refuse(identity, user, "staff")
    if user is not None and not user.is_active:
        raise _refuse(identity, user, "inactive")
    try:
        with transaction.atomic():
            if user is None:
                if squatter is not None:
                    result.detached.append(_detach(squatter, field, for_user=value))
                user = _create_account(identity, fields)
                result.created = True
            result.user = user
            _link(user, identity)
            _sync_profile(user, identity, fields, result)
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
    return result


def verify_identifier_at_desk(actor: User | None, user: User, field: str, *, document: str) -> User:
    """A one-stop clerk saw the person and their card: the account's number is theirs.

    ``document`` says what was checked (e.g. "CCCD card, original"). Needs the right
    to receive dossiers somewhere (``actor=None``: the platform, e.g. the demo loader);
    a CCCD number is confirmed only on a citizen's account.
    """
    if actor is not None:
        require_perm(actor, Perm.RECEIVE_DOSSIERS, None)
    if field not in IDENTIFIER_FIELDS:
        raise ValueError(field)
    if user.kind == AccountKind.STAFF or (
        field == "national_id" and user.kind != AccountKind.CITIZEN
    ):
        raise ValidationError(_("This number cannot be confirmed on this account."))
    document = document.strip()
    if not document:
        raise ValidationError({"document": _("Say which document you checked.")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        value = getattr(locked, field)
        if not value:
            raise ValidationError(_("This account has no such number to confirm."))
        if locked.identifier_verified(field):
            raise ValidationError(_("This number is already confirmed."))
        now = timezone.now()
        setattr(locked, f"{field}_verified_at", now)
        locked.save(update_fields=[f"{field}_verified_at"])
        setattr(user, f"{field}_verified_at", now)
        audit.record(
            actor=actor,
            action="identity.identifier_confirmed",
            obj=locked,
            changes={"field": field, "value": value, "by": "desk", "document": document[:200]},
        )
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
