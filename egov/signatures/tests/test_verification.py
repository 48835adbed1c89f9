"""Verification gives the right reason, in Vietnamese, for each kind of bad signature;
bad input is refused with a clear message (service, page and API)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from django.test import Client
from django.urls import reverse

from egov.signatures import errors, pki, services
from egov.signatures.tests.conftest import USER_PIN, World, one_page_pdf
from egov.signatures.tests.pdfsig import chain_verdicts, pdfsig
from egov.signatures.verification import verify_pdf


def sign_with_file_key(pdf: bytes, signer: pki.Issued, chain: list[pki.Issued]) -> bytes:
    """Sign with pyHanko directly (the service refuses such certificates)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    assert signer.key is not None
    simple = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(signer.der),
        signing_key=asn1_keys.PrivateKeyInfo.load(pki.private_der(signer.key)),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(item.der) for item in chain]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=simple)
    return out.getvalue()


@pytest.fixture
def signed(world: World) -> bytes:
    holder = services.holder_for_person(world.leader, pin=USER_PIN)
    return services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader)


def only_problems(data: bytes) -> list[str]:
    report = verify_pdf(data)
    assert not report.ok
    (sig,) = report.signatures
    return sig.problems


def test_a_byte_changed_after_signing(signed: bytes, tmp_path: Path) -> None:
    at = signed.index(b"stream\n") + 20  # inside the first page's content stream
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :]
    assert tampered != signed and len(tampered) == len(signed)
    problems = only_problems(tampered)
    assert problems[0] == "Tài liệu đã bị thay đổi sau khi ký: nội dung không còn khớp với chữ ký."
    assert "Digest Mismatch" in pdfsig(tampered, tmp_path) or "Signature is Invalid" in pdfsig(
        tampered, tmp_path
    )


def test_revoked_certificate(world: World, tmp_path: Path) -> None:
    _root, ca, _tsa = pki.load_authorities()
    revoked = pki.load_test_signer("revoked")
    assert revoked is not None
    data = sign_with_file_key(one_page_pdf(), revoked, [ca])
    report = verify_pdf(data)
    (sig,) = report.signatures
    assert sig.revocation == "revoked"
    assert "Chứng thư số của người ký đã bị thu hồi." in sig.problems


def test_expired_certificate(world: World) -> None:
    _root, ca, _tsa = pki.load_authorities()
    expired = pki.load_test_signer("expired")
    assert expired is not None
    data = sign_with_file_key(one_page_pdf(), expired, [ca])
    problems = only_problems(data)
    assert any("hết hạn" in problem for problem in problems), problems


def test_unknown_root(world: World, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    key = pki.new_file_key()
    name = pki.subject("Một CA không ai tin", "Tổ chức lạ")
    start = pki.now() - dt.timedelta(days=1)
    stranger_root = pki.Issued(
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256()),
        key,
    )
    leaf_key = pki.new_file_key()
    leaf = pki.Issued(
        pki.issue(leaf_key.public_key(), pki.subject("Người lạ", "Tổ chức lạ"), stranger_root),
        leaf_key,
    )
    data = sign_with_file_key(one_page_pdf(), leaf, [stranger_root])
    problems = only_problems(data)
    assert (
        "Chứng thư số không dẫn tới một chứng thư gốc tin cậy (không rõ tổ chức cấp)." in problems
    )
    # pdfsig finds the stranger's root in the signature, and does not trust it.
    assert chain_verdicts(pdfsig(data, tmp_path)) == ["Certificate issuer isn't Trusted."]


# --- bad input ---------------------------------------------------------------------------


def test_not_a_pdf_encrypted_and_too_many_pages(world: World, settings: Any) -> None:
    from pypdf import PdfWriter

    with pytest.raises(errors.BadPdf) as not_pdf:
        verify_pdf(b"MZ\x90\x00 this is a program", name="hop-dong.pdf")
    assert "không phải tệp PDF" in not_pdf.value.message
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("mat-khau")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(errors.BadPdf) as encrypted:
        services.sign_pdf(
            buffer.getvalue(), holder=services.holder_for_agency(world.agency), actor=None
        )
    assert "được mã hóa" in encrypted.value.message
    with pytest.raises(errors.BadPdf) as long_one:
        verify_pdf(one_page_pdf(pages=200))
    assert "200 trang" in long_one.value.message


