"""edXML: strict building, liberal reading of other vendors' shapes, XML-DSig."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from pathlib import Path

import pytest
from lxml import etree
from signxml import SignatureMethod, XMLSigner, methods
from signxml.algorithms import DigestAlgorithm

from egov.exchange.edxml import build, dsig, parse
from egov.exchange.edxml.model import NS, BusinessType, Organization
from egov.exchange.tests.conftest import MemoryPki
from egov.exchange.tests.helpers import PDF, message, signed, signed_status, status


@pytest.fixture
def memory_pki() -> MemoryPki:
    from egov.exchange.tests import conftest

    if conftest._PKI is None:
        conftest._PKI = MemoryPki()
    return conftest._PKI


def test_a_message_round_trips_signed_and_verified(memory_pki: MemoryPki) -> None:
    key, cert = memory_pki.key_of("000.00.00.G22")
    data = signed(message("000.00.12.H33"), key, [cert, memory_pki.root])
    build.validate(etree.fromstring(data))  # what we send follows our schema, signature included
    checked = dsig.verify(data)
    assert checked.valid and checked.signed
    assert dsig.chains_to(checked.certificates, [memory_pki.root], dt.datetime.now(dt.UTC)) == ""
    read = parse.parse(data)
    assert read.kind == "message" and read.warnings == []
    assert read.message is not None
    assert read.message.subject == "Về việc đẩy mạnh liên thông văn bản điện tử"
    assert read.message.document_id == "000.00.00.G22,2026/12/07,1234/VPCP-KSTT"
    assert read.message.attachments[0].data == PDF
    assert read.message.business.business_type is BusinessType.NEW
    # The signature sits inside edXMLHeader, as the standard and the vendors put it.
    root = etree.fromstring(data)
    assert (
        root.find(f"{{{NS}}}edXMLHeader/{{http://www.w3.org/2000/09/xmldsig#}}Signature")
        is not None
    )


def test_our_signer_and_signxml_agree_both_ways(memory_pki: MemoryPki) -> None:
    from cryptography.hazmat.primitives import serialization
    from signxml import XMLVerifier

    key, cert = memory_pki.key_of("000.00.00.G22")
    ours = signed(message("000.00.12.H33"), key, [cert, memory_pki.root])
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    XMLVerifier().verify(ours, x509_cert=pem, expect_config=dsig._LENIENT)  # raises if not
    theirs = dsig.sign_with_signxml(
        build.message_tree(message("000.00.12.H33")), key, [cert, memory_pki.root]
    )
    assert dsig._verify_plain(etree.fromstring(theirs)) is not None
    assert dsig.verify(theirs).valid
    broken = theirs.replace(b"<ds:SignatureValue>", b"<ds:SignatureValue>AAAA")
    assert not dsig.verify(broken).valid


def test_a_tampered_message_is_refused_with_the_reason(memory_pki: MemoryPki) -> None:
    key, cert = memory_pki.key_of("000.00.00.G22")
    data = signed(message("000.00.12.H33"), key, [cert, memory_pki.root])
    tampered = data.replace("liên thông".encode(), b"lien thong")
    checked = dsig.verify(tampered)
    assert not checked.valid and "Digest mismatch" in checked.reason
    attachment = base64.b64encode(PDF)
    swapped = data.replace(attachment, base64.b64encode(PDF + b"\n% appended"))
    assert not dsig.verify(swapped).valid


def test_a_certificate_from_another_root_does_not_chain(memory_pki: MemoryPki) -> None:
    stranger = MemoryPki()
    key, cert = stranger.key_of("000.00.00.G22")
    data = signed(message("000.00.12.H33"), key, [cert, stranger.root])
    checked = dsig.verify(data)
    assert checked.valid  # intact …
    problem = dsig.chains_to(checked.certificates, [memory_pki.root], dt.datetime.now(dt.UTC))
    assert "no trusted root" in problem  # … but not from anyone we trust


def test_what_we_send_is_strict() -> None:
    with pytest.raises(build.InvalidMessage):
        build.build_message(message("000.00.12.H33", subject="x" * 501))
    with pytest.raises(build.InvalidMessage, match="twice"):
        build.build_message(
            message(
                "000.00.12.H33",
                recipients=(Organization("000.00.12.H33", "A"), Organization("000.00.12.H33", "A")),
            )
        )
    with pytest.raises(build.InvalidMessage):
        build.build_message(message("000.00.12.H33", subject=""))


def test_status_messages_round_trip(memory_pki: MemoryPki) -> None:
    key, cert = memory_pki.key_of("000.00.12.H33")
    at = dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.UTC)
    data = signed_status(
        status(
            "000.00.00.G22,2026/12/07,1234/VPCP-KSTT",
            sender="000.00.12.H33",
            to="000.00.00.G22",
            code="03",
            at=at,
        ),
        key,
        [cert, memory_pki.root],
    )
    assert dsig.verify(data).valid
    read = parse.parse(data)
    assert read.kind == "status" and read.status is not None
    assert read.status.code == "03" and read.status.timestamp == at
    assert read.status.response_for.document_id.endswith("1234/VPCP-KSTT")


# --- other vendors' shapes (written from documents.md, Exchange) ----------------------

#: Shape of another vendor's message: wrapped envelope, gateway and null OrganIds, a
#: UUID DocumentId, slash dates, AttachmentEncoded outside the envelope.
VENDOR = (Path(__file__).parent / "fixtures" / "vendor_wrapped.xml.in").read_text("utf-8")


def vendor_message(*, docid: str | None = None, cid: str = "7") -> bytes:
    return VENDOR.format(
        docid=docid or str(uuid.UUID(int=12345)),
        cid=cid,
        data=base64.b64encode(PDF).decode(),
    ).encode("utf-8")


def test_a_vendor_message_is_read_with_explicit_warnings() -> None:
    read = parse.parse(vendor_message())
    assert read.message is not None
    text = " | ".join(read.warnings)
    assert "bare UUID" in text
    assert "gateway id" in text
    assert "OrganId is missing" in text
    assert "yyyy/MM/dd" in text
    assert "yyyy/MM/dd HH:mm:ss" in text
    assert "TraceHeader[2]: OrganId or Timestamp missing" in text
    assert "AttachmentEncoded outside edXMLEnvelope" in text
    assert "attachment children without the standard's namespace" in text
    assert "wrapped in" in text
    message = read.message
    assert message.promulgation_date == dt.date(2026, 12, 1)
    assert message.due_date == dt.date(2026, 12, 20)
    assert message.attachments[0].data == PDF and message.attachments[0].name == "cv45.pdf"
    assert message.business.staff is not None and message.business.staff.staff == "Nguyễn B"
    assert message.traces[0].timestamp == dt.datetime(2026, 12, 1, 8, 15, tzinfo=parse.VN)


@pytest.mark.parametrize("cid", ["7", "2f1e9a7c-3b7d-4c2e-9a51-0d9c1f6a1b2c"])
def test_attachment_ids_numeric_or_uuid_link_to_the_manifest(cid: str) -> None:
    read = parse.parse(vendor_message(cid=cid))
    assert read.message is not None
    assert read.message.attachments[0].content_id == f"cid:{cid}"
    assert not any("not in the manifest" in w for w in read.warnings)


def test_a_vendor_signature_with_rsa_sha1_is_accepted_with_a_warning(memory_pki: MemoryPki) -> None:
    key, cert = memory_pki.key_of("vxp.saas.03")
    root = etree.fromstring(vendor_message(docid="vxp.saas.03,2026/12/01,45/SNV-VP"))
    header = root.find(f".//{{{NS}}}edXMLHeader")
    assert header is not None
    etree.SubElement(header, "{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder")

    class OldVendorSigner(XMLSigner):
        def check_deprecated_methods(self) -> None:  # what old vendor software still does
            return None

    signer = OldVendorSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
        c14n_algorithm=dsig.EXC_C14N,
    )
    from cryptography.hazmat.primitives import serialization

    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    data = etree.tostring(signer.sign(root, key=key, cert=[pem]))
    checked = dsig.verify(data)
    assert checked.valid, checked.reason
    assert any("RSA-SHA1" in w for w in checked.warnings)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"<edXMLEnvelope><edXMLHeader>", "not well-formed"),
        (b"<Invoice/>", "no edXMLEnvelope"),
        (
            b'<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLHeader>'
            b"<MessageHeader><From><OrganId>000.00.00.G22</OrganId></From></MessageHeader>"
            b"</edXMLHeader></edXMLEnvelope>",
            "without To",
        ),
    ],
)
def test_what_cannot_be_understood_says_why(data: bytes, reason: str) -> None:
    with pytest.raises(parse.Unparseable, match=reason):
        parse.parse(data)


def test_no_external_entities_are_read() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>&e;</OrganId></From>"
        b"</MessageHeader></edXMLHeader></edXMLEnvelope>"
    )
    with pytest.raises(parse.Unparseable) as caught:
        parse.parse(evil)
    assert "root:" not in str(caught.value)
