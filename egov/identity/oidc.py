"""The relying party: OpenID Connect authorization code flow with PKCE.

:func:`begin` remembers a fresh ``state``, ``nonce`` and PKCE verifier in the
session and returns the provider's authorization URL; :func:`finish` checks what
the provider sends back, exchanges the code (back channel, through
:mod:`egov.identity.adapters` and so the shared outside-system client), verifies
the ID token and reads userinfo.

The protocol pieces come from Authlib: the authorization URL and token request
(:mod:`authlib.oauth2.rfc6749`), the PKCE S256 challenge (:mod:`authlib.oauth2.rfc7636`),
the ID token's claims rules (:class:`authlib.oidc.core.CodeIDToken`: ``iss``,
``aud``/``azp``, ``exp``/``iat`` with ``EGOV_IDENTITY_CLOCK_SKEW``, ``nonce``) and
its RS256 signature with a key of the provider's JWKS (joserfc, Authlib's JOSE
library). What stays here is the flow in the session, the choice of the one
signing key, and the mapping of every failure to a named reason.

Every failure is a :class:`SignInFailed` with a short ``reason`` the pages turn
into a Vietnamese explanation; nothing here raises anything else for bad input.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from egov.core.integrations import OutsideSystem
from egov.identity import adapters
from egov.identity.adapters import TransportError

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


def _discovery(http: OutsideSystem, provider: ProviderSettings) -> dict[str, Any]:
    try:
        answer = http.get("discovery", provider.issuer + "/.well-known/openid-configuration")
        doc = adapters.json_object(answer)
    except TransportError as exc:
        raise SignInFailed("unreachable", str(exc)) from exc
    if answer.status != 200 or str(doc.get("issuer", "")).rstrip("/") != provider.issuer:
        raise SignInFailed("unreachable", "discovery document missing or for another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(doc.get(key), str):
            raise SignInFailed("unreachable", f"discovery document lacks {key}")
    return doc


class ProviderUnusable(Exception):
    """The identity provider answered, but not with a usable published configuration."""


def published_configuration(http: OutsideSystem | None = None) -> dict[str, Any]:
    """The provider's published configuration (discovery document) and public signing
    keys (JWKS), read over the back channel. Raises :class:`TransportError` when the
    provider did not answer, :class:`ProviderUnusable` when its answer is unusable."""
    http = http or adapters.provider_system()
    provider = provider_settings()
    answer = http.get("discovery", provider.issuer + "/.well-known/openid-configuration")
    try:
        doc = adapters.json_object(answer)
    except TransportError as exc:
        raise ProviderUnusable(str(exc)) from None
    if answer.status != 200 or str(doc.get("issuer", "")).rstrip("/") != provider.issuer:
        raise ProviderUnusable("discovery document missing or for another issuer")
    if not isinstance(doc.get("jwks_uri"), str):
        raise ProviderUnusable("discovery document lacks jwks_uri")
    keys_answer = http.get("jwks", doc["jwks_uri"])
    try:
        keys = adapters.json_object(keys_answer)
    except TransportError as exc:
        raise ProviderUnusable(str(exc)) from None
    if keys_answer.status != 200 or not isinstance(keys.get("keys"), list):
        raise ProviderUnusable("JWKS not available")
    # Public parts only, whatever the provider sent.
    public = ("kty", "kid", "use", "alg", "n", "e", "crv", "x", "y")
    return {
        "provider": provider.name,
        "configuration": doc,
        "keys": [
            {name: key[name] for name in public if name in key}
            for key in keys["keys"]
            if isinstance(key, dict)
        ],
    }


def begin(request: HttpRequest, next_url: str = "", http: OutsideSystem | None = None) -> str:
    """Start a sign-in: remember the flow in the session, return where to send the person."""
    # authlib and joserfc (with cryptography) load with the first sign-in, not at start-up.
    from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    if not settings.EGOV_IDENTITY_ENABLED:
        raise SignInFailed("disabled")
    http = http or adapters.provider_system()
    provider = provider_settings()
    doc = _discovery(http, provider)
    flow = Flow(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(48),  # 64 characters: RFC 7636 wants 43 to 128
        next=next_url,
        started=time.time(),
    )
    request.session[FLOW_KEY] = flow
    return str(
        prepare_grant_uri(
            doc["authorization_endpoint"],
            client_id=provider.client_id,
            response_type="code",
            redirect_uri=redirect_uri(),
            scope=" ".join(provider.scopes),
            state=flow["state"],
            nonce=flow["nonce"],
            code_challenge=create_s256_code_challenge(flow["verifier"]),
            code_challenge_method="S256",
        )
    )


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


def finish(request: HttpRequest, http: OutsideSystem | None = None) -> VerifiedIdentity:
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
    http = http or adapters.provider_system()
    provider = provider_settings()
    doc = _discovery(http, provider)
    tokens = _exchange(http, doc, provider, code, flow["verifier"])
    claims = verify_id_token(http, doc, provider, tokens["id_token"], flow["nonce"])
    profile = _userinfo(http, doc, tokens.get("access_token"), claims["sub"])
    merged = {**profile, **{k: v for k, v in claims.items() if k not in profile}}
    return VerifiedIdentity(provider=provider.name, subject=str(claims["sub"]), claims=merged)


def _exchange(
    http: OutsideSystem,
    doc: dict[str, Any],
    provider: ProviderSettings,
    code: str,
    verifier: str,
) -> dict[str, Any]:
    from authlib.oauth2.rfc6749.parameters import prepare_token_request

    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri(),
        code_verifier=verifier,
        client_id=provider.client_id,
    )
    try:
        # A code works once: the exchange is not repeated after a timeout.
        answer = http.post_bytes(
            "token",
            doc["token_endpoint"],
            body.encode("ascii"),
            "application/x-www-form-urlencoded",
            headers={
                "Authorization": adapters.basic_auth_header(
                    provider.client_id, provider.client_secret
                )
            },
        )
        tokens = adapters.json_object(answer)
    except TransportError as exc:
        raise SignInFailed("unreachable", str(exc)) from exc
    if answer.status != 200:
        raise SignInFailed("token_rejected", str(tokens.get("error", answer.status)))
    if not isinstance(tokens.get("id_token"), str):
        raise SignInFailed("token_rejected", "no id_token")
    return tokens


def verify_id_token(
    http: OutsideSystem,
    doc: dict[str, Any],
    provider: ProviderSettings,
    id_token: str,
    nonce: str,
) -> dict[str, Any]:
    """The ID token's claims, once signature, issuer, audience, times and nonce hold."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt as jose_jwt
    from joserfc.errors import ExpiredTokenError, JoseError
    from joserfc.jws import extract_compact

    try:
        header = extract_compact(id_token.encode("ascii")).headers()
    except (JoseError, ValueError, UnicodeError) as exc:
        raise SignInFailed("bad_token", str(exc)) from exc
    if header.get("alg") != "RS256":
        raise SignInFailed("bad_token", f"algorithm {header.get('alg')!r} not accepted")
    key = _signing_key(http, doc, header.get("kid"))
    try:
        token = jose_jwt.decode(id_token, key, algorithms=["RS256"])
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "nonce": {"essential": True},
            },
            params={"nonce": nonce, "client_id": provider.client_id},
        )
        claims.validate(leeway=settings.EGOV_IDENTITY_CLOCK_SKEW)
    except ExpiredTokenError as exc:
        raise SignInFailed("token_expired", str(exc)) from exc
    except (JoseError, ValueError) as exc:
        raise SignInFailed("bad_token", str(exc)) from exc
    # Authlib compares the nonce too; this comparison takes the same time whatever differs.
    if not constant_time_compare(str(claims["nonce"]), nonce):
        raise SignInFailed("bad_token", "nonce mismatch")
    return dict(claims)


