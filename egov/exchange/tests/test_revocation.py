"""The signer's certificate of an incoming edXML message is checked against the
revocation sources of the signatures app (the test PKI's CRL and OCSP responder):
a revoked sender is refused with the reason in Vietnamese and kept in the
quarantine; a good one from the same authority is taken."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from egov.documents.models import IncomingDocument
from egov.exchange import keys
from egov.exchange.models import (
    ExchangeMessage,
    Kind,
    OutboxItem,
    Quarantine,
    QuarantineState,
    SignatureState,
)
from egov.exchange.services import inbox
from egov.exchange.tests.conftest import World
from egov.exchange.tests.helpers import message, outside_axis, signed
from egov.signatures.selectors import CertificateRevocation
from egov.signatures.tests.conftest import pki_settings  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SENDER = "000.00.00.G22"


@pytest.fixture
def demo_ca(
    world: World,
    pki_settings: dict[str, Any],  # noqa: F811
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    """The signatures app's test PKI with its CRL and OCSP sources, trusted."""
    from egov.signatures import pki, services
    from egov.signatures.models import RevocationKind

    settings.EGOV_SIGNATURES_TRANSPORT = "inprocess"
    settings.EGOV_SIGNATURES_DEMO_PKI = True
    root, ca, _tsa = pki.ensure_authorities()
    services.add_trust_anchor(actor=None, name="root", certificate_der=_der(root.cert))
    for kind, path in ((RevocationKind.CRL, "crl"), (RevocationKind.OCSP, "ocsp")):
        services.add_revocation_source(
            actor=None, name=path, kind=kind, url=pki.simulator_url(path), is_demo=True
        )
    monkeypatch.setattr(keys, "anchors", lambda: [root.cert])
    return ca


def _der(cert: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.DER)


def _agency_key(ca: Any, name: str) -> tuple[Any, Any]:
    from egov.signatures import pki

    key = pki.new_file_key()
    return key, pki.issue(key.public_key(), pki.subject(name, name), ca)


def _send(world: World, data: bytes, send_key: str) -> inbox.PollResult:
    outside_axis().send(
        sender=SENDER,
        recipient=world.org.dept.code,
        message_type="edoc",
        body=data,
        send_key=send_key,
    )
    return inbox.poll()


def test_a_sender_revoked_before_signing_is_refused_in_vietnamese(
    world: World, demo_ca: Any
) -> None:
    from egov.signatures import pki

    key, cert = _agency_key(demo_ca, "Văn phòng Chính phủ (thu hồi)")
    # The message says it was signed on 7/12/2026 at 09:00 UTC; revoked the day before.
    pki.revoke(cert, dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC))
    data = signed(message(world.org.dept.code), key, [cert, demo_ca.cert])
    polled = _send(world, data, "revoked")
    (outcome,) = polled.outcomes
    assert outcome.kind == "refused"
    assert "đã bị thu hồi" in outcome.reason and "trước thời điểm ký" in outcome.reason
    kept = Quarantine.objects.get()
    assert bytes(kept.raw) == data and kept.state == QuarantineState.REJECTED
    assert "đã bị thu hồi" in kept.reason
    assert IncomingDocument.objects.count() == 0
    assert OutboxItem.objects.get(kind=Kind.STATUS).status_code == "02"


def test_a_good_sender_of_the_same_authority_is_taken(world: World, demo_ca: Any) -> None:
    key, cert = _agency_key(demo_ca, "Văn phòng Chính phủ")
    data = signed(message(world.org.dept.code), key, [cert, demo_ca.cert])
    polled = _send(world, data, "good")
    assert [o.kind for o in polled.outcomes] == ["imported"], polled.outcomes
    assert ExchangeMessage.objects.get(raw=data).signature == SignatureState.VALID
    assert IncomingDocument.objects.count() == 1


SIGNED = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _revoked(at: dt.datetime, reason: str) -> CertificateRevocation:
    return CertificateRevocation("revoked", at, reason)


@pytest.mark.parametrize(
    ("status", "refused", "words"),
    [
        (_revoked(SIGNED - dt.timedelta(hours=1), "superseded"), True, "trước thời điểm ký"),
        # After the claimed signing time: the claim is the sender's word; a stolen key
        # could have back-dated it, so a compromise (or no reason) still refuses.
        (_revoked(SIGNED + dt.timedelta(hours=1), "key_compromise"), True, "lời khai"),
        (_revoked(SIGNED + dt.timedelta(hours=1), ""), True, "lời khai"),
        # Replaced by a new certificate after signing: taken, with a warning.
        (_revoked(SIGNED + dt.timedelta(hours=1), "superseded"), False, "sau khi"),
        (CertificateRevocation("good"), False, ""),
        (
            CertificateRevocation("unknown", unreachable=["http://crl"]),
            False,
            "Không kiểm tra được",
        ),
    ],
)
def test_revocation_verdict_at_the_signing_time(
    status: CertificateRevocation, refused: bool, words: str
) -> None:
    refuse, note = inbox.revocation_verdict(status, SIGNED)
    assert refuse is refused
    assert (words in note) if words else note == ""
