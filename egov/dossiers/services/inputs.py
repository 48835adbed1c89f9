"""What callers hand the dossier services, and its cleaning: the applicant, the
clock (whole seconds), free text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.validators import (
    normalize_phone,
    validate_national_id,
    validate_phone,
    validate_tax_code,
)

Actor = Any  # a User, or None for a system actor where allowed

#: Clock skew tolerated for a receipt time given by a client.
_FUTURE_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ApplicantIn:
    """Who the dossier is for. ``id_number``: CCCD (12 digits) or tax code."""

    name: str
    id_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    user: User | None = None
    #: The applicant signed in with VNeID (the identity app knows; index 766, 4.5).
    vneid: bool = False


def now() -> datetime:
    """The services' clock (tests freeze it here). Whole seconds: stored remaining
    times are whole seconds, so deadlines that stop and restart come out exact."""
    return timezone.now().replace(microsecond=0)


def moment(value: datetime | None, field_name: str = "received_at") -> datetime:
    """A moment given by the caller (default now): aware, not in the future."""
    if value is None:
        return now()
    if timezone.is_naive(value):
        raise ValidationError({field_name: _("A date and time with a time zone is required.")})
    if value > timezone.now() + _FUTURE_SKEW:
        raise ValidationError({field_name: _("The time cannot be in the future.")})
    return value.replace(microsecond=0)


def text(value: str, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def required_text(value: str, field_name: str, message: str, limit: int = 2000) -> str:
    cleaned = (value or "").strip()[:limit]
    if not cleaned:
        raise ValidationError({field_name: message})
    return cleaned


def json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.pk else None


def clean_applicant(applicant: ApplicantIn) -> ApplicantIn:
    errors: dict[str, str] = {}
    name = text(applicant.name, 255)
    if not name:
        errors["applicant.name"] = _("Enter the applicant's name.")
    id_number = (applicant.id_number or "").strip().replace(" ", "")
    if not id_number:
        errors["applicant.id_number"] = _("Enter the citizen ID number (CCCD) or the tax code.")
    else:
        try:
            if len(id_number) == 12 and id_number.isdigit():
                validate_national_id(id_number)
            else:
                validate_tax_code(id_number)
        except ValidationError:
            errors["applicant.id_number"] = _(
                "Enter a citizen ID number (CCCD, 12 digits) or a tax code (10 digits, or "
                "13 for a branch: 0123456789-001)."
            )
    phone = normalize_phone((applicant.phone or "").strip())
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors["applicant.phone"] = exc.messages[0]
    email = (applicant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["applicant.email"] = _("Enter a valid e-mail address.")
    if errors:
        raise ValidationError(errors)
    return ApplicantIn(
        name=name,
        id_number=id_number,
        address=text(applicant.address, 500),
        phone=phone,
        email=email,
        user=applicant.user,
        vneid=applicant.vneid,
    )


def applicant_from_account(user: User) -> ApplicantIn:
    """The applicant data of a citizen's or business's own account."""
    return ApplicantIn(
        name=user.full_name,
        id_number=user.national_id or user.tax_code,
        phone=user.phone,
        email=user.email,
        user=user,
    )
