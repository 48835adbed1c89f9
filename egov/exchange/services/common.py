"""What the exchange's write paths share: the clock, agencies by code, the
signing of a tree, the recording of a message."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.core.models import Unit
from egov.exchange.edxml.model import Organization
from egov.exchange.models import AxisAgency, ExchangeMessage

if TYPE_CHECKING:
    from lxml import etree


def now() -> dt.datetime:
    """The services' clock (tests replace it here)."""
    return timezone.now()


def our_agency(organ_id: str) -> Unit | None:
    """The agency on the platform with that identifier code (not an internal unit)."""
    if not organ_id:
        return None
    return (
        Unit.objects.filter(code=organ_id, dissolved_at__isnull=True)
        .exclude(level="internal")
        .first()
    )


def organization(organ_id: str, name: str = "") -> Organization:
    unit = our_agency(organ_id)
    if unit is not None:
        return Organization(organ_id=organ_id, organ_name=unit.name)
    known = AxisAgency.objects.filter(organ_id=organ_id).first()
    return Organization(organ_id=organ_id, organ_name=name or (known.name if known else organ_id))


def sign_tree(root: etree._Element, organ_id: str, *, unsigned_ok: bool = False) -> bytes:
    """The tree signed with agency ``organ_id``'s key, checked against our schema.
    ``unsigned_ok`` (records inside the province): an agency without a key yet
    records the message unsigned rather than not at all."""
    # lxml, signxml and cryptography load with the first message, not in every worker.
    from egov.exchange import keys
    from egov.exchange.edxml import build, dsig
    from egov.signatures.errors import NoSigningKey

    build.validate(root)  # the placeholder stands where the signature will
    try:
        with keys.signing_key(organ_id) as (key, chain):
            return dsig.sign(root, key, chain)
    except NoSigningKey:
        if not unsigned_ok:
            raise
    for node in list(root.iter(f"{{{dsig.DS}}}Signature")):
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    build.validate(root)
    return build.serialize(root)


def record(**fields: Any) -> ExchangeMessage | None:
    """One message row; None when the same message was recorded before."""
    raw = bytes(fields.get("raw", b""))
    fields.setdefault("sha256", hashlib.sha256(raw).hexdigest())
    try:
        with transaction.atomic():
            return ExchangeMessage.objects.create(**fields)
    except IntegrityError:
        return None
