"""HTTP face of the identity provider simulator (see :mod:`egov.identity.simulator`)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote_plus, urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.identity import simulator
from egov.identity.models import SimulatorIdentity


def simulator_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.EGOV_SIMULATORS:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _oauth_error(exc: simulator.OAuthError) -> JsonResponse:
    response = JsonResponse(
        {"error": exc.error, "error_description": exc.description}, status=exc.status
    )
    response["Cache-Control"] = "no-store"
    if exc.status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    return response


@simulator_only
@require_GET
def root_view(request: HttpRequest) -> HttpResponse:
    return JsonResponse(simulator.discovery())


@simulator_only
@require_GET
def discovery_view(request: HttpRequest) -> HttpResponse:
    return JsonResponse(simulator.discovery())


@simulator_only
@require_GET
def jwks_view(request: HttpRequest) -> HttpResponse:
    return JsonResponse(simulator.jwks())


def _redirect(redirect_uri: str, params: dict[str, str]) -> HttpResponseRedirect:
    separator = "&" if "?" in redirect_uri else "?"
    # redirect_uri was checked against the registered one; it may name the live server.
    response = HttpResponseRedirect(f"{redirect_uri}{separator}{urlencode(params)}")
    return response


@simulator_only
@never_cache
@require_http_methods(["GET", "POST"])
def authorize_view(request: HttpRequest) -> HttpResponse:
    """The provider's sign-in page: pick a demo identity, or decline."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        auth = simulator.parse_authorization_request(params)
    except simulator.OAuthError as exc:
        return render(
            request,
            "identity/simulator_error.html",
            {"error": exc.error, "description": exc.description},
            status=400,
        )
    state = {"state": auth.state} if auth.state else {}
    if request.method == "POST":
        if "deny" in request.POST:
            return _redirect(
                auth.redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "The user declined to sign in",
                    **state,
                },
            )
        identity = SimulatorIdentity.objects.filter(subject=request.POST.get("subject", "")).first()
        if identity is not None:
            code = simulator.issue_code(auth, identity)
            return _redirect(auth.redirect_uri, {"code": code, **state})
    hidden = [
        (name, params.get(name, ""))
        for name in (
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        )
    ]
    return render(
        request,
        "identity/simulator_authorize.html",
        {
            "identities": SimulatorIdentity.objects.all(),
            "hidden": hidden,
            "not_chosen": request.method == "POST",
        },
    )


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Basic "):
        try:
            raw = base64.b64decode(header[6:], validate=True).decode()
            client_id, _sep, secret = raw.partition(":")
            return unquote_plus(client_id), unquote_plus(secret)
        except (ValueError, UnicodeDecodeError):
            return "", ""
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@simulator_only
@csrf_exempt
@require_POST
def token_view(request: HttpRequest) -> HttpResponse:
    try:
        client_id, secret = _client_credentials(request)
        simulator.authenticate_client(client_id, secret)
        if request.POST.get("grant_type") != "authorization_code":
            raise simulator.OAuthError("unsupported_grant_type", "only authorization_code")
        tokens = simulator.exchange_code(
            client_id=client_id,
            code=request.POST.get("code", ""),
            redirect_uri=request.POST.get("redirect_uri", ""),
            code_verifier=request.POST.get("code_verifier", ""),
        )
    except simulator.OAuthError as exc:
        return _oauth_error(exc)
    response = JsonResponse(tokens)
    response["Cache-Control"] = "no-store"
    return response


@simulator_only
@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo_view(request: HttpRequest) -> HttpResponse:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        return _oauth_error(simulator.OAuthError("invalid_token", "bearer token required", 401))
    try:
        return JsonResponse(simulator.userinfo(header[7:].strip()))
    except simulator.OAuthError as exc:
        return _oauth_error(exc)
