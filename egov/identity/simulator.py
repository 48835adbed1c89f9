"""A local stand-in for the national identity provider (VNeID / national public
service portal SSO), speaking OpenID Connect: discovery, JWKS, authorization code
with PKCE (S256), token endpoint with client authentication, and userinfo.

It is for demonstrations and tests only (``EGOV_SIMULATORS``). Its signing key is
generated once and kept in the database (:class:`SimulatorKey`); demo people are
rows of :class:`SimulatorIdentity`, editable by an operator.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from egov.identity.models import SimulatorGrant, SimulatorIdentity, SimulatorKey

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

CODE_SECONDS = 60
TOKEN_SECONDS = 300
# Claims released for each scope (the rest of the standard claims stay private).
SCOPE_CLAIMS = {
    "profile": ("name", "birthdate", "identity_number", "tax_code", "gender"),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
}


def issuer() -> str:
    """The simulator's issuer URL, from ``EGOV_PUBLIC_BASE_URL``."""
    base = str(settings.EGOV_PUBLIC_BASE_URL).rstrip("/")
    return base + reverse("identity:sim-root").rstrip("/")


def _url(name: str) -> str:
    return str(settings.EGOV_PUBLIC_BASE_URL).rstrip("/") + reverse(name)


def discovery() -> dict[str, Any]:
    return {
        "issuer": issuer(),
        "authorization_endpoint": _url("identity:sim-authorize"),
        "token_endpoint": _url("identity:sim-token"),
        "userinfo_endpoint": _url("identity:sim-userinfo"),
        "jwks_uri": _url("identity:sim-jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", *SCOPE_CLAIMS],
        "claims_supported": sorted({c for claims in SCOPE_CLAIMS.values() for c in claims}),
    }


# --- keys --------------------------------------------------------------------


def signing_key() -> SimulatorKey:
    """The current key, generated on first use (concurrent first uses agree)."""
    key = SimulatorKey.objects.order_by("-created_at", "-id").first()
    if key is not None:
        return key
    # pyjwt and cryptography load when the simulator first signs, not at start-up.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    try:
        with transaction.atomic():
            return SimulatorKey.objects.create(kid=secrets.token_hex(8), private_pem=pem)
    except IntegrityError:  # pragma: no cover - two first uses at once
        return SimulatorKey.objects.order_by("-created_at", "-id").first()  # type: ignore[return-value]


def _private_key(key: SimulatorKey) -> rsa.RSAPrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    loaded = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def jwks() -> dict[str, Any]:
    import jwt

    keys = []
    for key in SimulatorKey.objects.order_by("-created_at", "-id")[:2] or [signing_key()]:
        public = _private_key(key).public_key()
        jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
        jwk.update({"kid": key.kid, "use": "sig", "alg": "RS256"})
        keys.append(jwk)
    return {"keys": keys}


def sign(claims: dict[str, Any]) -> str:
    """Sign ``claims`` with the simulator's key (RS256, with its ``kid``)."""
    import jwt

    key = signing_key()
    return jwt.encode(claims, _private_key(key), algorithm="RS256", headers={"kid": key.kid})


# --- authorization -------------------------------------------------------------


