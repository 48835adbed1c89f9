"""The relying party: OpenID Connect authorization code flow with PKCE.

:func:`begin` remembers a fresh ``state``, ``nonce`` and PKCE verifier in the
session and returns the provider's authorization URL; :func:`finish` checks what
the provider sends back, exchanges the code (back channel, through
:mod:`egov.identity.adapters`), verifies the ID token (RS256 with the provider's
JWKS; ``iss``, ``aud``, ``exp``, ``iat``, ``nonce``) and reads userinfo.

Every failure is a :class:`SignInFailed` with a short ``reason`` the pages turn
into a Vietnamese explanation; nothing here raises anything else for bad input.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from egov.identity import adapters

FLOW_KEY = "identity_oidc_flow"
# The person has this long at the provider before the answer is refused.
FLOW_SECONDS = 10 * 60


class SignInFailed(Exception):
    """Sign-in through the provider failed; ``reason`` is one of REASONS."""

    REASONS = frozenset(
        {
            "access_denied",  # the person declined at the provider
            "provider_error",  # the provider answered with another error
            "bad_state",  # no sign-in in progress here, or a forged answer
            "flow_expired",  # the person took too long
            "token_rejected",  # the code exchange failed
            "bad_token",  # the ID token is invalid (signature, iss, aud, nonce...)
            "token_expired",  # the ID token has expired
            "unreachable",  # the provider could not be reached
            "claims",  # the provider did not send a usable identity number
            "staff",  # a staff account matched: staff never sign in this way
            "inactive",  # the matching account is disabled
            "conflict",  # the identity clashes with another account
            "disabled",  # the feature is turned off
        }
    )

    def __init__(self, reason: str, detail: str = "") -> None:
        assert reason in self.REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class Flow(TypedDict):
    state: str
    nonce: str
    verifier: str
    next: str
    started: float


@dataclass(frozen=True)
class ProviderSettings:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class VerifiedIdentity:
    """The outcome of a successful code flow: who the provider vouches for."""

    provider: str
    subject: str
    claims: dict[str, Any] = field(default_factory=dict)


def provider_settings() -> ProviderSettings:
    from egov.identity import simulator

    issuer = settings.EGOV_IDENTITY_ISSUER or simulator.issuer()
    scopes = tuple(settings.EGOV_IDENTITY_SCOPES)
    if "openid" not in scopes:
        scopes = ("openid", *scopes)
    return ProviderSettings(
        name=settings.EGOV_IDENTITY_PROVIDER,
        issuer=issuer.rstrip("/"),
        client_id=settings.EGOV_IDENTITY_CLIENT_ID,
        client_secret=settings.EGOV_IDENTITY_CLIENT_SECRET,
        scopes=scopes,
    )


def redirect_uri() -> str:
    return str(settings.EGOV_PUBLIC_BASE_URL).rstrip("/") + reverse("identity:callback")


def _discovery(http: adapters.HttpTransport, provider: ProviderSettings) -> dict[str, Any]:
    try:
        answer = http.get_json(provider.issuer + "/.well-known/openid-configuration")
    except adapters.TransportError as exc:
        raise SignInFailed("unreachable", str(exc)) from exc
    doc = answer.body
    if answer.status != 200 or doc.get("issuer", "").rstrip("/") != provider.issuer:
        raise SignInFailed("unreachable", "discovery document missing or for another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(doc.get(key), str):
            raise SignInFailed("unreachable", f"discovery document lacks {key}")
    return doc


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def begin(
    request: HttpRequest, next_url: str = "", http: adapters.HttpTransport | None = None
) -> str:
    """Start a sign-in: remember the flow in the session, return where to send the person."""
    if not settings.EGOV_IDENTITY_ENABLED:
        raise SignInFailed("disabled")
    http = http or adapters.transport()
    provider = provider_settings()
    doc = _discovery(http, provider)
    flow = Flow(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(48),
        next=next_url,
        started=time.time(),
    )
    request.session[FLOW_KEY] = flow
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri(),
        "scope": " ".join(provider.scopes),
        "state": flow["state"],
        "nonce": flow["nonce"],
        "code_challenge": _b64(hashlib.sha256(flow["verifier"].encode("ascii")).digest()),
        "code_challenge_method": "S256",
    }
    endpoint = doc["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


def _take_flow(request: HttpRequest) -> Flow:
    """The flow this answer belongs to; it is removed, so an answer works once."""
    flow: Flow | None = request.session.pop(FLOW_KEY, None)
    state = request.GET.get("state", "")
    if not flow or not state or not constant_time_compare(state, flow["state"]):
        raise SignInFailed("bad_state")
    if time.time() - flow["started"] > FLOW_SECONDS:
        raise SignInFailed("flow_expired")
    return flow


def pending_next(request: HttpRequest) -> str:
    flow: Flow | None = request.session.get(FLOW_KEY)
    return flow["next"] if flow else ""


def finish(request: HttpRequest, http: adapters.HttpTransport | None = None) -> VerifiedIdentity:
    """Check the provider's answer on the redirect URI and verify the identity."""
    if not settings.EGOV_IDENTITY_ENABLED:
        raise SignInFailed("disabled")
    error = request.GET.get("error")
    if error:
        # Still consume the flow when the state matches, so it cannot be reused.
        if request.GET.get("state"):
            with contextlib.suppress(SignInFailed):
                _take_flow(request)
        raise SignInFailed(
            "access_denied" if error == "access_denied" else "provider_error",
            request.GET.get("error_description", error)[:200],
        )
    flow = _take_flow(request)
    code = request.GET.get("code", "")
    if not code:
        raise SignInFailed("provider_error", "no code")
    http = http or adapters.transport()
    provider = provider_settings()
    doc = _discovery(http, provider)
    tokens = _exchange(http, doc, provider, code, flow["verifier"])
    claims = verify_id_token(http, doc, provider, tokens["id_token"], flow["nonce"])
    profile = _userinfo(http, doc, tokens.get("access_token"), claims["sub"])
    merged = {**profile, **{k: v for k, v in claims.items() if k not in profile}}
    return VerifiedIdentity(provider=provider.name, subject=str(claims["sub"]), claims=merged)


