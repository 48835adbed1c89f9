"""The sign-in flow between its steps: password, then the authenticator code
(or, for staff without an authenticator, enrolling one).

Nobody is logged in (``django.contrib.auth.login``) until every required step
is done: after the password, the session only holds a short-lived *pending
sign-in*. So ``request.user.is_authenticated`` never means "password only" for
an account that needs a second factor — unless the session came from somewhere
else (e.g. the admin site's own login), which :mod:`egov.accounts.decorators`
catches by checking ``is_verified()``.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import otp, services
from egov.accounts.models import AccountKind, User

PENDING_KEY = "accounts_pending_sign_in"
# Long enough to open an authenticator app (or install one), short enough that a
# forgotten half-finished sign-in on a shared desk PC is useless.
PENDING_SECONDS = 10 * 60


class PendingSignIn(TypedDict):
    user_id: int
    backend: str
    auth_hash: str
    next: str
    started: float


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` if it points into this site, else an empty string."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def home_url_for(user: Any) -> str:
    """Where a person lands after signing in when no ``next`` was asked for."""
    if getattr(user, "kind", None) == AccountKind.STAFF:
        return str(resolve_url(settings.LOGIN_REDIRECT_URL))
    # Citizens and businesses go to the public home until the portal has its own.
    return str(resolve_url(getattr(settings, "CITIZEN_LOGIN_REDIRECT_URL", "core:public-home")))


def needs_second_factor(user: User) -> bool:
    """Whether signing in needs a code: staff always, others once they enrolled."""
    return user.kind == AccountKind.STAFF or otp.confirmed_device(user) is not None


def start_pending(request: HttpRequest, user: User, next_url: str) -> None:
    """Remember that ``user`` gave the right password; the second step follows."""
    # A new session key, so a key planted before the password step is worthless.
    request.session.cycle_key()
    request.session[PENDING_KEY] = PendingSignIn(
        user_id=user.pk,
        backend=str(getattr(user, "backend", "django.contrib.auth.backends.ModelBackend")),
        auth_hash=user.get_session_auth_hash(),
        next=next_url,
        started=time.time(),
    )


def pending_user(request: HttpRequest) -> tuple[User, PendingSignIn] | None:
    """The user whose sign-in is half done in this session, if still valid."""
    state: PendingSignIn | None = request.session.get(PENDING_KEY)
    if not state:
        return None
    if time.time() - state["started"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=state["user_id"], is_active=True).first()
    # A password changed in between ends the half-done sign-in.
    if user is None or not constant_time_compare(user.get_session_auth_hash(), state["auth_hash"]):
        request.session.pop(PENDING_KEY, None)
        return None
    return user, state


def user_in_progress(request: HttpRequest) -> tuple[User, PendingSignIn | None] | None:
    """The person a second-factor page is for: the signed-in user, or the one with a
    pending sign-in (then the state is returned too)."""
    if request.user.is_authenticated:
        return request.user, None
    found = pending_user(request)
    if found is None:
        return None
    return found


def complete(request: HttpRequest, user: User, device: TOTPDevice | None, next_url: str) -> str:
    """Log ``user`` in (with the device that verified them) and return where to go."""
    state: PendingSignIn | None = request.session.get(PENDING_KEY)
    backend = state["backend"] if state else "django.contrib.auth.backends.ModelBackend"
    login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    request.session.pop(PENDING_KEY, None)
    services.record_sign_in(user, second_factor=device is not None)
    return next_url or home_url_for(user)


def reset_failed_attempts(username: str) -> None:
    """A right password clears the failure counter, even before the code step."""
    from axes.utils import reset

    reset(username=username)
