"""Guards for pages: signed in, with the second factor when the account has one.

``staff_required`` is what every staff page uses: signed in, a staff account, and
the session verified with the authenticator code. Each failure sends the person to
the step that is missing (sign-in, code, or enrolling an authenticator) and back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from egov.accounts import otp
from egov.accounts.models import AccountKind

View = TypeVar("View", bound=Callable[..., HttpResponse])


def is_verified(user: Any) -> bool:
    """Whether this session passed the authenticator step (set by OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def second_factor_step(user: Any) -> str | None:
    """The URL of the step a signed-in user still has to pass, or ``None``."""
    if is_verified(user):
        return None
    if otp.confirmed_device(user) is not None:
        return reverse("accounts:verify")
    if user.kind == AccountKind.STAFF:
        return reverse("accounts:enrol")
    return None


def _redirect_to_step(step: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{step}?{urlencode({'next': request.get_full_path()})}")


def verified_login_required(view: View) -> View:
    """Signed in, and verified with the authenticator if the account has one
    (staff always need one)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        step = second_factor_step(user)
        if step:
            return _redirect_to_step(step, request)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def staff_required(view: View) -> View:
    """Signed in with a staff account and verified with the authenticator code."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(user, "kind", None) != AccountKind.STAFF:
            raise PermissionDenied(_("This page is for staff accounts only."))
        step = second_factor_step(user)
        if step:
            return _redirect_to_step(step, request)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class StaffRequiredMixin:
    """``staff_required`` for class-based views (put it first among the bases)."""

    @method_decorator(staff_required)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class VerifiedLoginRequiredMixin:
    """``verified_login_required`` for class-based views."""

    @method_decorator(verified_login_required)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
