"""The write path of ``IdempotentRequest``: retried creations answered once.

A client that may retry a creation (the dossier API, the online submission
API) sends an ``Idempotency-Key``; the first request's result is remembered per
``scope`` (who asked, by which route) and key, with a fingerprint of the request
body. Other apps record and look up these rows only through this module (an
import contract checks it, ADR 6), so the table keeps one meaning.

Both functions run inside the caller's transaction: the row must commit or roll
back with the dossier it points to.
"""

from __future__ import annotations

from django.db import transaction

from egov.dossiers.errors import IdempotencyKeyReused
from egov.dossiers.models import Dossier, IdempotentRequest


def answer_for(scope: str, key: str, fingerprint: str) -> Dossier | None:
    """The dossier a request with ``key`` already created in ``scope``, or ``None``.

    Raises :class:`IdempotencyKeyReused` when the key came before with another
    request body (``fingerprint``)."""
    row = IdempotentRequest.objects.filter(scope=scope, key=key).select_related("dossier").first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return row.dossier


def remember(*, scope: str, key: str, fingerprint: str, dossier: Dossier) -> None:
    """Record that the request ``key`` in ``scope`` created ``dossier``. A racing
    retry with the same key fails here on the unique constraint (IntegrityError)."""
    with transaction.atomic():
        IdempotentRequest.objects.create(
            key=key, scope=scope, request_hash=fingerprint, dossier=dossier
        )
