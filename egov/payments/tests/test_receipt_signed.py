"""The payment receipt is a system-issued document: signed with the receiving
agency's key through the signatures service (pdfsig and pyHanko validate it with
the test root), kept once signed; without a key it is unsigned and says so."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from egov.core.models import AuditEntry
from egov.dossiers.models import Dossier
from egov.payments.models import Payment
from egov.payments.tests.conftest import choose, come_back, start
from egov.signatures.tests.conftest import pki_settings  # noqa: F401 - fixture
from egov.signatures.tests.pdfsig import assert_independently_valid
from egov.signatures.verification import verify_pdf

pytestmark = pytest.mark.django_db


def paid(client: Client, dossier: Dossier) -> Payment:
    come_back(client, choose(client, start(client, dossier), "success"))
    return Payment.objects.get()


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_without_an_agency_key_the_receipt_is_marked_unsigned(
    citizen_client: Client, dossier: Dossier
) -> None:
    payment = paid(citizen_client, dossier)
    answer = citizen_client.get(f"/thanh-toan/bien-lai/{payment.reference}/")
    assert answer.status_code == 200
    assert b"/ByteRange" not in answer.content  # no signature at all
    words = text_of(answer.content)
    assert "BIÊN LAI CHƯA KÝ SỐ" in words and "CHƯA ĐƯỢC KÝ SỐ" in words
    payment.refresh_from_db()
    assert payment.receipt_pdf is None  # not kept: signed once a key exists


def test_the_receipt_is_signed_by_the_agency_once_and_kept(
    citizen_client: Client,
    dossier: Dossier,
    pki_settings: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    from egov.signatures import testpki

    testpki.make()
    payment = paid(citizen_client, dossier)
    url = f"/thanh-toan/bien-lai/{payment.reference}/"
    first = citizen_client.get(url).content
    assert_independently_valid(first, tmp_path, 1)
    report = verify_pdf(first)
    assert report.ok, report.as_dict()
    [signature] = report.signatures
    assert signature.organisation == dossier.receiving_agency.name
    words = text_of(first)
    assert "được ký số bởi" in words and "CHƯA KÝ SỐ" not in words
    assert payment.reference in words
    # Kept: the second download is the same file, signed once.
    assert citizen_client.get(url).content == first
    payment.refresh_from_db()
    assert bytes(payment.receipt_pdf or b"") == first
    assert AuditEntry.objects.filter(action="payments.receipt_signed").count() == 1
    assert AuditEntry.objects.filter(action="signatures.signed").count() == 1