def _signing_key(http: OutsideSystem, doc: dict[str, Any], kid: Any) -> Any:
    """The one RSA key of the provider's JWKS the token names (or the only one)."""
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        answer = http.get("jwks", doc["jwks_uri"])
        body = adapters.json_object(answer)
    except TransportError as exc:
        raise SignInFailed("unreachable", str(exc)) from exc
    if answer.status != 200:
        raise SignInFailed("unreachable", "JWKS not available")
    try:
        keyset = KeySet.import_key_set(body)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SignInFailed("unreachable", f"JWKS unusable: {exc}") from exc
    candidates = [k for k in keyset.keys if k.key_type == "RSA" and (kid is None or k.kid == kid)]
    if len(candidates) != 1:
        raise SignInFailed("bad_token", "no matching signing key")
    return candidates[0]


def _userinfo(
    http: OutsideSystem, doc: dict[str, Any], access_token: Any, subject: str
) -> dict[str, Any]:
    endpoint = doc.get("userinfo_endpoint")
    if not endpoint or not isinstance(access_token, str):
        return {}
    try:
        answer = http.get("userinfo", endpoint, headers={"Authorization": f"Bearer {access_token}"})
        info = adapters.json_object(answer)
    except TransportError as exc:
        raise SignInFailed("unreachable", str(exc)) from exc
    if answer.status != 200:
        raise SignInFailed("token_rejected", "userinfo refused")
    if str(info.get("sub", "")) != str(subject):
        # OIDC Core 5.3.2: userinfo for another subject must not be used.
        raise SignInFailed("bad_token", "userinfo is about another subject")
    return info