class OAuthError(Exception):
    """An OAuth error response: ``error`` code, description, HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def registered_redirect_uri() -> str:
    return _url("identity:callback")


def check_client(client_id: str, redirect_uri: str) -> None:
    """The authorization request names the registered client and its redirect URI."""
    if not constant_time_compare(client_id, settings.EGOV_IDENTITY_SIM_CLIENT_ID):
        raise OAuthError("unauthorized_client", "unknown client_id")
    if redirect_uri != registered_redirect_uri():
        raise OAuthError("invalid_request", "redirect_uri is not registered for this client")


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    code_challenge: str
    code_challenge_method: str


def parse_authorization_request(params: Any) -> AuthorizationRequest:
    """Validate the front-channel request; errors about the client are shown to
    the person (never redirected to an unregistered address)."""
    request = AuthorizationRequest(
        client_id=params.get("client_id", ""),
        redirect_uri=params.get("redirect_uri", ""),
        scope=params.get("scope", ""),
        state=params.get("state", ""),
        nonce=params.get("nonce", ""),
        code_challenge=params.get("code_challenge", ""),
        code_challenge_method=params.get("code_challenge_method", ""),
    )
    check_client(request.client_id, request.redirect_uri)
    if params.get("response_type") != "code":
        raise OAuthError("unsupported_response_type", "only response_type=code")
    if "openid" not in request.scope.split():
        raise OAuthError("invalid_scope", "the openid scope is required")
    if request.code_challenge_method != "S256" or not (43 <= len(request.code_challenge) <= 128):
        raise OAuthError("invalid_request", "PKCE with S256 is required")
    return request


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_code(request: AuthorizationRequest, identity: SimulatorIdentity) -> str:
    """A fresh single-use authorization code for ``identity``."""
    code = secrets.token_urlsafe(32)
    SimulatorGrant.objects.create(
        code_hash=_hash(code),
        identity=identity,
        client_id=request.client_id,
        redirect_uri=request.redirect_uri,
        scope=request.scope,
        nonce=request.nonce,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
    )
    return code


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authenticate_client(client_id: str, client_secret: str) -> None:
    ok_id = constant_time_compare(client_id, settings.EGOV_IDENTITY_SIM_CLIENT_ID)
    ok_secret = constant_time_compare(client_secret, settings.EGOV_IDENTITY_SIM_CLIENT_SECRET)
    if not (client_id and ok_id and ok_secret):
        raise OAuthError("invalid_client", "client authentication failed", status=401)


def released_claims(identity: SimulatorIdentity, scope: str) -> dict[str, Any]:
    scopes = scope.split()
    released: dict[str, Any] = {"sub": identity.subject}
    for name, claims in SCOPE_CLAIMS.items():
        if name in scopes:
            released.update({c: identity.claims[c] for c in claims if c in identity.claims})
    return released


def exchange_code(
    *, client_id: str, code: str, redirect_uri: str, code_verifier: str
) -> dict[str, Any]:
    """The token endpoint: a code (single use, short-lived, PKCE) for tokens."""
    with transaction.atomic():
        grant = (
            SimulatorGrant.objects.select_for_update()
            .select_related("identity")
            .filter(code_hash=_hash(code))
            .first()
        )
        if grant is None:
            raise OAuthError("invalid_grant", "unknown authorization code")
        if grant.used_at is not None:
            raise OAuthError("invalid_grant", "authorization code already used")
        grant.used_at = timezone.now()
        grant.save(update_fields=["used_at"])
    if grant.created_at < timezone.now() - timedelta(seconds=CODE_SECONDS):
        raise OAuthError("invalid_grant", "authorization code expired")
    if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
        raise OAuthError("invalid_grant", "code was issued to another client or redirect_uri")
    if not code_verifier or not constant_time_compare(
        pkce_challenge(code_verifier), grant.code_challenge
    ):
        raise OAuthError("invalid_grant", "PKCE verification failed")
    now = int(time.time())
    identity = grant.identity
    id_token = sign(
        {
            "iss": issuer(),
            "sub": identity.subject,
            "aud": client_id,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "auth_time": now,
            "nonce": grant.nonce,
            "acr": "vneid-level-2",
            "amr": ["pwd", "otp"],
        }
    )
    access_token = sign(
        {
            "iss": issuer(),
            "sub": identity.subject,
            "aud": issuer() + "/userinfo",
            "client_id": client_id,
            "scope": grant.scope,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "jti": secrets.token_hex(8),
        }
    )
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
        "scope": grant.scope,
        "id_token": id_token,
    }


def userinfo(access_token: str) -> dict[str, Any]:
    """The claims an access token may read (checked with the simulator's own key)."""
    import jwt

    try:
        header = jwt.get_unverified_header(access_token)
        key = SimulatorKey.objects.filter(kid=header.get("kid", "")).first()
        if key is None:
            raise jwt.InvalidTokenError("unknown key")
        claims = jwt.decode(
            access_token,
            _private_key(key).public_key(),
            algorithms=["RS256"],
            audience=issuer() + "/userinfo",
            issuer=issuer(),
        )
    except jwt.InvalidTokenError as exc:
        raise OAuthError("invalid_token", str(exc), status=401) from exc
    identity = SimulatorIdentity.objects.filter(subject=claims["sub"]).first()
    if identity is None:
        raise OAuthError("invalid_token", "unknown subject", status=401)
    return released_claims(identity, claims.get("scope", ""))
