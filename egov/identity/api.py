"""JSON API of the national identity app, mounted at ``/api/v1/identity``.

``GET /me`` returns the signed-in citizen's or business's profile (for the mobile
app and form pre-filling); ``PATCH /me`` changes the editable fields. Both use the
Django session of a citizen or business account (passed the second factor when the
account has one). Like the other APIs, ninja's ``SessionAuth`` with ``csrf=True``
runs Django's CSRF check for unsafe methods, so ``PATCH`` needs the
``X-CSRFToken`` header.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from egov.accounts.api_auth import applicant_auth
from egov.core.schemas import ErrorOut
from egov.identity import services
from egov.identity.selectors import profile_for

router = Router(auth=applicant_auth)


class ProfileOut(Schema):
    kind: str = Field(description="`citizen` or `business`.")
    full_name: str
    date_of_birth: date | None = Field(description="Date of birth (establishment, businesses).")
    national_id: str = Field(description="Citizen ID number (CCCD), 12 digits, or empty.")
    tax_code: str
    address: str = Field(description="Permanent address (head office, businesses).")
    phone: str
    email: str
    verified: list[str] = Field(
        description="Fields confirmed by the national identity provider (not editable)."
    )


class ProfilePatchIn(Schema):
    full_name: str | None = None
    date_of_birth: date | None = None
    national_id: str | None = None
    tax_code: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


def _out(user: Any) -> dict[str, Any]:
    return {"kind": user.kind, **profile_for(user).as_dict()}


@router.get("/me", response={200: ProfileOut, 401: ErrorOut}, summary="My profile")
def get_me(request: HttpRequest) -> Any:
    return _out(request.user)


@router.patch(
    "/me",
    response={200: ProfileOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Change my profile",
)
def patch_me(request: HttpRequest, payload: ProfilePatchIn) -> Any:
    fields = payload.model_dump(exclude_unset=True)
    for name, value in list(fields.items()):
        if value is None and name != "date_of_birth":
            fields[name] = ""
    services.update_profile(request.user, **fields)  # type: ignore[arg-type]
    return _out(request.user)
