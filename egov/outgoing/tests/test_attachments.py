"""Attachments of an outgoing document: PDFs added while drafting; on signed issuance
the agency signs each one, its stamp at the top right of page 1 with the number,
symbol and signing time (``hh:mm:ss dd/mm/yyyy +07:00``); pdfsig and pyHanko
validate them; recipients get the signed files."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import AuditEntry
from egov.documents.models import IncomingDocument
from egov.documents.tests.factories import Org, Staff, text_pdf
from egov.outgoing import services
from egov.outgoing.models import Attachment
from egov.outgoing.tests.factories import make_draft
from egov.outgoing.tests.test_signing import USER_PIN, phone
from egov.signatures.tests.conftest import pki_settings  # noqa: F401 - fixture
from egov.signatures.tests.pdfsig import assert_independently_valid
from egov.signatures.verification import verify_pdf

pytestmark = pytest.mark.django_db

TIME = re.compile(r"\d{2}:\d{2}:\d{2} \d{2}/\d{2}/\d{4} \+07:00")


def two_page_pdf() -> bytes:
    from fpdf import FPDF

    from egov.documents.tests.factories import FONT

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("BeVietnamPro", "", FONT)
    for text in ("Phụ lục I. Danh sách đơn vị", "Trang hai của phụ lục"):
        pdf.add_page()
        pdf.set_font("BeVietnamPro", size=12)
        pdf.set_xy(60, 400)
        pdf.cell(300, 20, text)
    return bytes(pdf.output())


def upload(data: bytes, name: str = "phu-luc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def with_attachment(org: Org, staff: Staff, data: bytes | None = None) -> Any:
    document = make_draft(org, staff)
    services.add_attachment(
        staff.specialist,
        document,
        expected_version=document.lock_version,
        file=upload(data or two_page_pdf()),
        name="Phụ lục I",
    )
    document.refresh_from_db()
    return document


def to_approved(staff: Staff, document: Any) -> Any:
    document = services.submit(staff.specialist, document, expected_version=document.lock_version)
    document = services.approve(staff.head, document, expected_version=document.lock_version)
    return services.approve(staff.leader, document, expected_version=document.lock_version)


@pytest.fixture
def pki(org: Org, staff: Staff, pki_settings: dict[str, Any]) -> None:  # noqa: F811
    from egov.signatures import testpki

    testpki.make(user_pin=USER_PIN)


def stamp_words(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """The words pdftotext finds on page 1 with their boxes (y grows downwards)."""
    done = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    words = []
    for match in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        done.stdout.decode(),
    ):
        x1, y1, x2, y2, text = match.groups()
        words.append((text, float(x1), float(y1), float(x2), float(y2)))
    return words


def test_issuing_signed_seals_each_attachment_at_the_top_right_of_page_one(
    org: Org, staff: Staff, pki: None, tmp_path: Path
) -> None:
    document = to_approved(staff, with_attachment(org, staff))
    issued = services.issue_document(
        staff.clerk,
        document,
        expected_version=document.lock_version,
        remote={"sleep": phone("confirm")},
    )
    assert issued.digitally_signed
    [attachment] = issued.attachments.all()
    signed = bytes(attachment.signed_pdf or b"")
    assert signed.startswith(b"%PDF-") and b"/DSS" in signed  # B-LT
    assert_independently_valid(signed, tmp_path, 1)
    report = verify_pdf(signed)
    assert report.ok, report.as_dict()
    [agency] = report.signatures
    assert agency.organisation == org.dept.name
    # The stamp: on page 1, in its top right quarter, with number, symbol and time.
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed))
    [field] = [f.get_object() for f in reader.root["/AcroForm"]["/Fields"]]
    first = reader.root["/Pages"]["/Kids"][0]
    media = first.get("/MediaBox") or reader.root["/Pages"]["/MediaBox"]  # may be inherited
    width, height = float(media[2]), float(media[3])
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    page_one = reader.root["/Pages"]["/Kids"].raw_get(0).idnum
    assert field.raw_get("/P").idnum == page_one  # the stamp is on page 1
    assert x1 > width / 2 and y1 > height * 3 / 4 and width - x2 < 40 and height - y2 < 40
    words = stamp_words(signed)
    number = [w for w in words if issued.number_and_symbol in w[0]]
    assert number, words
    _text, wx1, wy1, _wx2, _wy2 = number[0]
    assert wx1 > width / 2 and wy1 < height / 4
    line = " ".join(w[0] for w in words if w[2] < height / 4 and w[1] > width / 2)
    assert TIME.search(line), line
    assert "+07:00" in line and org.dept.name.split()[0] in line
    # Page 2 carries no stamp.
    assert issued.number_and_symbol not in " ".join(stamp_words_page(signed, 2))
    audit = AuditEntry.objects.get(action="outgoing.issued")
    assert audit.changes["attachments_signed"] == 1
    # The recipient agency receives the signed attachment with the document.
    services.dispatch_document(staff.clerk, issued)
    received = IncomingDocument.objects.get(recipient_agency=org.other)
    contents = [f.file.read() for f in received.files.all()]
    assert signed in contents


def stamp_words_page(pdf: bytes, page: int) -> list[str]:
    done = subprocess.run(  # noqa: S603 - fixed Debian tool
        ["pdftotext", "-f", str(page), "-l", str(page), "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode().split()


def test_an_attachment_must_be_a_readable_pdf_and_is_fixed_once_submitted(
    org: Org, staff: Staff
) -> None:
    document = make_draft(org, staff)
    with pytest.raises(ValidationError) as refused:
        services.add_attachment(
            staff.specialist,
            document,
            expected_version=document.lock_version,
            file=upload(b"GIF89a not a pdf", "anh.pdf"),
        )
    assert "anh.pdf" in " ".join(refused.value.messages)
    encrypted = text_pdf().replace(b"trailer", b"trailer\n<< /Encrypt 5 0 R >>", 1)
    with pytest.raises(ValidationError):
        services.add_attachment(
            staff.specialist,
            document,
            expected_version=document.lock_version,
            file=upload(encrypted),
        )
    assert not Attachment.objects.exists()
    document = with_attachment(org, staff)
    document = services.submit(staff.specialist, document, expected_version=document.lock_version)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.add_attachment(
            staff.specialist,
            document,
            expected_version=document.lock_version,
            file=upload(text_pdf()),
        )
    assert document.attachments.count() == 1


def test_unsigned_issuance_sends_the_original_attachment(org: Org, staff: Staff) -> None:
    original = two_page_pdf()
    document = to_approved(staff, with_attachment(org, staff, original))
    issued = services.issue_document(staff.clerk, document, expected_version=document.lock_version)
    assert not issued.digitally_signed
    [attachment] = issued.attachments.all()
    assert attachment.signed_pdf is None
    files = services.issuance.delivery_files(issued)
    assert original in [data for _name, data, _type in files]


def test_the_page_adds_lists_downloads_and_removes_attachments(org: Org, staff: Staff) -> None:
    document = make_draft(org, staff)
    client = Client()
    sign_in_verified(client, staff.specialist)
    page_url = reverse("outgoing:detail", args=[document.reference])
    assert "Tài liệu kèm theo" in client.get(page_url).content.decode()
    client.post(
        reverse("outgoing:attachment_add", args=[document.reference]),
        {
            "file": upload(two_page_pdf()),
            "name": "Phụ lục II",
            "lock_version": document.lock_version,
        },
    )
    attachment = Attachment.objects.get(document=document)
    page = client.get(page_url).content.decode()
    link = reverse("outgoing:attachment", args=[document.reference, attachment.pk])
    assert "Phụ lục II" in page and link in page
    download = client.get(link)
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    outsider = Client()
    sign_in_verified(outsider, staff.outsider)
    assert outsider.get(link).status_code == 404
    bad = client.post(
        reverse("outgoing:attachment_add", args=[document.reference]),
        {"file": upload(b"hello", "x.pdf"), "lock_version": document.lock_version + 1},
        follow=True,
    )
    assert "x.pdf" in bad.content.decode()
    document.refresh_from_db()
    client.post(
        reverse("outgoing:attachment_remove", args=[document.reference, attachment.pk]),
        {"lock_version": document.lock_version},
    )
    assert not Attachment.objects.filter(document=document).exists()
