"""Who is calling: the ``X-Road-Client`` header names a consumer subsystem and
``Authorization: Bearer <JWT>`` proves it.

The token is signed with the consumer's own private key (ES256/RS256/EdDSA) and
verified with the public key registered for it (:attr:`Consumer.public_jwk`). Its
claims: ``iss`` = the client identifier (the same as the header), ``aud`` =
``EGOV_LGSP_TOKEN_AUDIENCE``, ``iat`` and ``exp`` no further apart than
``EGOV_LGSP_TOKEN_MAX_AGE`` seconds.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from egov.lgsp import selectors
from egov.lgsp.errors import GatewayRefusal
from egov.lgsp.identifiers import parse_client
from egov.lgsp.models import Consumer

ALGORITHMS = ["ES256", "RS256", "PS256", "EdDSA"]
LEEWAY = 30


def _refuse(message: str, consumer: str = "") -> GatewayRefusal:
    return GatewayRefusal(
        message,
        code="unauthenticated",
        http_status=401,
        outcome="unauthenticated",
        consumer=consumer,
    )


def authenticate(client_header: str, authorization: str, *, now: float | None = None) -> Consumer:
    """The consumer the request proves to be, or :class:`GatewayRefusal` (401)."""
    from joserfc import jwt
    from joserfc.errors import JoseError

    client = parse_client(client_header or "")
    if client is None:
        raise _refuse(
            _(
                "The X-Road-Client header must name the calling subsystem "
                "(INSTANCE/CLASS/MEMBERCODE/SUBSYSTEM)."
            )
        )
    name = str(client)
    scheme, _sep, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _refuse(_("A signed token is required (Authorization: Bearer …)."), name)
    consumer = selectors.consumer_by_id(client)
    if consumer is None or not consumer.is_active:
        raise _refuse(
            _("The consumer %(client)s is not registered or not active.") % {"client": name}, name
        )
    try:
        key = _public_key(consumer)
        decoded = jwt.decode(token.strip(), key, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError):
        raise _refuse(
            _("The token's signature does not verify with the key registered for %(client)s.")
            % {"client": name},
            name,
        ) from None
    _check_claims(decoded.claims, name, time.time() if now is None else now)
    return consumer


def _public_key(consumer: Consumer) -> Any:
    """The consumer's key, imported once per cached registry row."""
    from joserfc.jwk import JWKRegistry

    key = getattr(consumer, "_lgsp_key", None)
    if key is None:
        key = JWKRegistry.import_key(consumer.public_jwk)
        consumer._lgsp_key = key  # type: ignore[attr-defined]
    return key


def _check_claims(claims: dict[str, Any], name: str, now: float) -> None:
    audience = str(settings.EGOV_LGSP_TOKEN_AUDIENCE)
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if claims.get("iss") != name:
        raise _refuse(
            _("The token was issued for another client than %(client)s.") % {"client": name}, name
        )
    if audience not in audiences:
        raise _refuse(_("The token is not meant for this platform (aud)."), name)
    try:
        iat, exp = float(claims["iat"]), float(claims["exp"])
    except (KeyError, TypeError, ValueError):
        raise _refuse(_("The token must carry iat and exp."), name) from None
    if exp < now - LEEWAY:
        raise _refuse(_("The token has expired."), name)
    if iat > now + LEEWAY:
        raise _refuse(_("The token was issued in the future."), name)
    if exp - iat > int(settings.EGOV_LGSP_TOKEN_MAX_AGE):
        raise _refuse(
            _("The token lives too long (at most %(seconds)s seconds).")
            % {"seconds": settings.EGOV_LGSP_TOKEN_MAX_AGE},
            name,
        )


def make_token(
    private_jwk: Any, client: str, *, lifetime: int = 120, now: float | None = None
) -> str:
    """A token for ``client`` (consumers, the demo and tests use this)."""
    from joserfc import jwt
    from joserfc.jwk import JWKRegistry

    key = private_jwk if not isinstance(private_jwk, dict) else JWKRegistry.import_key(private_jwk)
    moment = int(time.time() if now is None else now)
    alg = "ES256" if key.key_type == "EC" else ("EdDSA" if key.key_type == "OKP" else "RS256")
    claims = {
        "iss": client,
        "aud": str(settings.EGOV_LGSP_TOKEN_AUDIENCE),
        "iat": moment,
        "exp": moment + lifetime,
    }
    return jwt.encode({"alg": alg}, claims, key)
