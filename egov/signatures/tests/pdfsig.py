"""Independent validators of the platform's signatures: poppler's ``pdfsig`` (NSS)
and OpenSSL.

``pdfsig`` checks each signature's integrity and value and, given an NSS
database holding the test root (made with ``certutil``), builds the chain.
poppler 22.12 (Debian 12) has a known flaw there: after a *successful*
``CERT_PKIXVerifyCert`` it reads NSS's last error code instead of the call's
result, so a trusted chain is reported as "Unknown issue with Certificate or
corrupted data" (later poppler checks the result first). The tests therefore
take pdfsig's chain verdict as "not unknown issuer / revoked / expired" with the
root, against "issuer is unknown" without it, and confirm the trust with
``openssl verify`` on the certificates pdfsig dumps from each signature.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from egov.signatures import pki

TRUSTED = "Certificate is Trusted."
POPPLER_22_TRUSTED = "Unknown issue with Certificate or corrupted data."
NOT_TRUSTED = (
    "Certificate issuer is unknown.",
    "Certificate has been Revoked.",
    "Certificate has Expired",
)


def require_tools() -> None:
    missing = [tool for tool in ("pdfsig", "certutil", "openssl") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (scripts/install_system_deps.sh)")


def _run(args: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - fixed Debian tools
        args, capture_output=True, text=True, check=False, cwd=cwd
    )
    return done.stdout + done.stderr


def nss_db(folder: Path, *, with_root: bool = True) -> Path:
    """A fresh NSS database trusting the test root (or nothing)."""
    require_tools()
    db = folder / ("nssdb" if with_root else "nssdb-empty")
    if (db / "cert9.db").exists():
        return db
    db.mkdir(parents=True, exist_ok=True)
    _run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"])
    if with_root:
        _run(
            [
                "certutil",
                "-A",
                "-d",
                f"sql:{db}",
                "-n",
                "egov-demo-root",
                "-t",
                "CT,C,C",
                "-i",
                str(pki.pki_dir() / "root.pem"),
            ]
        )
    return db


def pdfsig(pdf: bytes, folder: Path, *, with_root: bool = True) -> str:
    """pdfsig's report on ``pdf`` (revocation not asked online: -no-ocsp)."""
    require_tools()
    path = folder / "signed.pdf"
    path.write_bytes(pdf)
    return _run(
        ["pdfsig", "-no-ocsp", "-nssdir", f"sql:{nss_db(folder, with_root=with_root)}", str(path)]
    )


def chain_verdicts(report: str) -> list[str]:
    return re.findall(r"Certificate Validation: (.*)", report)


def openssl_verifies(pdf: bytes, folder: Path) -> list[str]:
    """``openssl verify`` of each signature's signer certificate (as dumped by
    pdfsig) against the test root, with the signature's other certificates as
    intermediates: one output line per signature."""
    require_tools()
    dump = folder / "dump"
    dump.mkdir(exist_ok=True)
    (dump / "signed.pdf").write_bytes(pdf)
    _run(["pdfsig", "-nocert", "-dump", "signed.pdf"], cwd=dump)
    results = []
    for blob in sorted(dump.glob("signed.pdf.sig*")):
        bundle = dump / f"{blob.name}.pem"
        _run(
            [
                "openssl",
                "pkcs7",
                "-inform",
                "DER",
                "-in",
                str(blob),
                "-print_certs",
                "-out",
                str(bundle),
            ]
        )
        pems = re.findall(
            r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", bundle.read_text(), re.S
        )
        leaves = []
        for index, pem in enumerate(pems):
            one = dump / f"{blob.name}.{index}.pem"
            one.write_text(pem + "\n")
            if "CA:TRUE" not in _run(["openssl", "x509", "-in", str(one), "-noout", "-text"]):
                leaves.append(one)
        assert leaves, "no signer certificate in the signature"
        results.append(
            _run(
                [
                    "openssl",
                    "verify",
                    "-CAfile",
                    str(pki.pki_dir() / "root.pem"),
                    "-untrusted",
                    str(bundle),
                    str(leaves[0]),
                ]
            ).strip()
        )
    return results


def assert_independently_valid(pdf: bytes, folder: Path, count: int) -> None:
    """pdfsig: every signature valid, its chain built to the given root (and unknown
    without it); OpenSSL: every signer certificate verifies to the root."""
    report = pdfsig(pdf, folder)
    assert report.count("Signature Validation: Signature is Valid.") == count, report
    verdicts = chain_verdicts(report)
    assert len(verdicts) == count, report
    assert all(v in (TRUSTED, POPPLER_22_TRUSTED) for v in verdicts), report
    without_root = chain_verdicts(pdfsig(pdf, folder, with_root=False))
    assert without_root == ["Certificate issuer is unknown."] * count, without_root
    verified = openssl_verifies(pdf, folder)
    assert len(verified) == count and all(line.endswith(": OK") for line in verified), verified
