"""The demo's test PKI, in files under ``EGOV_SIGNATURES_PKI_DIR``.

A root in the role of the national root, an intermediate in the role of the
public-service CA (which also signs the CRL and the OCSP answers), a timestamp
authority, and a certificate per demo signer and agency whose key was made
inside a PKCS#11 token (:mod:`egov.signatures.tokens`). Two extra signers, one
revoked and one expired, keep their keys in files: they exist only to show what
verification says about them.

Nothing here is trusted outside the demo: ``EGOV_SIGNATURES_DEMO_PKI`` must be on
for the simulators to answer and for ``make_test_pki`` to run, and a deploy check
refuses the demo roots in production (:mod:`egov.signatures.checks`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

ROOT_NAME = "Demo Root CA (vai trò Root CA quốc gia)"
CA_NAME = "Demo CA chuyên dùng công vụ"
TSA_NAME = "Demo Timestamp Authority"
COUNTRY = "VN"
ORGANISATION = "Nền tảng demo, không có giá trị pháp lý"

#: Subject field that marks a certificate as the demo's (checked by the deploy check).
DEMO_MARK = "EGOV-DEMO-PKI"


def pki_dir() -> Path:
    return Path(settings.EGOV_SIGNATURES_PKI_DIR)


def simulator_url(path: str) -> str:
    base = str(settings.EGOV_SIGNATURES_SIMULATOR_BASE_URL).rstrip("/")
    return f"{base}/chu-ky-so/mo-phong/{path}"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Issued:
    """A certificate and (for file-held keys only) its private key."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey | None = None

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _name(common_name: str, organisation: str = ORGANISATION, title: str = "") -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARK),
    ]
    if title:
        parts.append(x509.NameAttribute(NameOID.TITLE, title[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(parts)


def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.tmp")
    draft.write_bytes(data)
    if secret:
        draft.chmod(0o600)
    draft.replace(path)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_cert(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: Issued | None,
    *,
    path_length: int,
    years: int,
) -> x509.Certificate:
    start = now() - dt.timedelta(days=1)
    signer_key = issuer.key if issuer else key
    assert signer_key is not None
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    return builder.sign(signer_key, hashes.SHA256())


def _load(name: str, *, with_key: bool) -> Issued | None:
    cert_path = pki_dir() / f"{name}.pem"
    key_path = pki_dir() / f"{name}.key"
    if not cert_path.exists() or (with_key and not key_path.exists()):
        return None
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = None
    if with_key:
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        key = loaded
    return Issued(cert, key)


def _save(name: str, issued: Issued) -> Issued:
    _write(pki_dir() / f"{name}.pem", issued.cert.public_bytes(serialization.Encoding.PEM))
    if issued.key is not None:
        _write(pki_dir() / f"{name}.key", _pem_key(issued.key), secret=True)
    return issued


def ensure_authorities() -> tuple[Issued, Issued, Issued]:
    """The root, the intermediate CA and the TSA (made once, then read)."""
    root = _load("root", with_key=True)
    if root is None:
        key = _new_key()
        root = _save(
            "root", Issued(_ca_cert(_name(ROOT_NAME), key, None, path_length=1, years=20), key)
        )
    ca = _load("ca", with_key=True)
    if ca is None:
        key = _new_key()
        ca = _save("ca", Issued(_ca_cert(_name(CA_NAME), key, root, path_length=0, years=10), key))
    tsa = _load("tsa", with_key=True)
    if tsa is None:
        key = _new_key()
        cert = issue(
            key.public_key(),
            _name(TSA_NAME),
            ca,
            purpose="tsa",
        )
        tsa = _save("tsa", Issued(cert, key))
    return root, ca, tsa


def issue(
    public_key: Any,
    subject: x509.Name,
    ca: Issued,
    *,
    purpose: str = "sign",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> x509.Certificate:
    """A leaf certificate from the demo CA: ``purpose`` ``sign`` (documents) or ``tsa``."""
    assert ca.key is not None
    start = not_before or now() - dt.timedelta(hours=1)
    end = not_after or start + dt.timedelta(days=3 * 365)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=purpose == "sign",
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(simulator_url("crl"))],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(simulator_url("ocsp")),
                    )
                ]
            ),
            critical=False,
        )
    )
    if purpose == "tsa":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(ca.key, hashes.SHA256())


# --- revocations, the CRL and OCSP answers ------------------------------------------


def _revoked_path() -> Path:
    return pki_dir() / "revoked.json"


def revoked_serials() -> dict[int, str]:
    """Serial → revocation time (ISO) of the demo CA's revoked certificates."""
    path = _revoked_path()
    if not path.exists():
        return {}
    return {int(k): v for k, v in json.loads(path.read_text()).items()}