def test_wrong_pin_signs_nothing(world: World) -> None:
    from egov.core.models import AuditEntry

    holder = services.holder_for_person(world.leader, pin="000000")
    with pytest.raises(errors.WrongPin) as wrong:
        services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader)
    assert wrong.value.message == "Mã PIN của thiết bị ký số không đúng. Chưa có gì được ký."
    assert not AuditEntry.objects.filter(action="signatures.signed").exists()


def test_remote_signer_who_never_confirms(world: World) -> None:
    from egov.signatures.models import KeyKind

    waited: list[float] = []
    holder = services.holder_for_person(
        world.leader, kind=KeyKind.REMOTE, sleep=waited.append, wait=6
    )
    with pytest.raises(errors.RemoteTimedOut) as late:
        services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader)
    assert "không xác nhận trên điện thoại trong 6 giây" in late.value.message
    assert waited  # it polled before giving up


def test_remote_signer_who_refuses(world: World) -> None:
    from egov.signatures import simulator
    from egov.signatures.models import KeyKind, SimulatedRemoteRequest

    def refuse(_seconds: float) -> None:
        simulator.confirm(SimulatedRemoteRequest.objects.get(), accept=False)

    holder = services.holder_for_person(world.leader, kind=KeyKind.REMOTE, sleep=refuse)
    with pytest.raises(errors.RemoteRefused):
        services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader)


def test_expired_certificate_is_refused_before_signing(world: World) -> None:
    from egov.signatures.models import KeyKind, SigningKey

    expired = pki.load_test_signer("expired")
    assert expired is not None
    key = SigningKey.objects.get(user=world.leader, kind=KeyKind.TOKEN)
    key.certificate = expired.der
    key.save()
    with pytest.raises(errors.CertificateNotUsable) as refused:
        services.sign_pdf(
            one_page_pdf(),
            holder=services.holder_for_person(world.leader, pin=USER_PIN),
            actor=None,
        )
    assert "đã hết hạn" in refused.value.message


def test_jpeg_signature_image_is_refused(world: World) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), (255, 255, 255)).save(buffer, "JPEG")
    with pytest.raises(errors.BadImage) as jpeg:
        services.upload_image(
            actor=world.leader, kind="signature", data=buffer.getvalue(), user=world.leader
        )
    assert "ảnh JPEG" in jpeg.value.message
    opaque = io.BytesIO()
    Image.new("RGB", (300, 120), (255, 255, 255)).save(opaque, "PNG")
    with pytest.raises(errors.BadImage) as no_alpha:
        services.upload_image(
            actor=world.leader, kind="signature", data=opaque.getvalue(), user=world.leader
        )
    assert "nền trong suốt" in no_alpha.value.message


# --- page and API ----------------------------------------------------------------------


def test_page_and_api_report(signed: bytes) -> None:
    client = Client()
    page = client.post(
        reverse("signatures:verify"),
        {"file": _upload(signed)},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nguyễn Văn Bình" in text and "Sở Thông tin và Truyền thông" in text
    answer = client.post("/api/v1/signatures/verify", {"file": _upload(signed)})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["ok"] is True and body["signatures"][0]["revocation"] == "good"
    bad = client.post("/api/v1/signatures/verify", {"file": _upload(b"not a pdf at all")})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_pdf"


def test_verification_is_limited_per_address(signed: bytes, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.EGOV_SIGNATURES_VERIFY_PER_HOUR = 2
    client = Client()
    for _ in range(2):
        assert (
            client.post("/api/v1/signatures/verify", {"file": _upload(signed)}).status_code == 200
        )
    refused = client.post("/api/v1/signatures/verify", {"file": _upload(signed)})
    assert refused.status_code == 429
    assert refused.json()["message"].startswith("Bạn đã kiểm tra quá nhiều tệp")
    page = client.post(reverse("signatures:verify"), {"file": _upload(signed)})
    assert page.status_code == 429 and "Bạn đã kiểm tra quá nhiều tệp" in page.content.decode()
    cache.clear()


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("van-ban.pdf", data, content_type="application/pdf")
