"""The issued PDF follows Nghị định 30/2020, Phụ lục I: its text, read back with
pypdf, carries every part of the layout, in a Times-compatible font at 13–14 pt."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from egov.core.formatting import local
from egov.documents.tests.factories import Org, Staff
from egov.outgoing.layout import Layout, render, vietnamese_date
from egov.outgoing.rendering import document_pdf
from egov.outgoing.services import RecipientIn
from egov.outgoing.tests.factories import issued, make_draft


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _sizes(pdf: bytes) -> set[float]:
    """Font sizes set in the content streams (``/F1 14.00 Tf``)."""
    reader = PdfReader(io.BytesIO(pdf))
    sizes: set[float] = set()
    for page in reader.pages:
        stream = page.get_contents()
        assert stream is not None
        content = stream.get_data().decode("latin-1")
        sizes |= {float(size) for size in re.findall(r"/F\d+ ([\d.]+) Tf", content)}
    return sizes


def test_dates_follow_the_decree() -> None:
    assert (
        vietnamese_date("Kiên Giang", date(2026, 2, 5)) == "Kiên Giang, ngày 05 tháng 02 năm 2026"
    )
    assert vietnamese_date("Rạch Giá", date(2026, 12, 17)) == "Rạch Giá, ngày 17 tháng 12 năm 2026"
    assert vietnamese_date("Rạch Giá", date(2026, 3, 1)) == "Rạch Giá, ngày 01 tháng 3 năm 2026"


@pytest.mark.django_db
def test_the_issued_pdf_carries_every_part_of_the_layout(org: Org, staff: Staff) -> None:
    document = issued(
        org,
        staff,
        urgency="urgent",
        recipients=[RecipientIn(agency=org.other), RecipientIn(name="Bộ Tư pháp")],
    )
    assert document.issued_pdf is not None and document.issued_at is not None
    pdf = bytes(document.issued_pdf)
    text = _text(pdf)
    day = local(document.issued_at).date()
    for part in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH KIÊN GIANG",  # the governing body above the department
        "SỞ TƯ PHÁP",
        "Số: 01/QĐ-STP",
        "Kiên Giang, ngày",
        "QUYẾT ĐỊNH",
        "Về việc ban hành Quy chế quản lý văn bản điện tử",
        "Căn cứ Nghị định số 30/2020/NĐ-CP;",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Võ Văn Em",
        "Nơi nhận:",
        "- Sở Tài chính;",
        "- Bộ Tư pháp;",
        "- Lưu: VT, XDKT.",
        "KHẨN",
        "CHƯA KÝ SỐ",
        "Đã duyệt ký: Võ Văn Em",
    ):
        assert part in text, part
    assert f"năm {day.year}" in text
    assert any("LiberationSerif" in name for name in _fonts(pdf))
    # Body and heading in 13–14 pt (Phụ lục I); smaller only for Nơi nhận and notes.
    assert {13.0, 14.0} <= _sizes(pdf)
    assert max(_sizes(pdf)) <= 15.0


@pytest.mark.django_db
def test_a_draft_preview_has_no_number_and_says_it_is_a_draft(org: Org, staff: Staff) -> None:
    text = _text(document_pdf(make_draft(org, staff, confidentiality="secret")))
    assert "Số: /QĐ-STP" in text
    assert "(Dự thảo)" in text and "TỐI MẬT" in text
    assert "ngày tháng năm" in text


def test_a_letter_puts_its_summary_under_the_number() -> None:
    pdf = render(
        Layout(
            parent_body="",
            issuing_body="Ủy ban nhân dân tỉnh Kiên Giang",
            number_and_symbol="125/UBND-VP",
            notation="UBND-VP",
            place="Kiên Giang",
            day=date(2026, 12, 7),
            type_name="Công văn",
            is_letter=True,
            subject="triển khai hệ thống quản lý văn bản",
            body="Kính gửi: Các sở, ban, ngành tỉnh.",
            authority="TM.",
            authority_of="Ủy ban nhân dân",
            signer_position="Chủ tịch",
            signer_name="Lâm Minh Thành",
            recipients=["Như trên", "Lưu: VT"],
            digitally_signed=True,
        )
    )
    text = _text(pdf)
    assert "Số: 125/UBND-VP" in text
    assert "V/v triển khai hệ thống quản lý văn bản" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text
    assert "CÔNG VĂN" not in text  # a letter has no type name line
    assert "CHƯA KÝ SỐ" not in text
