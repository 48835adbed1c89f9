"""Authentication of the JSON API for applicants (citizens and businesses).

Staff use :class:`StaffSessionAuth` (every app's staff API); applicants use the
same session as the portal pages, with the second factor passed when their
account has one. Mutating requests must carry the CSRF token (``csrf=True``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth

from egov.accounts.decorators import second_factor_step
from egov.accounts.permissions import is_applicant


class ApplicantSessionAuth(SessionAuth):
    """A citizen or business session (second factor passed if the account has one)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if is_applicant(user) and second_factor_step(user) is None:
            return user
        return None


applicant_auth = ApplicantSessionAuth(csrf=True)


class StaffSessionAuth(SessionAuth):
    """A staff session verified with the second factor; CSRF checked (``csrf=True``)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from egov.accounts.decorators import is_verified
        from egov.accounts.models import AccountKind

        user = request.user
        if (
            user.is_authenticated
            and user.is_active
            and getattr(user, "kind", None) == AccountKind.STAFF
            and is_verified(user)
        ):
            return user
        return None


staff_auth = StaffSessionAuth(csrf=True)
