"""A signed PDF arriving in an edXML message from outside the province goes through the
same PAdES check as any incoming document (the documents app's background job)."""

from __future__ import annotations

from typing import Any

import pytest

from egov.documents import services as incoming
from egov.documents.models import IncomingDocument, SignatureCheck
from egov.exchange.edxml.model import Attachment
from egov.exchange.services import inbox
from egov.exchange.tests.conftest import MemoryPki, World
from egov.exchange.tests.helpers import message, signed
from egov.signatures.tests.conftest import USER_PIN, pki_settings  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_pdf(world: World, pki_settings: dict[str, Any]) -> bytes:  # noqa: F811
    from egov.documents.tests.factories import text_pdf
    from egov.signatures import services as signatures
    from egov.signatures import testpki

    testpki.make(user_pin=USER_PIN)
    holder = signatures.holder_for_person(world.staff.leader, pin=USER_PIN)
    return signatures.sign_pdf(text_pdf(), holder=holder, actor=world.staff.leader)


def _receive(world: World, pki: MemoryPki, pdf: bytes, number: str) -> IncomingDocument:
    key, cert = pki.key_of("000.00.00.G22")
    edxml = message(
        world.org.dept.code,
        number=number,
        attachments=(Attachment("cid:1", "cong-van.pdf", "application/pdf", pdf),),
    )
    outcome = inbox.receive(signed(edxml, key, [cert, pki.root]), recipient=world.org.dept.code)
    assert outcome.kind == "imported", outcome
    (ref,) = outcome.incoming
    return IncomingDocument.objects.get(uuid=ref)


def test_a_signed_pdf_from_the_exchange_is_checked(
    world: World, pki: MemoryPki, signed_pdf: bytes
) -> None:
    document = _receive(world, pki, signed_pdf, "77/VPCP-KSTT")
    assert document.signature_status == SignatureCheck.PENDING
    assert incoming.check_pending_signatures() == 1
    document.refresh_from_db()
    assert document.signature_status == SignatureCheck.VALID
    assert "Võ Văn Em" in document.signature_signers


def test_a_changed_pdf_from_the_exchange_is_invalid(
    world: World, pki: MemoryPki, signed_pdf: bytes
) -> None:
    at = signed_pdf.index(b"stream\n") + 20
    bad = signed_pdf[:at] + bytes([signed_pdf[at] ^ 0x01]) + signed_pdf[at + 1 :]
    document = _receive(world, pki, bad, "78/VPCP-KSTT")
    incoming.check_pending_signatures()
    document.refresh_from_db()
    assert document.signature_status == SignatureCheck.INVALID
    assert any("thay đổi sau khi ký" in reason for reason in document.signature_reasons)
