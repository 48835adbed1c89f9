"""The one-stop forms that carry legal weight (01–04) are issued signed with the
receiving agency's key (pdfsig and pyHanko validate them with the test root), kept
once per version of their content, and the same file for the applicant and the
staff; without a key they are unsigned and say so in red."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import AuditEntry
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.models import Dossier, SignedForm, Status
from egov.dossiers.services import signed_forms as signing
from egov.dossiers.tests.factories import World, build_world, dossier_in_status
from egov.signatures.tests.conftest import pki_settings  # noqa: F401 - fixture
from egov.signatures.tests.pdfsig import assert_independently_valid
from egov.signatures.verification import verify_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> Any:
    invalidate_calendar()
    yield build_world()
    invalidate_calendar()


@pytest.fixture
def dossier(world: World) -> Dossier:
    return dossier_in_status(world, Status.RECEIVED)


@pytest.fixture
def citizen(world: World) -> Client:
    client = Client()
    client.force_login(world.staff.citizen)
    return client


@pytest.fixture
def clerk(world: World) -> Client:
    client = Client()
    sign_in_verified(client, world.staff.clerk)
    return client


def citizen_url(dossier: Dossier, code: str) -> str:
    return f"/ca-nhan/ho-so/{dossier.code}/mau/{code}.pdf"


def staff_url(dossier: Dossier, code: str) -> str:
    return f"/can-bo/mau-phieu/{dossier.code}/{code}.pdf"


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_without_an_agency_key_the_form_is_marked_unsigned_and_not_kept(
    citizen: Client, clerk: Client, dossier: Dossier
) -> None:
    for client, url in ((citizen, citizen_url(dossier, "01")), (clerk, staff_url(dossier, "01"))):
        answer = client.get(url)
        assert answer.status_code == 200, answer.content[:300]
        assert answer["Content-Type"] == "application/pdf"
        assert b"/ByteRange" not in answer.content  # no signature at all
        words = text_of(answer.content)
        assert "CHƯA KÝ SỐ" in words and "CHƯA ĐƯỢC KÝ SỐ" in words
        assert dossier.code in words
    assert not SignedForm.objects.exists()  # signed once a key exists


def test_a_failing_signature_gives_the_unsigned_form(
    clerk: Client, dossier: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    from egov.signatures import services as signatures

    monkeypatch.setattr(signatures, "holder_for_agency", lambda unit: object())

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise ConnectionError("timestamp authority unreachable")

    monkeypatch.setattr(signatures, "sign_pdf", broken)
    answer = clerk.get(staff_url(dossier, "01"))
    assert answer.status_code == 200
    assert b"/ByteRange" not in answer.content
    assert "CHƯA KÝ SỐ" in text_of(answer.content)
    assert not SignedForm.objects.exists()


def test_forms_are_signed_by_the_agency_once_per_version_for_everyone(
    citizen: Client,
    clerk: Client,
    dossier: Dossier,
    pki_settings: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    from egov.signatures import testpki

    testpki.make()
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
    first = citizen.get(citizen_url(dossier, "01")).content
    assert_independently_valid(first, tmp_path / "one", 1)
    report = verify_pdf(first)
    assert report.ok, report.as_dict()
    [signature] = report.signatures
    assert signature.organisation == dossier.receiving_agency.name
    words = text_of(first)
    assert "được ký số bởi" in words and "CHƯA KÝ SỐ" not in words
    assert dossier.code in words

    # Kept: the applicant again and the staff get the same bytes, signed once.
    assert citizen.get(citizen_url(dossier, "01")).content == first
    assert clerk.get(staff_url(dossier, "01")).content == first
    assert SignedForm.objects.filter(dossier=dossier, code="01").count() == 1
    assert AuditEntry.objects.filter(action="dossiers.form_signed").count() == 1
    assert AuditEntry.objects.filter(action="signatures.signed").count() == 1

    # A working paper (control sheet) is not one of them: never signed.
    sheet = clerk.get(staff_url(dossier, "06")).content
    assert b"/ByteRange" not in sheet and "CHƯA KÝ SỐ" not in text_of(sheet)

    # What the form says changes (here the applicant's address it prints): a new
    # version is signed and kept; the old one stays as it was issued.
    Dossier.objects.filter(pk=dossier.pk).update(applicant_address="12 Trần Phú, Rạch Giá")
    second = clerk.get(staff_url(dossier, "01")).content
    assert second != first
    assert "12 Trần Phú" in text_of(second)
    assert_independently_valid(second, tmp_path / "two", 1)
    assert citizen.get(citizen_url(dossier, "01")).content == second
    versions = SignedForm.objects.filter(dossier=dossier, code="01").order_by("signed_at")
    assert [bytes(row.pdf) for row in versions] == [first, second]
    assert AuditEntry.objects.filter(action="dossiers.form_signed").count() == 2


@pytest.mark.parametrize("code", ["02", "03", "04"])
def test_each_form_with_legal_weight_is_signed(
    code: str,
    world: World,
    pki_settings: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    from egov.signatures import testpki

    testpki.make()
    dossier = dossier_in_status(world, Status.RECEIVED)
    content, signed = signing.issued_form(code, dossier)
    assert signed
    report = verify_pdf(content)
    assert report.ok and len(report.signatures) == 1, report.as_dict()
    assert report.signatures[0].organisation == dossier.receiving_agency.name
    assert_independently_valid(content, tmp_path, 1)
