"""Text recognition with the real Tesseract (vie+eng) on generated scans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from egov.documents import jobs, ocr, services
from egov.documents.models import OcrStatus
from egov.documents.tests.factories import Org, Staff, scan_pdf, scan_png, text_pdf
from egov.procedures.text import search_key

needs_tesseract = pytest.mark.skipif(ocr.tesseract_path() is None, reason="tesseract missing")


@needs_tesseract
def test_tesseract_reads_vietnamese_with_its_marks() -> None:
    text = ocr.ocr_image(scan_png())
    assert "KIÊN GIANG" in text
    assert "văn bản" in text
    assert "125/UBND-VP" in text


@needs_tesseract
def test_a_scanned_pdf_page_is_read_by_ocr_and_a_text_pdf_from_its_text_layer() -> None:
    scanned = ocr.recognise(scan_pdf(), "application/pdf")
    assert scanned.ocr_pages == 1 and scanned.pages == 1
    assert "quản lý văn bản" in search_key(scanned.text) or "quan ly van ban" in search_key(
        scanned.text
    )
    born_digital = ocr.recognise(text_pdf("Công văn về việc báo cáo"), "application/pdf")
    assert born_digital.ocr_pages == 0
    assert "báo cáo" in born_digital.text


def test_a_stuck_tesseract_is_stopped_by_the_timeout(tmp_path: Path, settings: Any) -> None:
    slow = tmp_path / "tesseract"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    settings.EGOV_DOCUMENTS_TESSERACT = str(slow)
    with pytest.raises(ocr.OcrError) as stopped:
        ocr.ocr_image(scan_png(), timeout=0.5)
    assert "0" in stopped.value.args[0]


def test_no_tesseract_is_a_clear_failure(settings: Any) -> None:
    settings.EGOV_DOCUMENTS_TESSERACT = "/nonexistent/tesseract"
    with pytest.raises(ocr.OcrError):
        ocr.ocr_image(scan_png())


@needs_tesseract
@pytest.mark.django_db
def test_a_long_scan_is_queued_and_read_by_the_background_job(org: Org, staff: Staff) -> None:
    with override_settings(EGOV_DOCUMENTS_OCR_INLINE_PAGES=0):
        document = services.receive_scan(
            agency=org.dept,
            files=[("scan.pdf", scan_pdf(), "application/pdf")],
            actor=staff.clerk,
        )
    assert document.ocr_status == OcrStatus.PENDING and document.ocr_text == ""
    assert jobs.recognise_pending() == 1
    document.refresh_from_db()
    assert document.ocr_status == OcrStatus.DONE
    assert "125/UBND-VP" in document.ocr_text
    assert "125 ubnd vp" in document.search_text
    assert jobs.recognise_pending() == 0


@pytest.mark.django_db
def test_a_failed_recognition_is_kept_for_the_clerk(org: Org, staff: Staff, settings: Any) -> None:
    settings.EGOV_DOCUMENTS_TESSERACT = "/nonexistent/tesseract"
    document = services.receive_scan(
        agency=org.dept,
        files=[("scan.png", scan_png(), "image/png")],
        actor=staff.clerk,
    )
    assert document.ocr_status == OcrStatus.FAILED
    assert "Tesseract" in document.ocr_error


def test_the_register_form_is_prefilled_from_the_recognised_text() -> None:
    from egov.documents.suggest import suggest

    text = (
        "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG\nSố: 125/UBND-VP\n\nCÔNG VĂN\n\n"
        "V/v triển khai hệ thống\nquản lý văn bản điều hành"
    )
    assert suggest(text) == {
        "code_number": "125",
        "code_notation": "UBND-VP",
        "issuing_agency_name": "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
        "type_code": "cong-van",
        "subject": "Về việc triển khai hệ thống quản lý văn bản điều hành",
    }
    assert suggest("Quyết định\nSố 12/QĐ-BTP ngày 3/2") == {
        "code_number": "12",
        "code_notation": "QĐ-BTP",
    }
    assert suggest("") == {}