def revoke(cert: x509.Certificate, at: dt.datetime | None = None) -> None:
    revoked = revoked_serials()
    revoked.setdefault(cert.serial_number, (at or now()).isoformat())
    _write(_revoked_path(), json.dumps({str(k): v for k, v in revoked.items()}).encode())


def crl_der(ca: Issued) -> bytes:
    """A fresh CRL of the demo CA (valid for a day)."""
    assert ca.key is not None
    moment = now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(moment - dt.timedelta(minutes=5))
        .next_update(moment + dt.timedelta(days=1))
        .add_extension(x509.CRLNumber(int(moment.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    for serial, when in revoked_serials().items():
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(dt.datetime.fromisoformat(when))
            .build()
        )
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def ocsp_response_der(request_der: bytes, ca: Issued) -> bytes:
    """The demo CA's OCSP answer to ``request_der`` (signed by the CA itself)."""
    from cryptography.x509 import ocsp

    assert ca.key is not None
    try:
        request = ocsp.load_der_ocsp_request(request_der)
    except ValueError:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(
            ocsp.OCSPResponseStatus.MALFORMED_REQUEST
        ).public_bytes(serialization.Encoding.DER)
    issued_here = request.issuer_key_hash == _key_hash(ca.cert, request.hash_algorithm)
    if not issued_here:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(
            ocsp.OCSPResponseStatus.UNAUTHORIZED
        ).public_bytes(serialization.Encoding.DER)
    revoked = revoked_serials()
    serial = request.serial_number
    moment = now()
    status = ocsp.OCSPCertStatus.REVOKED if serial in revoked else ocsp.OCSPCertStatus.GOOD
    # The answer is about the serial; the builder wants a certificate: a stand-in
    # with that serial, from the same issuer (only its serial and issuer are read).
    stand_in = (
        x509.CertificateBuilder()
        .subject_name(ca.cert.subject)
        .issuer_name(ca.cert.subject)
        .public_key(ca.cert.public_key())
        .serial_number(serial)
        .not_valid_before(moment - dt.timedelta(days=1))
        .not_valid_after(moment + dt.timedelta(days=1))
        .sign(ca.key, hashes.SHA256())
    )
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=stand_in,
        issuer=ca.cert,
        # The answer names the certificate with the hash the request used (RFC 6960;
        # SHA-1 there is an identifier, not a signature).
        algorithm=request.hash_algorithm,
        cert_status=status,
        this_update=moment - dt.timedelta(minutes=1),
        next_update=moment + dt.timedelta(hours=12),
        revocation_time=dt.datetime.fromisoformat(revoked[serial]) if serial in revoked else None,
        revocation_reason=x509.ReasonFlags.key_compromise if serial in revoked else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, ca.cert)
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _key_hash(cert: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    from cryptography.hazmat.primitives.hashes import Hash

    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    digest = Hash(algorithm)
    digest.update(spki)
    return digest.finalize()


def load_authorities() -> tuple[Issued, Issued, Issued]:
    """The root, CA and TSA from the files (``make_test_pki`` must have run); kept
    per process while the files are unchanged (loading an RSA key checks it: slow)."""
    folder = pki_dir()
    stamp = tuple(
        (folder / name).stat().st_mtime_ns if (folder / name).exists() else 0
        for name in ("root.key", "ca.key", "tsa.key")
    )
    return _authorities(str(folder), stamp)


@functools.lru_cache(maxsize=4)
def _authorities(folder: str, stamp: tuple[int, ...]) -> tuple[Issued, Issued, Issued]:
    found = [_load(name, with_key=True) for name in ("root", "ca", "tsa")]
    if any(item is None for item in found):
        raise FileNotFoundError("the test PKI is missing: run `manage.py make_test_pki`")
    root, ca, tsa = found
    assert root and ca and tsa
    return root, ca, tsa


def save_test_signer(name: str, issued: Issued) -> Issued:
    return _save(f"test-signers/{name}", issued)


def load_test_signer(name: str) -> Issued | None:
    return _load(f"test-signers/{name}", with_key=True)


def new_file_key() -> rsa.RSAPrivateKey:
    return _new_key()


def subject(common_name: str, organisation: str, title: str = "") -> x509.Name:
    return _name(common_name, organisation, title)


def private_der(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _account_file(account: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9._@-]{1,100}", account) or account.startswith("."):
        raise ValueError("bad account name")
    return f"remote/{account}"


def save_remote_signer(account: str, issued: Issued) -> Issued:
    """The remote-signing simulator's copy of an account's key (its 'HSM')."""
    return _save(_account_file(account), issued)


def load_remote_signer(account: str) -> Issued | None:
    try:
        return _load(_account_file(account), with_key=True)
    except ValueError:
        return None
