"""The archive's copy: on hand-over the file's PDF is sealed by the agency at PAdES
B-LTA (signature + DSS + document timestamp); a failed seal hands nothing over."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from egov.core.models import AuditEntry
from egov.documents.tests.factories import Org, Staff
from egov.signatures import errors as signature_errors
from egov.signatures.outside import PlatformTimeStamper
from egov.signatures.tests.conftest import USER_PIN, pki_settings  # noqa: F401 (fixture)
from egov.signatures.verification import verify_pdf
from egov.workfiles import services
from egov.workfiles.errors import SealFailed
from egov.workfiles.models import FileStatus, WorkFile
from egov.workfiles.tests.factories import open_file
from egov.workfiles.tests.test_pages import client_for


@pytest.fixture
def keys(org: Org, staff: Staff, pki_settings: dict[str, Any], settings: Any) -> None:  # noqa: F811
    from egov.signatures import testpki

    testpki.make(user_pin=USER_PIN)


def _closed(org: Org, staff: Staff) -> WorkFile:
    work_file = open_file(org, staff, symbol="07", year=2025)
    return services.close_file(
        staff.specialist,
        work_file,
        expected_version=work_file.version,
        retention_years=None,  # permanent: goes to the archive
        end_date=date(2025, 6, 1),
    ).work_file


def test_hand_over_seals_the_archive_copy_b_lta(org: Org, staff: Staff, keys: None) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    work_file = _closed(org, staff)
    done = services.record_handover(staff.clerk, work_file, receipt_number="BB-07/2026")
    done.refresh_from_db()
    assert done.status == FileStatus.HANDED_OVER and done.archive_sealed
    assert done.archive_pdf is not None
    pdf = bytes(done.archive_pdf)
    kinds = [
        sig.sig_object_type.lstrip("/")
        for sig in PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    ]
    assert kinds == ["Sig", "DocTimeStamp"]
    report = verify_pdf(pdf)
    assert report.ok, report.as_dict()
    (seal,) = report.signatures
    assert seal.organisation == org.dept.name and seal.revocation == "good"
    signed = AuditEntry.objects.filter(action="signatures.signed").get()
    assert signed.changes["level"] == "B-LTA" and signed.changes["key"] == "agency"
    assert "B-LTA" in done.events.get(action="handed_over").note

    # A retried hand-over does not seal again.
    services.record_handover(staff.clerk, done, receipt_number="BB-07/2026")
    assert AuditEntry.objects.filter(action="signatures.signed").count() == 1

    url = reverse("workfiles:archive_pdf", args=[done.pk])
    clerk = client_for(staff.clerk)
    assert "download-archive-copy" in clerk.get(reverse("workfiles:detail", args=[done.pk])).text
    response = clerk.get(url)
    assert response.status_code == 200 and response.content == pdf
    assert client_for(staff.specialist).get(url).status_code == 404


def test_a_failed_seal_hands_nothing_over(
    org: Org, staff: Staff, keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def timestamp_authority_down(self: Any, req: Any) -> Any:
        raise signature_errors.OutsideServiceFailed("Máy chủ cấp dấu thời gian")

    monkeypatch.setattr(PlatformTimeStamper, "request", timestamp_authority_down)
    work_file = _closed(org, staff)
    with pytest.raises(SealFailed) as caught:
        services.record_handover(staff.clerk, work_file, receipt_number="BB-08/2026")
    assert caught.value.code == "seal_failed"
    assert caught.value.message.startswith("Không đóng được dấu số"), caught.value.message
    work_file.refresh_from_db()
    assert work_file.status == FileStatus.CLOSED
    assert work_file.archive_pdf is None and not work_file.archive_receipt
    assert not work_file.events.filter(action="handed_over").exists()


def test_an_agency_without_a_key_hands_over_an_unsealed_copy(org: Org, staff: Staff) -> None:
    work_file = _closed(org, staff)
    done = services.record_handover(staff.clerk, work_file, receipt_number="BB-09/2026")
    done.refresh_from_db()
    assert done.status == FileStatus.HANDED_OVER and not done.archive_sealed
    assert done.archive_pdf is not None
    pdf = bytes(done.archive_pdf)
    assert pdf.startswith(b"%PDF") and b"/ByteRange" not in pdf