def _exchange(
    http: adapters.HttpTransport,
    doc: dict[str, Any],
    provider: ProviderSettings,
    code: str,
    verifier: str,
) -> dict[str, Any]:
    try:
        answer = http.post_form(
            doc["token_endpoint"],
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(),
                "code_verifier": verifier,
                "client_id": provider.client_id,
            },
            basic_auth=(provider.client_id, provider.client_secret),
        )
    except adapters.TransportError as exc:
        raise SignInFailed("unreachable", str(exc)) from exc
    if answer.status != 200:
        raise SignInFailed("token_rejected", str(answer.body.get("error", answer.status)))
    if not isinstance(answer.body.get("id_token"), str):
        raise SignInFailed("token_rejected", "no id_token")
    return answer.body


def verify_id_token(
    http: adapters.HttpTransport,
    doc: dict[str, Any],
    provider: ProviderSettings,
    id_token: str,
    nonce: str,
) -> dict[str, Any]:
    """The ID token's claims, once signature, issuer, audience, times and nonce hold."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.InvalidTokenError as exc:
        raise SignInFailed("bad_token", str(exc)) from exc
    if header.get("alg") != "RS256":
        raise SignInFailed("bad_token", f"algorithm {header.get('alg')!r} not accepted")
    key = _signing_key(http, doc, header.get("kid"))
    skew = settings.EGOV_IDENTITY_CLOCK_SKEW
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=provider.client_id,
            issuer=provider.issuer,
            leeway=skew,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise SignInFailed("token_expired", str(exc)) from exc
    except jwt.InvalidTokenError as exc:
        raise SignInFailed("bad_token", str(exc)) from exc
    if not isinstance(claims["iat"], int | float) or claims["iat"] > time.time() + skew:
        raise SignInFailed("bad_token", "iat in the future")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SignInFailed("bad_token", "azp does not name this client")
    if not constant_time_compare(str(claims["nonce"]), nonce):
        raise SignInFailed("bad_token", "nonce mismatch")
    if not str(claims["sub"]):
        raise SignInFailed("bad_token", "empty sub")
    return claims


def _signing_key(http: adapters.HttpTransport, doc: dict[str, Any], kid: str | None) -> Any:
    try:
        answer = http.get_json(doc["jwks_uri"])
    except adapters.TransportError as exc:
        raise SignInFailed("unreachable", str(exc)) from exc
    if answer.status != 200:
        raise SignInFailed("unreachable", "JWKS not available")
    try:
        keyset = jwt.PyJWKSet.from_dict(answer.body)
    except jwt.PyJWTError as exc:
        raise SignInFailed("unreachable", f"JWKS unusable: {exc}") from exc
    candidates = [
        k for k in keyset.keys if k.key_type == "RSA" and (kid is None or k.key_id == kid)
    ]
    if len(candidates) != 1:
        raise SignInFailed("bad_token", "no matching signing key")
    return candidates[0].key


def _userinfo(
    http: adapters.HttpTransport, doc: dict[str, Any], access_token: Any, subject: str
) -> dict[str, Any]:
    endpoint = doc.get("userinfo_endpoint")
    if not endpoint or not isinstance(access_token, str):
        return {}
    try:
        answer = http.get_json(endpoint, bearer=access_token)
    except adapters.TransportError as exc:
        raise SignInFailed("unreachable", str(exc)) from exc
    if answer.status != 200:
        raise SignInFailed("token_rejected", "userinfo refused")
    if str(answer.body.get("sub", "")) != str(subject):
        # OIDC Core 5.3.2: userinfo for another subject must not be used.
        raise SignInFailed("bad_token", "userinfo is about another subject")
    return answer.body
