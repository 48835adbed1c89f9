"""Reads of identity data for other apps (pre-filling forms) and for pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from egov.identity.models import ExternalIdentity, Profile


@dataclass(frozen=True)
class ProfileData:
    """What the platform knows about a citizen or business, for pre-filling forms.

    ``verified`` names the fields confirmed by the national identity provider.
    """

    full_name: str
    date_of_birth: date | None
    national_id: str
    tax_code: str
    address: str
    phone: str
    email: str
    verified: frozenset[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth,
            "national_id": self.national_id,
            "tax_code": self.tax_code,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
            "verified": sorted(self.verified),
        }


def profile_row(user: Any) -> Profile | None:
    if user is None or getattr(user, "pk", None) is None:
        return None
    return Profile.objects.filter(user_id=user.pk).first()


def profile_for(user: Any) -> ProfileData:
    """The profile of ``user`` (empty fields where nothing is known).

    Works for any signed-in account; a user without a :class:`Profile` row yet gets
    the account's own fields and no verified fields.
    """
    row = profile_row(user)
    return ProfileData(
        full_name=getattr(user, "full_name", "") or "",
        date_of_birth=row.date_of_birth if row else None,
        national_id=getattr(user, "national_id", "") or "",
        tax_code=getattr(user, "tax_code", "") or "",
        address=row.address if row else "",
        phone=getattr(user, "phone", "") or "",
        email=getattr(user, "email", "") or "",
        verified=frozenset(row.verified_fields) if row else frozenset(),
    )


def signed_in_with_identity_provider(user: Any) -> bool:
    """Whether ``user`` signed in this session through the national identity provider
    (VNeID): the sign-in callback verifies them with the provider's OTP device."""
    from egov.identity.models import IdentityProviderDevice

    return isinstance(getattr(user, "otp_device", None), IdentityProviderDevice)


def linked_identities(user: Any) -> list[ExternalIdentity]:
    return list(ExternalIdentity.objects.filter(user_id=user.pk).order_by("created_at"))


def provider_configuration() -> dict[str, Any]:
    """The national identity provider's published configuration and public keys, asked
    through the back-channel adapter (:func:`egov.identity.oidc.published_configuration`:
    ``TransportError`` when it does not answer, ``ProviderUnusable`` for a bad answer)."""
    from egov.identity import oidc

    return oidc.published_configuration()
