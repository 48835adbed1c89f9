"""Pages for signing in and out, two-step verification, registration and the
account's security settings. Thin: the flow state is in :mod:`egov.accounts.signin`,
the rules in :mod:`egov.accounts.services`."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from egov.accounts import otp, services, signin
from egov.accounts.decorators import is_verified, second_factor_step, verified_login_required
from egov.accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    LoginForm,
    RegistrationForm,
    TokenForm,
    add_service_errors,
)
from egov.accounts.models import AccountKind, User
from egov.accounts.throttle import RegistrationThrottle
from egov.core.middleware import client_ip


def _next_from(request: HttpRequest) -> str:
    return signin.safe_next(request, request.POST.get("next") or request.GET.get("next"))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_from(request)
    if request.user.is_authenticated:
        step = second_factor_step(request.user)
        return redirect(step or next_url or signin.home_url_for(request.user))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid() and form.user is not None:
        user = form.user
        signin.reset_failed_attempts(user.username)
        if not signin.needs_second_factor(user):
            return redirect(signin.complete(request, user, None, next_url))
        signin.start_pending(request, user, next_url)
        if otp.confirmed_device(user) is not None:
            return redirect("accounts:verify")
        return redirect("accounts:enrol")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _wait_until(device: Any) -> str:
    """When a throttled authenticator accepts codes again, or "" if it does now."""
    return otp.throttle_until_text(device) if otp.throttle_wait_seconds(device) else ""


def _expired(request: HttpRequest) -> HttpResponseRedirect:
    messages.warning(request, _("Your sign-in has expired. Please sign in again."))
    return redirect("accounts:login")


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """Second step: the 6-digit code from the authenticator app."""
    found = signin.user_in_progress(request)
    if found is None:
        return _expired(request)
    user, state = found
    next_url = state["next"] if state else _next_from(request)
    if state is None and is_verified(request.user):
        return redirect(next_url or signin.home_url_for(user))
    device = otp.confirmed_device(user)
    if device is None:
        if user.kind == AccountKind.STAFF:
            return redirect("accounts:enrol")
        return redirect(next_url or signin.home_url_for(user))
    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device = services.verify_totp(user, form.cleaned_data["token"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if state is not None:
                return redirect(signin.complete(request, user, device, next_url))
            otp_login(request, device)
            services.record_sign_in(user, second_factor=True)
            return redirect(next_url or signin.home_url_for(user))
    return render(
        request,
        "accounts/verify.html",
        {
            "form": form,
            "next": next_url,
            "wait_until": _wait_until(device),
            "pending_user": user,
        },
    )


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: required for staff before any staff page,
    optional for citizens and businesses (from the security page)."""
    found = signin.user_in_progress(request)
    if found is None:
        return _expired(request)
    user, state = found
    next_url = state["next"] if state else _next_from(request)
    if otp.confirmed_device(user) is not None:
        if state is not None or not is_verified(request.user):
            return redirect("accounts:verify")
        messages.info(request, _("Two-step verification is already turned on."))
        return redirect("accounts:security")
    device = otp.pending_device(user) or services.start_totp_enrolment(user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device = services.confirm_totp_enrolment(user, device, form.cleaned_data["token"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Two-step verification is now turned on."))
            if state is not None:
                return redirect(signin.complete(request, user, device, next_url))
            otp_login(request, device)
            return redirect(next_url or reverse("accounts:security"))
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": otp.qr_code_svg(
                otp.provisioning_uri(device),
                title=_("QR code to scan with your authenticator app"),
            ),
            "secret": otp.grouped_secret(device),
            "required": user.kind == AccountKind.STAFF,
            "wait_until": _wait_until(device),
            "pending_user": user,
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    # logout() flushes the session, which also drops a half-done sign-in.
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


REGISTERED = gettext_lazy(
    "Thank you. If this number had no account yet, your account is ready: sign in below "
    "with the number and your password. If it already had one, no new account was "
    "created and its holder has been told by e-mail; if that account is yours and you "
    "cannot sign in, sign in through VNeID or ask a one-stop desk."
)


def _too_many_registrations(request: HttpRequest, form: Any, wait: int) -> HttpResponse:
    form.add_error(
        None,
        _(
            "Too many registrations from your connection. Please try again in about "
            "%(minutes)d minute(s)."
        )
        % {"minutes": max(1, math.ceil(wait / 60))},
    )
    response = render(request, "accounts/register.html", {"form": form}, status=429)
    response["Retry-After"] = str(wait)
    return response


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    """Self-registration of a citizen (CCCD) or a business (tax code).

    The answer is the same whether or not the number already has an account (the
    holder is told by e-mail instead), and attempts are limited per address.
    """
    if request.user.is_authenticated:
        return redirect(signin.home_url_for(request.user))
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        throttle = RegistrationThrottle(client_ip(request))
        wait = throttle.retry_after()
        if wait is not None:
            return _too_many_registrations(request, form, wait)
        throttle.count()
        data = form.cleaned_data
        try:
            services.request_registration(
                kind=data["kind"],
                identifier=data["identifier"],
                full_name=data["full_name"],
                password=data["password1"],
                email=data["email"],
                phone=data["phone"],
            )
        except ValidationError as exc:
            add_service_errors(
                form,
                exc,
                {"national_id": "identifier", "tax_code": "identifier", "password": "password1"},
            )
        else:
            messages.success(request, REGISTERED)
            return redirect("accounts:login")
    return render(request, "accounts/register.html", {"form": form})


@verified_login_required
@never_cache
def security_view(request: HttpRequest) -> HttpResponse:
    """The account's password and two-step verification settings."""
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/security.html",
        {
            "device": otp.confirmed_device(user),
            "may_disable": user.kind != AccountKind.STAFF,
            "disable_form": ConfirmPasswordForm(),
        },
    )


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@verified_login_required
@never_cache
@require_http_methods(["GET", "POST"])
def change_password_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ChangePasswordForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.change_password(
                user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"new_password": "new_password1"})
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:security")
    return render(request, "accounts/change_password.html", {"form": form})


@sensitive_post_parameters("password")
@verified_login_required
@require_POST
def disable_totp_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ConfirmPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.disable_totp(user, password=form.cleaned_data["password"])
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("accounts:security")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Two-step verification has been turned off."))
            return redirect("accounts:security")
    return render(
        request,
        "accounts/security.html",
        {
            "device": otp.confirmed_device(user),
            "may_disable": user.kind != AccountKind.STAFF,
            "disable_form": form,
        },
        status=400,
    )


def _lockout_minutes(username: str | None) -> int:
    """Minutes until the lock on ``username`` ends (the whole cool-off if unknown)."""
    from axes.models import AccessAttempt

    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    total = max(1, math.ceil(cool_off.total_seconds() / 60))
    if not username:
        return total
    last = (
        AccessAttempt.objects.filter(username=username)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return total
    remaining = (last + cool_off - timezone.now()).total_seconds()
    return min(total, max(1, math.ceil(remaining / 60)))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What django-axes shows instead of the sign-in page once a user name is locked."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    if username:
        username = User.normalize_username(str(username))
    return render(
        request,
        "accounts/locked.html",
        {
            "minutes": _lockout_minutes(username),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=429,
    )
