"""Fixtures of the exchange tests: the documents tests' organisation, the axis
simulator reached in-process, and a small PKI in memory (a root, and one key per
agency issued by it) standing in for the agency keys of the signatures app (one
test signs with the real SoftHSM agency key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, Staff, build_org, build_staff
from egov.exchange import keys
from egov.outgoing.chains import ensure_default_chain

SECRET = "axis-secret-for-tests-only"
OTHER_SYSTEM = "other.province"
OTHER_SECRET = "other-province-secret-for-tests"


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


class MemoryPki:
    """A root and agency keys it issued (made once per test process)."""

    def __init__(self) -> None:
        now = dt.datetime.now(dt.UTC)
        self.root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.root = (
            x509.CertificateBuilder()
            .subject_name(_name("Test root"))
            .issuer_name(_name("Test root"))
            .public_key(self.root_key.public_key())
            .serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.root_key, hashes.SHA256())
        )
        self.agency_keys: dict[str, tuple[Any, x509.Certificate]] = {}

    def issue(
        self, organ_id: str, *, issuer_key: Any = None, issuer: x509.Name | None = None
    ) -> tuple[Any, x509.Certificate]:
        now = dt.datetime.now(dt.UTC)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(f"Agency {organ_id}"))
            .issuer_name(issuer or self.root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .sign(issuer_key or self.root_key, hashes.SHA256())
        )
        return key, cert

    def key_of(self, organ_id: str) -> tuple[Any, x509.Certificate]:
        if organ_id not in self.agency_keys:
            self.agency_keys[organ_id] = self.issue(organ_id)
        return self.agency_keys[organ_id]

    @contextmanager
    def provider(self, organ_id: str) -> Iterator[tuple[Any, list[x509.Certificate]]]:
        key, cert = self.key_of(organ_id)
        yield key, [cert, self.root]


_PKI: MemoryPki | None = None


@pytest.fixture
def pki(monkeypatch: pytest.MonkeyPatch) -> MemoryPki:
    global _PKI
    if _PKI is None:
        _PKI = MemoryPki()
    made = _PKI
    monkeypatch.setattr(keys, "provider", made.provider)
    monkeypatch.setattr(keys, "anchors", lambda: [made.root])
    return made


@pytest.fixture
def axis_settings(settings: Any) -> Any:
    settings.EGOV_SIMULATORS = True
    settings.EGOV_EXCHANGE_SECRET = SECRET
    settings.EGOV_EXCHANGE_SYSTEM_ID = "egov.h33"
    settings.EGOV_EXCHANGE_TRANSPORT = "inprocess"
    settings.EGOV_EXCHANGE_AXIS_URL = "http://testserver/lien-thong/mo-phong/api"
    settings.EGOV_EXCHANGE_TIMEOUT_SECONDS = "10"
    settings.EGOV_EXCHANGE_SIM_SYSTEMS = [f"{OTHER_SYSTEM}:{OTHER_SECRET}"]
    settings.EGOV_INTEGRATIONS_RETRIES = 0
    return settings


@dataclass
class World:
    org: Org
    staff: Staff


@pytest.fixture
def world(db: None, axis_settings: Any, pki: MemoryPki) -> World:
    from egov.exchange.services import agencies

    ensure_document_types()
    ensure_default_chain()
    org = build_org()
    staff = build_staff(org)
    agencies.sync()
    return World(org=org, staff=staff)
