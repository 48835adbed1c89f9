"""Pages: start and finish sign-in through the identity provider; the profile."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from egov.accounts.decorators import verified_login_required
from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import is_applicant
from egov.accounts.signin import safe_next
from egov.identity import oidc, services
from egov.identity.forms import ProfileForm
from egov.identity.selectors import profile_for

log = logging.getLogger(__name__)

REASON_MESSAGES = {
    "access_denied": gettext_lazy(
        "You declined to share your identity with the portal, so you have not been signed in."
    ),
    "provider_error": gettext_lazy(
        "The national identity provider could not complete the sign-in. Please try again."
    ),
    "bad_state": gettext_lazy(
        "This sign-in answer does not belong to a sign-in started in this browser, or it "
        "has already been used. Please start again from the sign-in page."
    ),
    "flow_expired": gettext_lazy("The sign-in took too long and has expired. Please start again."),
    "token_rejected": gettext_lazy(
        "The national identity provider did not confirm the sign-in (the code is invalid, "
        "used or expired). Please start again."
    ),
    "bad_token": gettext_lazy(
        "The identity confirmation from the provider could not be verified, so you have "
        "not been signed in. Please start again."
    ),
    "token_expired": gettext_lazy(
        "The identity confirmation from the provider has expired. Please start again."
    ),
    "unreachable": gettext_lazy(
        "The national identity provider cannot be reached at the moment. Please try again "
        "later, or sign in with your password."
    ),
    "claims": gettext_lazy(
        "The national identity provider did not share a citizen ID number or tax code, "
        "so no account can be found or created."
    ),
    "staff": gettext_lazy(
        "Staff accounts cannot sign in through the national identity provider. Sign in "
        "with your user name, password and authenticator code."
    ),
    "inactive": gettext_lazy("This account is disabled. Please contact the agency."),
    "conflict": gettext_lazy(
        "This identity is already linked to another account on the portal. Please contact "
        "the agency to resolve it."
    ),
    "disabled": gettext_lazy("Sign-in through the national identity provider is turned off."),
}


NOT_THIS_ACCOUNTS_NUMBER = gettext_lazy(
    "The national identity provider confirmed a different citizen ID number or tax code "
    "than the one on the account you are signed in to, so nothing was changed. Sign in "
    "to VNeID as the holder of this account's number."
)
# The session remembers that a provider sign-in was started from inside this account.
CONFIRM_KEY = "identity_confirm_account"


def _failed(request: HttpRequest, failure: oidc.SignInFailed) -> HttpResponse:
    log.info("identity sign-in failed: %s", failure)
    status = 403 if failure.reason in ("staff", "inactive", "access_denied") else 400
    if failure.reason == "unreachable":
        status = 502
    message = REASON_MESSAGES[failure.reason]
    if isinstance(failure, services.NotThisAccountsNumber):
        message = NOT_THIS_ACCOUNTS_NUMBER
    return render(
        request,
        "identity/error.html",
        {"message": message, "reason": failure.reason},
        status=status,
    )


@never_cache
@require_GET
def start_view(request: HttpRequest) -> HttpResponse:
    """Send the person to the identity provider: the sign-in page's VNeID button, or
    the profile's "confirm with VNeID" button when already signed in."""
    next_url = safe_next(request, request.GET.get("next"))
    request.session.pop(CONFIRM_KEY, None)
    if is_applicant(request.user):
        request.session[CONFIRM_KEY] = request.user.pk
    try:
        return redirect(oidc.begin(request, next_url))
    except oidc.SignInFailed as failure:
        return _failed(request, failure)


def _tell(request: HttpRequest, outcome: services.IdentitySignIn) -> None:
    labels = {"national_id": _("citizen ID number"), "tax_code": _("tax code")}
    # A new account needs no news that its own number is confirmed.
    for field in [] if outcome.created else outcome.confirmed:
        messages.success(
            request,
            _("Your %(what)s is now confirmed by the national identity provider.")
            % {"what": labels[field]},
        )
    for detached in outcome.detached:
        messages.warning(
            request,
            _(
                "Another account on the portal had entered your %(what)s %(number)s without "
                "proving it. The number now belongs only to your account; that account no "
                "longer has it, sees nothing of yours, and its user name is now %(username)s. "
                "If you created that account yourself, ask a one-stop desk to move its "
                "dossiers to this account."
            )
            % {
                "what": labels[detached.field],
                "number": detached.value,
                "username": detached.username,
            },
        )


@never_cache
@require_GET
def callback_view(request: HttpRequest) -> HttpResponse:
    """The provider sends the person back here with a code (or an error)."""
    next_url = oidc.pending_next(request)
    confirming = request.session.pop(CONFIRM_KEY, None)
    inside = None
    if (
        confirming is not None
        and isinstance(request.user, User)
        and is_applicant(request.user)
        and request.user.pk == confirming
    ):
        inside = request.user
    try:
        identity = oidc.finish(request)
        outcome = services.sign_in_with_identity(identity, inside=inside)
    except oidc.SignInFailed as failure:
        return _failed(request, failure)
    user = outcome.user
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # The provider authenticated the person strongly: the session counts as verified.
    otp_login(request, services.provider_device(user, identity.provider))
    _tell(request, outcome)
    return redirect(next_url or reverse("identity:profile"))


@never_cache
@verified_login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # verified_login_required
    if user.kind == AccountKind.STAFF:
        raise PermissionDenied(_("This page is for citizens and businesses."))
    profile = profile_for(user)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, profile=profile, kind=user.kind)
    if data is not None and form.is_valid():
        try:
            services.update_profile(user, **form.changed_fields())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("identity:profile")
    return render(
        request,
        "identity/profile.html",
        {
            "form": form,
            "profile": profile,
            "links": user.external_identities.all(),
            "unconfirmed": [
                name
                for name in ("national_id", "tax_code")
                if getattr(user, name) and not user.identifier_verified(name)
            ],
        },
    )
